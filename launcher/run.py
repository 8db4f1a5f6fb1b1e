"""``make run``: bring newsroom up on this machine, and stop what it started on Ctrl-C.

    python -m launcher.run                               # servers, migrate, seeds, web + worker + beat
    python -m launcher.run --services-only               # servers only: print their exports
    python -m launcher.run --services-only -- CMD ...    # servers, then CMD with them (make test)

PostgreSQL and Redis come from launcher/services.py (DATABASE_URL / REDIS_URL, else the local
servers, else the embedded ones; NEWSROOM_EMBEDDED=1 forces the embedded ones). Every child gets
their URLs through DATABASE_URL and REDIS_URL. The web server listens on 127.0.0.1:$PORT (8000).

Once the system is up, a child that exits (a worker killed by the OOM killer, beat losing Redis)
is started again after a pause that doubles while it keeps dying (launcher/supervise.py), and the
output says so; the web server keeps answering meanwhile. A child that exits while the system is
still starting is an error to fix, reported with the end of its log.

The children run in sessions of their own, so Ctrl-C reaches only this process, which then stops
them in order (web, worker and beat, then the servers it started). If this process is killed
outright, the children die with it (PR_SET_PDEATHSIG), a guardian process stops the embedded
PostgreSQL, and the next run cleans up anything still left (services.clean_stale_owners).
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from launcher import services
from launcher.services import ROOT, ServiceError
from launcher.supervise import Supervised, Supervisor, log_tail

logger = logging.getLogger("launcher.run")

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
HEALTH_TIMEOUT = 120.0
LOG_DIR = services.DATA_DIR / "logs"
VENV_PYTHON = ".venv/bin/python"


def say(line: str) -> None:
    logger.info("%s", line)


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived: stop what was started and leave."""


class SignalGuard:
    """The first SIGINT, SIGTERM or SIGHUP raises Interrupted in the main thread; later ones only
    say so.

    While a command runs (``--services-only -- CMD``) nothing is raised: the terminal sends Ctrl-C
    to the command too, and SIGTERM or SIGHUP is passed on to it; we clean up once it has exited.
    """

    def __init__(self) -> None:
        self.stopping = False
        self.command: subprocess.Popen[bytes] | None = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal closed
            signal.signal(signum, self.handle)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.command is not None:
            if signum != signal.SIGINT and self.command.poll() is None:
                self.command.send_signal(signum)
            return
        if self.stopping:
            logger.info("Still stopping; this takes a few seconds.")
            return
        self.stopping = True
        raise Interrupted(signum)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path


def read_port(environ: Mapping[str, str]) -> int:
    raw = environ.get("PORT", str(DEFAULT_PORT))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ServiceError(f"PORT must be a port number, not {raw!r}", "run e.g. PORT=8001 make run")
    return int(raw)


