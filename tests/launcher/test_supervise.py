"""launcher/supervise.py: what exits is started again, with growing pauses, and the rest stays up."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from launcher.supervise import Supervisor, describe_exit
from tests.support import wait_for


def starter(code: str) -> Callable[[bool], subprocess.Popen[bytes]]:
    def start(restart: bool) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    return start


def pauses(said: list[str]) -> list[float]:
    return [float(m) for line in said for m in re.findall(r"restarting it in ([0-9.]+) s", line)]


def stop_all(supervisor: Supervisor) -> None:
    for child in supervisor.children:
        if child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


def test_a_process_that_keeps_exiting_is_restarted_with_doubling_pauses_and_said_so(tmp_path: Path) -> None:
    said: list[str] = []
    log = tmp_path / "flaky.log"
    log.write_text("starting\nImproperlyConfigured: SECRET_KEY is missing\n")
    supervisor = Supervisor(said.append, min_backoff=0.05, max_backoff=0.2, stable_after=30)
    child = supervisor.add("flaky", starter("raise SystemExit(3)"), log)

    def polled() -> bool:
        supervisor.poll()
        return child.restarts >= 4

    wait_for(polled, timeout=30, interval=0.01, message="four restarts")
    assert pauses(said)[:4] == [0.05, 0.1, 0.2, 0.2]
    assert "the flaky process exited (exit code 3)" in said[0]
    assert "SECRET_KEY is missing" in said[0] and str(log) in said[0]  # why, and where to read more
    assert any(line.startswith("restarted the flaky process (pid ") for line in said)
    stop_all(supervisor)


def test_a_killed_worker_is_restarted_while_the_web_server_is_left_alone() -> None:
    said: list[str] = []
    supervisor = Supervisor(said.append, min_backoff=0.05)
    web = supervisor.add("web", starter("import time; time.sleep(60)"))
    worker = supervisor.add("worker", starter("import time; time.sleep(60)"))
    web_pid, worker_pid = web.process.pid, worker.process.pid
    try:
        os.kill(worker_pid, signal.SIGKILL)

        def polled() -> bool:
            supervisor.poll()
            return worker.restarts == 1

        wait_for(polled, timeout=30, interval=0.01, message="the worker to be restarted")
        assert worker.process.pid != worker_pid and worker.process.poll() is None
        assert web.process.pid == web_pid and web.process.poll() is None and web.restarts == 0
        assert said[0].startswith("the worker process exited (killed by SIGKILL); restarting it in 0.05 s")
    finally:
        stop_all(supervisor)


def test_a_process_that_stayed_up_starts_counting_from_the_shortest_pause_again() -> None:
    now = [0.0]
    said: list[str] = []
    supervisor = Supervisor(said.append, min_backoff=1, max_backoff=60, stable_after=60, clock=lambda: now[0])
    child = supervisor.add("beat", starter("raise SystemExit(1)"))
    for _ in range(3):  # dies at once, three times: 1, 2, 4 s
        child.process.wait()
        supervisor.poll()
        now[0] += child.backoff
        supervisor.poll()
    child.process.wait()
    now[0] += 3600  # this one had been up for an hour before it died
    supervisor.poll()
    assert pauses(said) == [1, 2, 4, 1]
    stop_all(supervisor)


def test_what_a_dead_process_left_in_its_session_is_killed_before_the_restart(tmp_path: Path) -> None:
    pid_file = tmp_path / "orphan.pid"
    said: list[str] = []
    supervisor = Supervisor(said.append, min_backoff=0.05)

    def start(restart: bool) -> subprocess.Popen[bytes]:
        # Like gunicorn's master dying while its workers still hold the port.
        script = f"sleep 60 & echo $! > {pid_file}; exit 0" if not restart else "sleep 60"
        return subprocess.Popen(["bash", "-c", script], start_new_session=True)

    child = supervisor.add("web", start)
    try:
        wait_for(lambda: pid_file.exists() and pid_file.read_text().strip() != "", timeout=10)
        orphan = int(pid_file.read_text())

        def polled() -> bool:
            supervisor.poll()
            return child.restarts == 1

        wait_for(polled, timeout=30, interval=0.01, message="the restart")
        wait_for(lambda: not os.path.exists(f"/proc/{orphan}") or "Z" in open(f"/proc/{orphan}/stat").read().split()[2],
                 timeout=10, message="the orphan to be killed")
    finally:
        stop_all(supervisor)


def test_exits_are_described_for_people() -> None:
    assert describe_exit(-9) == "killed by SIGKILL"
    assert describe_exit(1) == "exit code 1"
