"""``make run`` (python -m launcher.run) when its Celery worker is killed: the web server keeps
answering, the worker is started again within seconds, and the dead worker's jobs finish within
30 s of its death (the lease its heartbeat stopped renewing runs out, and beat's sweep takes them
back). On the test database, a Redis of the test's own and ports chosen free; the launcher's logs
and owner records go to a temporary folder (NEWSROOM_DATA_DIR)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from articles.tokens import create_api_token
from corrections.models import PipelineJob
from tests.support import ROOT, PrivateRedis, free_port, wait_for, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
DEATH_TO_DONE_S = 30  # issue 13: the killed worker's jobs finish within 30 s of its death


def get(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our loopback server
            return int(response.status)
    except urllib.error.HTTPError as ex:
        return int(ex.code)
    except (urllib.error.URLError, OSError):
        return 0


def post_article(base: str, token: str, external_id: str, body: str) -> int:
    data = json.dumps({"source": "supervision", "external_id": external_id, "title": "T", "body": body}).encode()
    request = urllib.request.Request(base + "/api/v1/articles/", data=data, headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our loopback server
        assert response.status == 201
        return int(json.loads(response.read())["id"])


class Launcher:
    def __init__(self, tmp_path: Path, redis_url: str) -> None:
        self.data_dir = tmp_path / "data"
        self.out = tmp_path / "make-run.out"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = worker_env(REDIS_URL=redis_url, PORT=str(self.port), NEWSROOM_DATA_DIR=str(self.data_dir),
                         NEWSROOM_PASSES="tests.corrections.poison_pass,corrections.passes.encoding")
        env.pop("NEWSROOM_JOB_LEASE_SECONDS")  # the default lease: what make run has
        # make run empties its metrics directory: its own, never the suite's (whose counts it would erase)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
        with open(self.out, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "launcher.run"], cwd=ROOT, env=env,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def child_pid(self, name: str) -> int:
        """The newest pid the launcher recorded for ``name`` (its owner record)."""
        record = json.loads((self.data_dir / "run" / f"owner-{self.process.pid}.json").read_text())
        return int([item for item in record["started"] if item.get("name") == name][-1]["pid"])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                return self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait()


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    broker = PrivateRedis()
    broker.start()
    running = Launcher(tmp_path, broker.url)
    try:
        wait_for(lambda: "newsroom is up" in running.output() or running.process.poll() is not None,
                 timeout=300, interval=0.5, message="make run to come up")
        assert "newsroom is up" in running.output(), running.output()[-3000:]
        yield running
    finally:
        code = running.stop()
        broker.stop()
    assert code == 0, running.output()[-3000:]


def test_a_killed_worker_is_restarted_and_its_jobs_finish_while_the_web_keeps_answering(launcher: Launcher) -> None:
    token = create_api_token("supervision-test")[1]
    articles = [post_article(launcher.base, token, f"slow-{n}", f"A slow article. POISON-SLOW-4 {n}") for n in range(2)]
    wait_for(lambda: PipelineJob.objects.filter(article_id__in=articles, state="running").exists(),
             timeout=90, message="a job to run")
    running = list(PipelineJob.objects.filter(article_id__in=articles, state="running").values_list("pk", flat=True))
    worker = launcher.child_pid("worker")

    os.kill(worker, signal.SIGKILL)  # the worker's main process; its pool children die with it
    died = time.monotonic()
    answers: list[tuple[float, int, int]] = []
    while True:
        answers.append((time.monotonic() - died, get(launcher.base + "/healthz"),
                        get(launcher.base + "/api/v1/articles/", token)))
        states = set(PipelineJob.objects.filter(pk__in=running).values_list("state", flat=True))
        if states == {"done"} or time.monotonic() - died > DEATH_TO_DONE_S + 30:
            break
        time.sleep(0.5)
    finished = time.monotonic() - died
    print(f"supervision: jobs {running} of the killed worker done {finished:.1f} s after its death; "
          f"{len(answers)} checks of /healthz and the API meanwhile")  # the figure docs/RELIABILITY.md quotes

    assert all(health == 200 and api == 200 for _, health, api in answers), answers  # the web never blinked
    output = launcher.output()
    assert "the worker process exited (killed by SIGKILL); restarting it in 1 s" in output
    assert "restarted the worker process (pid " in output
    assert launcher.child_pid("worker") != worker
    assert finished <= DEATH_TO_DONE_S, f"the killed worker's jobs finished {finished:.1f} s after its death"
    assert set(PipelineJob.objects.filter(pk__in=running).values_list("attempts", flat=True)) == {2}
    wait_for(lambda: PipelineJob.objects.filter(article_id__in=articles, state="done").count() == 2, timeout=60,
             message="every job to finish")
    worker_log = (launcher.data_dir / "logs" / "worker.log").read_text(errors="replace")
    assert "restarted by make run" in worker_log and worker_log.count(" ready.") >= 2