def child_env(svc: services.Services, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of every child: our servers' URLs and production-like defaults."""
    env = dict(environ)
    env.update(svc.env())
    env.setdefault("NEWSROOM_DEV", "true")
    env.setdefault("DEBUG", "false")
    # One directory for the counts of every web and worker process (newsroom.metrics), and
    # /metrics open to this machine's own scrapers.
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(services.DATA_DIR / "metrics"))
    env.setdefault("NEWSROOM_METRICS_ALLOW_IPS", "127.0.0.1,::1")
    env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def prepare_metrics_dir(path: Path) -> None:
    """Empty (or make) the metrics directory the web and worker processes share (newsroom.metrics)
    before they start: files left by an earlier run would add its counts to this one's."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def run_step(title: str, args: list[str], env: Mapping[str, str]) -> None:
    """One ``manage.py`` step; its output goes to .data/logs/setup.log and is shown on failure."""
    logger.info("%s ...", title)
    log_path = LOG_DIR / "setup.log"
    with open(log_path, "ab") as log:
        log.write(f"\n=== {' '.join(args)}\n".encode())
        log.flush()
        result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise ServiceError(f"{title} failed (exit {result.returncode}); the end of {log_path}:\n{log_tail(log_path)}",
                           f"fix the error above, then run make run again (the full log: {log_path})")


@dataclass(frozen=True)
class ChildSpec:
    """A process make run keeps up: its name (and log), a word of its command line, its arguments."""

    name: str
    marker: str
    args: list[str]


def child_specs(port: int) -> list[ChildSpec]:
    """What make run starts and supervises once the servers are up: the web server, a worker for
    the passes and story refreshes (two processes, one per core here), a worker of one process for
    the maintenance queue (the sweep, retention, feeds), so that recovery never waits behind a
    backlog of articles, and beat. The queues: newsroom/settings.py, NEWSROOM_QUEUES."""
    return [
        ChildSpec("web", "gunicorn", [
            "-m", "gunicorn", "newsroom.wsgi:application", "--workers", "3", "--bind", f"{HOST}:{port}",
            "--access-logfile", "-", "--error-logfile", "-", "--graceful-timeout", "10"]),
        ChildSpec("worker", "celery", [
            "-m", "celery", "-A", "newsroom", "worker", "-Q", "passes,refresh", "-c", "2", "-l", "info",
            "-n", f"newsroom-run-{os.getpid()}@%h"]),
        ChildSpec("maintenance", "celery", [
            "-m", "celery", "-A", "newsroom", "worker", "-Q", "maintenance", "-c", "1", "-l", "info",
            "-n", f"newsroom-run-{os.getpid()}-maintenance@%h"]),
        ChildSpec("beat", "celery", [
            "-m", "celery", "-A", "newsroom", "beat", "-l", "info",
            "-s", str(services.DATA_DIR / "celerybeat-schedule")]),
    ]


def start_child(svc: services.Services, name: str, marker: str, args: list[str],
                env: Mapping[str, str], restart: bool = False) -> Child:
    log_path = LOG_DIR / f"{name}.log"
    with open(log_path, "ab" if restart else "wb") as log:
        if restart:
            log.write(f"\n=== {time.strftime('%H:%M:%S')} restarted by make run ===\n".encode())
            log.flush()
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=services.die_with_parent_hook(),  # noqa: PLW1509 - no threads here
        )
    svc.processes.append(process)
    svc.record({"kind": "child", "name": name, "pid": process.pid, "marker": marker})
    return Child(name, process, log_path)


def check_children(children: list[Supervised]) -> None:
    """While the system starts: a process that exits means something to fix, not to restart."""
    for child in children:
        code = child.process.poll()
        if code is not None and child.log_path is not None:
            raise ServiceError(f"the {child.name} process exited (code {code}); the end of {child.log_path}:\n"
                               f"{log_tail(child.log_path)}",
                               f"fix the error above and run make run again (the full log: {child.log_path})")


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - our own loopback URL
            return int(response.status)
    except urllib.error.HTTPError as ex:
        return int(ex.code)
    except (urllib.error.URLError, OSError):
        return None


def wait_healthy(base_url: str, children: list[Supervised]) -> None:
    """Until /healthz answers 200; raises ServiceError if a child dies or it takes too long."""
    deadline = time.monotonic() + HEALTH_TIMEOUT
    status = None
    while time.monotonic() < deadline:
        check_children(children)
        status = http_status(base_url + "healthz")
        if status == 200:
            return
        time.sleep(0.25)
    hint = "ALLOWED_HOSTS must include 127.0.0.1" if status == 400 else "see the logs in .data/logs/"
    raise ServiceError(f"{base_url}healthz did not answer 200 within {HEALTH_TIMEOUT:.0f} s "
                       f"(last answer: {status or 'none'})", hint)


def run_system(svc: services.Services, port: int, started_at: float) -> None:
    env = child_env(svc, os.environ)
    # Before the first manage.py step: every process of this run, migrate included, counts into it.
    prepare_metrics_dir(Path(env["PROMETHEUS_MULTIPROC_DIR"]))
    run_step("Applying migrations", ["manage.py", "migrate", "--noinput"], env)
    run_step("Loading the seeds (gazetteer, house style, seed articles)", ["manage.py", "load_seeds"], env)
    run_step("Collecting static files", ["manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    if services.port_in_use(HOST, port):
        raise port_taken(port)
    logger.info("Starting the web server (gunicorn, 3 workers), the Celery workers (passes and refresh; "
                "maintenance) and Celery beat ...")
    supervisor = Supervisor(say)
    for spec in child_specs(port):
        def start(restart: bool, spec: ChildSpec = spec) -> subprocess.Popen[bytes]:
            return start_child(svc, spec.name, spec.marker, spec.args, env, restart=restart).process
        supervisor.add(spec.name, start, LOG_DIR / f"{spec.name}.log")
    children = supervisor.children
    base_url = f"http://{HOST}:{port}/"
    logger.info("Waiting for %shealthz ...", base_url)
    wait_healthy(base_url, children)
    print(
        f"\nnewsroom is up ({time.monotonic() - started_at:.1f} s):\n"
        f"  Web:          {base_url}   (admin: {base_url}admin/)\n"
        f"  API docs:     {base_url}api/docs/\n"
        f"  API token:    {VENV_PYTHON} manage.py create_api_token NAME   (the key is the last line;\n"
        "                add --user USERNAME to read every article, the seeds included)\n"
        f"  Editor login: {VENV_PYTHON} manage.py createsuperuser\n"
        f"  PostgreSQL:   {services.mask_url(svc.database_url)}\n"
        f"  Redis:        {svc.redis_url}\n"
        f"  Logs:         .data/logs/ (web.log, worker.log, maintenance.log, beat.log, setup.log)\n"
        "A process that exits is started again (its log says why); the web server stays up meanwhile.\n"
        "Press Ctrl-C to stop newsroom and everything make run started.\n",
        flush=True,
    )
    while True:
        supervisor.poll()
        time.sleep(0.5)


def port_taken(port: int) -> ServiceError:
    return ServiceError(f"port {port} on {HOST} is already in use (another dev server?)",
                        f"stop what listens there, or pick another port: PORT={port + 1} make run")


def run_command(guard: SignalGuard, svc: services.Services, command: list[str]) -> int:
    env = dict(os.environ)
    env.update(svc.env())
    try:
        guard.command = subprocess.Popen(command, env=env)
    except OSError as ex:
        raise ServiceError(f"cannot run {command[0]!r}: {ex}", "check the command") from ex
    return guard.command.wait()


def hold_services(svc: services.Services) -> None:
    for name, value in svc.env().items():
        print(f"export {name}={shlex.quote(value)}", flush=True)
    if not svc.started:
        return
    logger.info("Holding the servers started above; Ctrl-C stops them.")
    while True:
        time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher.run", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services-only", action="store_true",
                        help="only make PostgreSQL and Redis reachable (and run COMMAND with them)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ... (with --services-only)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if command and not args.services_only:
        parser.error("a COMMAND needs --services-only")

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsroom: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    guard = SignalGuard()
    guard.install()
    started_at = time.monotonic()
    svc: services.Services | None = None
    code = 0
    try:
        port = DEFAULT_PORT if args.services_only else read_port(os.environ)
        services.clean_stale_owners(services.DATA_DIR, say)  # a killed run's web server holds the port
        if not args.services_only and services.port_in_use(HOST, port):
            raise port_taken(port)
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        services.start_guardian(services.DATA_DIR)
        svc = services.ensure_services(mode="services" if args.services_only else "run",
                                       environ=os.environ, say=say)
        for note in svc.notes:
            logger.info("Note: %s", note)
        if command:
            code = run_command(guard, svc, command)
        elif args.services_only:
            hold_services(svc)
        else:
            run_system(svc, port, started_at)
    except Interrupted:
        logger.info("Stopping ...")
    except ServiceError as ex:
        logger.error("error: %s", ex)
        if ex.fix:
            logger.error("  fix: %s", ex.fix)
        code = 1
    finally:
        guard.command = None
        guard.stopping = True  # from here on a signal only says "still stopping"
        if svc is not None:
            svc.stop(say)
    if svc is not None and not command and not args.services_only:
        logger.info("Stopped.")
    return code


if __name__ == "__main__":
    sys.exit(main())
