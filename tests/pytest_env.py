"""Loaded with ``-p tests.pytest_env`` before Django's settings: keep the suite off the dev data.

The suite uses Redis database 15 (and its own cache prefix) so that a `make run` worker on the
same Redis never picks up a test's messages, nor a test worker the developer's. Metrics are
counted in a fresh multiprocess directory of the run's own, shared with the worker processes the
tests start (they inherit the environment), and /metrics answers to a known token.
"""

import atexit
import os
import re
import shutil
import tempfile

# Under pytest-xdist each process of the run (gw0, gw1, ...) has a database of its own
# (pytest-django adds the suffix) and so a Redis database of its own: 15, 14, 13.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_process = int(_xdist_worker[2:]) if _xdist_worker.startswith("gw") else 0
if _process > 2:
    raise RuntimeError("the suite runs in at most 3 processes (-n 3): each needs a Redis database of its own")
_redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["REDIS_URL"] = re.sub(r"/\d*$", "", _redis.split("?")[0].rstrip("/")) + f"/{15 - _process}"
os.environ.setdefault("CACHE_KEY_PREFIX", f"newsroom-test{_xdist_worker}")
os.environ.setdefault("NEWSROOM_API_RATE", "100000/min")
os.environ.setdefault("NEWSROOM_SWEEP_INTERVAL", "2")

_metrics_dir = tempfile.mkdtemp(prefix="newsroom-test-metrics-")
atexit.register(shutil.rmtree, _metrics_dir, ignore_errors=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir
os.environ["NEWSROOM_METRICS_TOKEN"] = "metrics-token-for-the-tests"
os.environ.pop("NEWSROOM_METRICS_TOKEN_FILE", None)
os.environ.pop("NEWSROOM_METRICS_ALLOW_IPS", None)
