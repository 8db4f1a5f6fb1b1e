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

_redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["REDIS_URL"] = re.sub(r"/\d*$", "", _redis.split("?")[0].rstrip("/")) + "/15"
os.environ.setdefault("CACHE_KEY_PREFIX", "newsroom-test")
os.environ.setdefault("NEWSROOM_API_RATE", "100000/min")
os.environ.setdefault("NEWSROOM_SWEEP_INTERVAL", "2")

_metrics_dir = tempfile.mkdtemp(prefix="newsroom-test-metrics-")
atexit.register(shutil.rmtree, _metrics_dir, ignore_errors=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir
os.environ["NEWSROOM_METRICS_TOKEN"] = "metrics-token-for-the-tests"
os.environ.pop("NEWSROOM_METRICS_TOKEN_FILE", None)
os.environ.pop("NEWSROOM_METRICS_ALLOW_IPS", None)
