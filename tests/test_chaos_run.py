"""The chaos run's short variant passes: bench/chaos_run.py --quick, on servers of its own (a
PostgreSQL cluster, Redis, gunicorn, a Celery worker and beat on free loopback ports), kills the
worker's pool children and the whole worker, stops Redis twice and PostgreSQL once, terminates
every backend, and finds nothing lost, nothing doubled, no 5xx but 503 with Retry-After, and
``manage.py reconcile`` at 0. The full run (240 articles, 15 s outages) is the documented command
in the README; both print the same checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = [pytest.mark.chaos, pytest.mark.worker]


def test_the_quick_chaos_run_loses_nothing_doubles_nothing_and_answers_no_500(tmp_path: Path) -> None:
    output = tmp_path / "chaos.json"
    result = subprocess.run([sys.executable, "bench/chaos_run.py", "--quick", "--output", str(output)], cwd=ROOT,
                            capture_output=True, text=True, timeout=840, check=False)
    assert output.exists(), result.stderr[-4000:]
    report = json.loads(output.read_text())
    failed = {name: check for name, check in report["checks"].items() if not check["pass"]}
    assert not failed, json.dumps(failed, indent=1)[:4000] + "\n" + result.stderr[-2000:]
    assert result.returncode == 0
    assert report["articles"]["sent"] == report["articles"]["stored"] == 60
    assert report["articles"]["lost"] == report["articles"]["doubled"] == 0
    assert report["requests"]["5xx_other_than_503"] == 0 and report["requests"]["503"] > 0  # the outage was seen
    assert report["reconcile"]["passed"]
