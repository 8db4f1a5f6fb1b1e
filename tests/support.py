"""Helpers for tests that run real processes: a Celery worker on the test database and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import redis
from django.conf import settings

# A redis-server of the test's own on a free port, to stop and restart.
from launcher.private import PrivateRedis as PrivateRedis

ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    host = db["HOST"] or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    if host.startswith("/"):
        return f"postgres://{auth}@/{db['NAME']}?host={host}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    """Environment for a worker process that talks to the test database and the test Redis."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        PYTHONPATH=str(ROOT),
        NEWSROOM_JOB_LEASE_SECONDS="20",
    )
    env.update(extra)
    return env


class Worker:
    """A Celery worker subprocess; started and stopped by the fixture."""

    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int = 1) -> None:
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.log: BinaryIO | None = None

    def start(self) -> None:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "newsroom", "worker", "-c", str(self.concurrency), "--pool", "prefork",
             "-Q", ",".join(settings.NEWSROOM_QUEUES),
             "-n", f"test-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "-l", "info"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b"ready." in self.log_path.read_bytes():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"worker did not become ready; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None


def flush_test_broker() -> None:
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def wait_for(predicate: Callable[[], bool], timeout: float = 60, interval: float = 0.2,
             message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class use_broker:  # noqa: N801 - used as a context manager
    """Point this process's Celery app at another broker (and drop its cached connections)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _reset(self, url: str) -> None:
        from newsroom.celery import app

        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    def __enter__(self) -> None:
        from newsroom.celery import app

        self.previous = app.conf.broker_url
        self._reset(self.url)

    def __exit__(self, *exc: object) -> None:
        self._reset(self.previous)
