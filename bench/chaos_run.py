"""Chaos run: faults under a flow of articles, on servers of its own; prints JSON, exits 0 when every check passes.

    .venv/bin/python bench/chaos_run.py            # 240 articles, every fault (about 5-8 minutes)
    .venv/bin/python bench/chaos_run.py --quick    # 60 articles, shorter outages (the suite's variant)
    .venv/bin/python bench/chaos_run.py --keep     # keep the data and logs folder afterwards

Everything runs on 127.0.0.1, on ports chosen free at run time, in a temporary folder: its own
PostgreSQL cluster (initdb; as root the cluster belongs to the ``postgres`` OS user, or
``--pg-user``), its own redis-server without persistence, gunicorn (3 sync workers), a Celery worker
(-c 2) and Celery beat with production settings, migrated and seeded as ``make run`` does. Nothing
outside that folder is touched, and everything started here is stopped on exit (children die with
this process if it is killed).

While clients post articles (single POSTs and batches, every request with an Idempotency-Key and
retried with the same key on a 5xx, a 429, a timeout or a reset, honouring Retry-After; some
requests replayed on purpose, some re-sent without a key), the run:

1. SIGKILLs the worker's pool children while they run jobs (RELIABILITY.md E1);
2. stops Redis for 15 s during ingest (E4), restarting it empty;
3. SIGKILLs the whole worker (main process and children) and restarts it after 10 s (E2);
4. stops PostgreSQL for a few seconds and starts it again (E6), probing the API meanwhile;
5. terminates every backend of the database once (pg_terminate_backend);
6. stops Redis for 15 s again once ingest is over, while the backlog is processed (E5);

then waits for the pipeline to settle and checks: every article sent is stored once under its
natural key, and is in review or failed with a reason (never stuck); no 5xx other than 503, and
every 503 carried Retry-After; ingest answered within 2 s while Redis was down, and the API within
5 s while PostgreSQL was down; /healthz named what was down and recovered; the jobs of the killed
worker finished within the lease plus 60 s; replays answered the same; and ``manage.py reconcile``
(one pass run per revision, pass and version; no suggestion twice; no job past its lease; one
ingest audit row per article; ...) exits 0. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launcher.private import PrivatePostgres, PrivateRedis, postgres_os_user, spawn, stop_child  # noqa: E402
from launcher.services import free_port, wait_until  # noqa: E402

PYTHON = sys.executable
HOST = "127.0.0.1"
DATABASE = "newsroom_chaos"
LEASE_S = 15  # NEWSROOM_JOB_LEASE_SECONDS, the default
OUTLETS = 6


def say(message: str) -> None:
    print(f"chaos_run: {message}", file=sys.stderr, flush=True)


class Stop(Exception):
    """SIGTERM or SIGHUP: leave through the clean-up."""


# --- processes ----------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry))
    return found


class Fleet:
    """gunicorn, the Celery worker and beat, as ``make run`` starts them."""

    def __init__(self, env: dict[str, str], logs: Path, port: int) -> None:
        self.env = env
        self.logs = logs
        self.port = port
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.unexpected_exits: list[dict[str, Any]] = []
        self.expected_dead: set[str] = set()

    def commands(self, name: str) -> list[str]:
        return {
            "web": [PYTHON, "-m", "gunicorn", "newsroom.wsgi:application", "--workers", "3",
                    "--bind", f"{HOST}:{self.port}", "--timeout", "60", "--graceful-timeout", "10",
                    "--access-logfile", str(self.logs / "access.log"),
                    "--access-logformat", '%(s)s %(m)s "%(U)s" %(L)s', "--error-logfile", "-"],
            "worker": [PYTHON, "-m", "celery", "-A", "newsroom", "worker", "-c", "2", "-l", "info",
                       "-n", f"chaos-{os.getpid()}@%h"],
            "beat": [PYTHON, "-m", "celery", "-A", "newsroom", "beat", "-l", "info",
                     "-s", str(self.logs / "celerybeat-schedule")],
        }[name]

    def start(self, name: str) -> None:
        self.procs[name] = spawn(self.commands(name), self.logs / f"{name}.log", self.env)
        self.expected_dead.discard(name)

    def check(self) -> None:
        """Restart whatever died that we did not kill, and remember it (a finding of the run)."""
        for name, process in list(self.procs.items()):
            if process.poll() is not None and name not in self.expected_dead:
                say(f"{name} exited by itself (code {process.returncode}); restarting it")
                self.unexpected_exits.append({"process": name, "code": process.returncode, "t": time.time()})
                self.start(name)

    def worker_children(self) -> list[int]:
        return children_of(self.procs["worker"].pid)

    def kill_worker(self) -> None:
        self.expected_dead.add("worker")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs["worker"].pid, signal.SIGKILL)  # the main process and its pool children
        self.procs["worker"].wait(10)

    def stop_all(self) -> None:
        for name in ("web", "beat", "worker"):
            self.expected_dead.add(name)
            stop_child(self.procs.pop(name, None))


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timeout)
    body: Any
    headers: dict[str, str]
    ms: float


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 10,
         opener: urllib.request.OpenerDirector | None = None) -> Answer:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.perf_counter()
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            status, raw, got = int(response.status), response.read(), dict(response.headers)
    except urllib.error.HTTPError as ex:
        status, raw, got = int(ex.code), ex.read(), dict(ex.headers)
    except (urllib.error.URLError, OSError):
        return Answer(0, None, {}, (time.perf_counter() - started) * 1000)
    ms = (time.perf_counter() - started) * 1000
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw[:300].decode(errors="replace")
    return Answer(status, body, got, ms)


@dataclass
class Attempt:
    t: float
    what: str
    status: int
    ms: float
    retry_after: bool
    replayed: bool = False


class Recorder:
    """Every request the run made, thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.attempts: list[Attempt] = []

    def add(self, what: str, answer: Answer, started: float) -> None:
        with self.lock:
            self.attempts.append(Attempt(started, what, answer.status, round(answer.ms, 1),
                                         "Retry-After" in answer.headers,
                                         answer.headers.get("Idempotent-Replayed") == "true"))


RETRYABLE = {0, 429, 500, 502, 503, 504}


class Client:
    def __init__(self, base: str, token: str, recorder: Recorder, give_up_s: float) -> None:
        self.base = base
        self.token = token
        self.recorder = recorder
        self.give_up_s = give_up_s

    def post(self, path: str, payload: dict[str, Any], what: str, key: str | None) -> Answer:
        """POST until answered with something other than a retryable failure, with the same key."""
        headers = {"Content-Type": "application/json", "Authorization": f"Token {self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        data = json.dumps(payload).encode()
        deadline = time.monotonic() + self.give_up_s
        delay = 0.5
        while True:
            started = time.time()
            answer = http(self.base + path, data, headers)
            self.recorder.add(what, answer, started)
            if answer.status not in RETRYABLE or time.monotonic() > deadline:
                return answer
            wait = delay
            with contextlib.suppress(ValueError, KeyError):
                wait = max(0.2, min(float(answer.headers["Retry-After"]), 10.0))
            time.sleep(wait * random.uniform(0.8, 1.2))
            delay = min(delay * 2, 4.0)

    def get(self, path: str, what: str) -> Answer:
        started = time.time()
        answer = http(self.base + path, headers={"Authorization": f"Token {self.token}"})
        self.recorder.add(what, answer, started)
        return answer


# --- the flow of articles ---------------------------------------------------------------------------


def paragraphs() -> list[str]:
    found = []
    for path in sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt")):
        found += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 80]
    return found


def slip(text: str, rng: random.Random) -> str:
    """Swap two letters of one longer word (a typing slip the passes may catch)."""
    words = [m for m in re.finditer(r"[a-z]{6,}", text)]
    if not words:
        return text
    m = rng.choice(words)
    k = rng.randrange(1, len(m.group()) - 2)
    word = m.group()
    return text[: m.start()] + word[:k] + word[k + 1] + word[k] + word[k + 2:] + text[m.end():]


def make_articles(count: int, run: str, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    pool = paragraphs()
    articles = []
    for n in range(count):
        outlet = f"chaos-wire-{n % OUTLETS}"
        body = "\n\n".join(rng.sample(pool, 2)) + f"\n\nDispatch {n} from the {outlet} desk."
        for _ in range(2):
            body = slip(body, rng)
        articles.append({"source": outlet, "external_id": f"{run}-{n}", "title": f"Dispatch {n}: " + body[:60],
                         "body": body})
    return articles


@dataclass
class Sent:
    """What the clients know about each article: its id, and how its last answer looked."""

    ids: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # natural key -> last non-2xx status (given up)
    replays_sent: int = 0
    replay_mismatches: list[str] = field(default_factory=list)
    resent_without_key: int = 0
    resend_mismatches: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def natural_key(article: dict[str, str]) -> str:
    return f"{article['source']}/{article['external_id']}"


class Flow:
    """Clients posting ``articles`` over ``seconds``: singles from three threads, batches from one."""

    def __init__(self, client: Client, articles: list[dict[str, str]], batch_share: float, batch_size: int,
                 seconds: float, seed: int) -> None:
        self.client = client
        self.rng = random.Random(seed)
        cut = int(len(articles) * (1 - batch_share))
        self.units: list[list[dict[str, str]]] = [[a] for a in articles[:cut]]
        self.units += [articles[i:i + batch_size] for i in range(cut, len(articles), batch_size)]
        self.rng.shuffle(self.units)
        self.interval = seconds / max(len(self.units), 1)
        self.sent = Sent()
        self.next = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.work, name=f"flow-{i}", daemon=True) for i in range(4)]
        self.started = 0.0
        self.done = threading.Event()
        self.sent_count = 0

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()
        self.done.set()

    def progress(self) -> float:
        return self.sent_count / max(sum(len(u) for u in self.units), 1)

    def work(self) -> None:
        while True:
            with self.lock:
                if self.next >= len(self.units):
                    return
                index = self.next
                self.next += 1
            due = self.started + index * self.interval
            time.sleep(max(0.0, due - time.monotonic()))
            unit = self.units[index]
            if len(unit) == 1:
                self.single(unit[0])
            else:
                self.batch(unit)
            with self.lock:
                self.sent_count += len(unit)

    def single(self, article: dict[str, str]) -> None:
        key = f"chaos-{uuid.uuid4().hex}"
        answer = self.client.post("/api/v1/articles/", article, "ingest_single", key)
        name = natural_key(article)
        if answer.status not in (200, 201) or not isinstance(answer.body, dict):
            with self.sent.lock:
                self.sent.refused[name] = answer.status
            return
        with self.sent.lock:
            self.sent.ids[name] = int(answer.body["id"])
        roll = self.rng.random()
        if roll < 0.1:  # the client lost the answer and replays the request (D6)
            again = self.client.post("/api/v1/articles/", article, "replay", key)
            with self.sent.lock:
                self.sent.replays_sent += 1
                if again.status != answer.status or again.body != answer.body \
                        or again.headers.get("Idempotent-Replayed") != "true":
                    self.sent.replay_mismatches.append(name)
        elif roll < 0.15:  # ... or re-sends it without a key (D7)
            again = self.client.post("/api/v1/articles/", article, "resend_without_key", None)
            with self.sent.lock:
                self.sent.resent_without_key += 1
                if again.status != 200 or not isinstance(again.body, dict) or again.body.get("id") != answer.body["id"]:
                    self.sent.resend_mismatches.append(name)

    def batch(self, articles: list[dict[str, str]]) -> None:
        answer = self.client.post("/api/v1/articles/batch/", {"articles": articles}, "ingest_batch",
                                  f"chaos-{uuid.uuid4().hex}")
        results = answer.body.get("results") if isinstance(answer.body, dict) else None
        with self.sent.lock:
            for index, article in enumerate(articles):
                name = natural_key(article)
                item = results[index] if results and index < len(results) else None
                if answer.status in (200, 207) and item and "id" in item:
                    self.sent.ids[name] = int(item["id"])
                else:
                    self.sent.refused[name] = answer.status


# --- watching ---------------------------------------------------------------------------------------


class DeskSession:
    """An editor logged in to the desk through the login form (cookies kept)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.username = username
        self.password = password

    def login(self) -> bool:
        http(self.base + "/accounts/login/", opener=self.opener)
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        form = urllib.parse.urlencode({"username": self.username, "password": self.password,
                                       "csrfmiddlewaretoken": token}).encode()
        answer = http(self.base + "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                             "Referer": self.base + "/accounts/login/"},
                      opener=self.opener)
        return answer.status == 200 and any(c.name == "sessionid" for c in self.jar)

    def get(self, path: str) -> Answer:
        return http(self.base + path, opener=self.opener)


class Watcher(threading.Thread):
    """Polls /healthz (and, during outages, the API) twice a second."""

    def __init__(self, client: Client, desk: DeskSession) -> None:
        super().__init__(name="watcher", daemon=True)
        self.client = client
        self.desk = desk
        self.stopping = threading.Event()
        self.health: list[tuple[float, int, dict[str, str]]] = []
        self.probing = threading.Event()
        self.probe_article: int | None = None

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            started = time.time()
            answer = http(self.client.base + "/healthz", timeout=5)
            checks = answer.body.get("checks", {}) if isinstance(answer.body, dict) else {}
            self.health.append((started, answer.status, checks))
            if self.probing.is_set():
                self.probe()

    def probe(self) -> None:
        self.client.get("/api/v1/articles/?page_size=5", "probe_list")
        self.client.get("/api/v1/published/", "probe_feed")
        if self.probe_article is not None:
            self.client.get(f"/api/v1/articles/{self.probe_article}/", "probe_detail")
            self.client.get(f"/api/v1/articles/{self.probe_article}/suggestions/", "probe_suggestions")
        pages = [("probe_login_page", "/accounts/login/"), ("probe_desk_queue", "/")]
        if self.probe_article is not None:
            pages.append(("probe_desk_review", f"/articles/{self.probe_article}/"))
        for what, path in pages:
            started = time.time()
            answer = self.desk.get(path) if what.startswith("probe_desk") else http(self.client.base + path)
            self.client.recorder.add(what, answer, started)

    def stop(self) -> None:
        self.stopping.set()
        self.join(5)


@dataclass
class Outage:
    what: str
    started: float
    ended: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def outage(log: list[Outage], what: str, watcher: Watcher) -> Iterator[Outage]:
    record = Outage(what, time.time())
    log.append(record)
    watcher.probing.set()
    say(f"fault: {what}")
    try:
        yield record
    finally:
        record.ended = time.time()
        watcher.probing.clear()


# --- the run -------------------------------------------------------------------------------------------


def manage(args: list[str], env: dict[str, str], logs: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=False)
    with open(logs / "setup.log", "a") as log:
        log.write(f"\n=== manage.py {' '.join(args)} (exit {result.returncode})\n{result.stdout}{result.stderr}")
    if check and result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-1500:]}")
    return result


def child_env(pg: PrivatePostgres, redis_server: PrivateRedis, base: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NEWSROOM_", "CELERY_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "newsroom.settings", "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": pg.url, "REDIS_URL": redis_server.url, "CACHE_KEY_PREFIX": "newsroom-chaos",
        "DEBUG": "false", "NEWSROOM_DEV": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost", "CSRF_TRUSTED_ORIGINS": base, "SECURE_COOKIES": "false",
        "NEWSROOM_API_RATE": "100000/min",
    })
    return env


def db_rows(url: str, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        return list(conn.execute(sql, params or []).fetchall())


def unfinished_jobs(url: str) -> int:
    try:
        return int(db_rows(url, "SELECT count(*) FROM corrections_pipelinejob WHERE state IN ('queued', 'running')")[0][0])
    except Exception:  # noqa: BLE001 - the database may be the fault of the moment
        return -1


def running_jobs(url: str) -> list[int]:
    return [row[0] for row in db_rows(url, "SELECT id FROM corrections_pipelinejob WHERE state = 'running'")]


def wait_for_running_job(url: str, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            found = running_jobs(url)
            if found:
                return found
        time.sleep(0.1)
    return []


class Run:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.logs = folder / "logs"
        self.logs.mkdir()
        self.pg = PrivatePostgres(folder, self.logs, postgres_os_user(args.pg_user), DATABASE)
        self.redis = PrivateRedis(self.logs)
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.env = child_env(self.pg, self.redis, self.base)
        self.fleet = Fleet(self.env, self.logs, self.port)
        self.recorder = Recorder()
        self.outages: list[Outage] = []
        self.faults: dict[str, Any] = {}
        self.started = time.time()
        self.editor_password = secrets.token_urlsafe(16)

    def pause(self, seconds: float) -> None:
        """Sleep, keeping the fleet alive (an unexpected death is restarted and recorded)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.fleet.check()
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def wait_progress(self, flow: Flow, fraction: float) -> None:
        while flow.progress() < fraction and not flow.done.is_set() and any(t.is_alive() for t in flow.threads):
            self.pause(0.2)

    def setup(self) -> str:
        say(f"folder {self.folder}; PostgreSQL on port {self.pg.port}, Redis on {self.redis.port}, web on {self.port}")
        self.pg.init()
        self.pg.start()
        self.pg.create_database()
        self.redis.start()
        say("migrating and loading the seeds ...")
        manage(["migrate", "--noinput"], self.env, self.logs)
        if not self.args.no_seeds:
            manage(["load_seeds"], self.env, self.logs)
        token = manage(["create_api_token", "chaos-client"], self.env, self.logs).stdout.strip().splitlines()[-1]
        manage(["shell", "-c", "from django.contrib.auth.models import Group, User; "
                f"u = User.objects.create_user('chaos-editor', password={self.editor_password!r}); "
                "u.groups.add(Group.objects.get(name='editor'))"], self.env, self.logs)
        say("starting gunicorn (3 workers), the Celery worker (-c 2) and beat ...")
        for name in ("web", "worker", "beat"):
            self.fleet.start(name)
        if not wait_until(lambda: http(self.base + "/healthz", timeout=3).status == 200, 120, 0.5):
            raise RuntimeError("/healthz did not answer 200 within 120 s; see the logs")
        if not wait_until(lambda: "ready." in (self.logs / "worker.log").read_text(errors="replace"), 120, 0.5):
            raise RuntimeError("the worker did not become ready within 120 s; see worker.log")
        return token.split()[-1]

    def kill_worker_children(self) -> None:
        """E1: SIGKILL the pool children while they run jobs; Celery forks new ones and re-queues the
        messages (reject_on_worker_lost). Waits (up to a minute) for those jobs to finish, so that
        the next fault does not blur what this one shows."""
        victims: list[int] = []
        running: list[int] = []
        killed_at = time.time()
        for _try in range(5):
            seen = wait_for_running_job(self.pg.url, 30)
            victims = self.fleet.worker_children()
            killed_at = time.time()
            for pid in victims:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            # The jobs the kill hit are those still running once the children are dead: a short job
            # seen running a moment before may have finished before the signal landed.
            running = [pk for pk in running_jobs(self.pg.url) if pk in seen]
            say(f"fault: SIGKILL the worker's pool children {victims} (jobs running: {seen}; hit: {running})")
            if running:
                break
            self.pause(3)  # the job finished first: let Celery fork new children, and try again
        self.faults["worker_children"] = {"killed_pids": victims, "at": killed_at, "jobs_running": running}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and job_finish(self.pg.url, running, killed_at)["all_done"] is False:
            self.pause(0.5)

    def stop_redis(self, seconds: float, what: str, watcher: Watcher) -> None:
        with outage(self.outages, what, watcher) as record:
            record.detail["backlog_at_start"] = unfinished_jobs(self.pg.url)
            self.redis.stop()
            self.pause(seconds)
            self.redis.start()  # empty: persistence off
            record.detail["backlog_at_end"] = unfinished_jobs(self.pg.url)

    def kill_worker(self, restart_after: float) -> None:
        running = wait_for_running_job(self.pg.url, 30)
        say(f"fault: SIGKILL the whole worker (jobs running: {running}); restart in {restart_after:.0f} s")
        killed_at = time.time()
        self.fleet.kill_worker()
        self.pause(restart_after)
        self.fleet.start("worker")
        self.faults["worker"] = {"at": killed_at, "restarted_at": time.time(), "jobs_running": running}

    def restart_postgres(self, seconds: float, watcher: Watcher) -> None:
        with outage(self.outages, "postgresql stopped and started", watcher) as record:
            self.pg.stop()
            record.detail["stopped_at"] = time.time()
            self.pause(seconds)
            self.pg.start()
            record.detail["started_at"] = time.time()

    def terminate_backends(self) -> None:
        count = self.pg.terminate_backends()
        say(f"fault: pg_terminate_backend on {count} backends")
        self.faults["terminate_backends"] = {"at": time.time(), "terminated": count}

    def execute(self) -> dict[str, Any]:
        args = self.args
        token = self.setup()
        client = Client(self.base, token, self.recorder, give_up_s=180)
        desk = DeskSession(self.base, "chaos-editor", self.editor_password)
        if not desk.login():
            raise RuntimeError("the editor could not log in to the desk; see web.log")
        watcher = Watcher(client, desk)
        watcher.start()
        articles = make_articles(args.articles, secrets.token_hex(3), args.seed)
        flow = Flow(client, articles, batch_share=0.4, batch_size=12, seconds=args.ingest_seconds, seed=args.seed)
        say(f"flow: {len(articles)} articles in {len(flow.units)} requests over {args.ingest_seconds:.0f} s")
        flow_started = time.time()
        flow.start()
        joiner = threading.Thread(target=flow.join, daemon=True)
        joiner.start()

        self.wait_progress(flow, 0.05)
        self.kill_worker_children()
        self.wait_progress(flow, 0.12)
        watcher.probe_article = next(iter(flow.sent.ids.values()), None)
        self.stop_redis(args.redis_outage, "redis stopped during ingest", watcher)
        self.wait_progress(flow, 0.35)
        self.kill_worker(args.worker_down)
        self.wait_progress(flow, 0.55)
        self.restart_postgres(args.postgres_down, watcher)
        self.wait_progress(flow, 0.75)
        self.terminate_backends()
        while joiner.is_alive():
            self.pause(0.5)
        flow_ended = time.time()
        say(f"flow done in {flow_ended - flow_started:.0f} s; {unfinished_jobs(self.pg.url)} jobs left")
        self.stop_redis(args.redis_outage, "redis stopped during processing", watcher)
        say("waiting for the pipeline to settle ...")
        settle_started = time.monotonic()
        while unfinished_jobs(self.pg.url) != 0 and time.monotonic() - settle_started < args.settle_timeout:
            self.pause(1)
        settled_s = time.monotonic() - settle_started
        left = unfinished_jobs(self.pg.url)
        self.pause(3)  # a last /healthz or two
        watcher.stop()
        return self.verify(flow, articles, flow_started, flow_ended, settled_s, left, watcher)

    # --- checks ---

    def verify(self, flow: Flow, articles: list[dict[str, str]], flow_started: float, flow_ended: float,
               settled_s: float, left: int, watcher: Watcher) -> dict[str, Any]:
        url = self.pg.url
        names = [natural_key(a) for a in articles]
        rows = db_rows(url, """
            SELECT s.slug || '/' || a.external_id, count(*), min(a.id), min(a.status), min(a.status_detail)
            FROM articles_article a JOIN articles_source s ON s.id = a.source_id
            WHERE s.slug LIKE 'chaos-wire-%%' GROUP BY 1""")
        stored = {name: (count, pk, status, detail) for name, count, pk, status, detail in rows}
        lost = [n for n in names if n not in stored]
        doubled = [n for n, (count, *_rest) in stored.items() if count > 1]
        statuses = Counter(stored[n][2] for n in names if n in stored)
        stuck = [n for n in names if n in stored and stored[n][2] not in ("in_review", "failed")]
        failed_silently = [n for n in names if n in stored and stored[n][2] == "failed" and not stored[n][3].strip()]
        wrong_id = [n for n, pk in flow.sent.ids.items() if n in stored and stored[n][1] != pk]

        attempts = self.recorder.attempts
        by_status = Counter(a.status for a in attempts)
        server_errors = [asdict(a) for a in attempts if a.status >= 500 and a.status != 503]
        no_retry_after = [asdict(a) for a in attempts if a.status == 503 and not a.retry_after]
        access_5xx = access_log_5xx(self.logs / "access.log")

        reconcile = manage(["reconcile", "--json", "--grace", "0"], self.env, self.logs, check=False)
        try:
            reconciled = json.loads(reconcile.stdout)
        except ValueError:
            reconciled = {"passed": False, "output": reconcile.stdout[-2000:] + reconcile.stderr[-2000:]}

        outages = [self.outage_report(o, watcher) for o in self.outages]
        worker = self.faults.get("worker", {})
        child = self.faults.get("worker_children", {})
        worker_jobs = job_finish(url, worker.get("jobs_running", []), worker.get("at"))
        child_jobs = job_finish(url, child.get("jobs_running", []), child.get("at"))
        final_health = watcher.health[-1][1] if watcher.health else None
        total_s = time.time() - self.started
        ingest_redis = next((o for o in outages if o["what"] == "redis stopped during ingest"), {})
        postgres = next((o for o in outages if o["what"].startswith("postgresql")), {})

        checks = {
            "every article stored (none lost)": check(len(lost) == 0, 0, len(lost), lost[:10]),
            "one article per natural key (none doubled)": check(len(doubled) == 0, 0, len(doubled), doubled[:10]),
            "every request answered in the end (none given up)": check(
                not flow.sent.refused, 0, len(flow.sent.refused), dict(list(flow.sent.refused.items())[:10])),
            "clients' ids match the stored articles": check(not wrong_id, 0, len(wrong_id), wrong_id[:10]),
            "every article in review or failed with a reason (none stuck)": check(
                not stuck and not failed_silently and left == 0, "0 stuck", {
                    "stuck": len(stuck), "failed_without_reason": len(failed_silently), "jobs_unfinished": left,
                    "statuses": dict(statuses)}, stuck[:10]),
            "no 5xx other than 503 (clients)": check(not server_errors, 0, len(server_errors), server_errors[:5]),
            "no 5xx other than 503 (gunicorn access log)": check(access_5xx == 0, 0, access_5xx),
            "every 503 carries Retry-After": check(not no_retry_after, 0, len(no_retry_after), no_retry_after[:5]),
            "replayed requests answered the same (Idempotency-Key)": check(
                not flow.sent.replay_mismatches, 0, len(flow.sent.replay_mismatches),
                {"replays": flow.sent.replays_sent}),
            "re-sent without a key: same article, 200": check(
                not flow.sent.resend_mismatches, 0, len(flow.sent.resend_mismatches),
                {"resent": flow.sent.resent_without_key}),
            "E4 single POSTs answer 2xx within 2 s while Redis is down": check(
                ingest_redis.get("ingest_max_ms") is not None and ingest_redis["ingest_max_ms"] < 2000
                and ingest_redis.get("ingest_non_2xx", 1) == 0 and ingest_redis.get("batch_non_2xx", 1) == 0,
                "< 2000 ms, all 2xx", {k: ingest_redis.get(k) for k in (
                    "ingest_requests", "ingest_max_ms", "ingest_non_2xx", "batch_requests", "batch_max_ms",
                    "batch_non_2xx")}),
            "E6 API answers (503) within 5 s while PostgreSQL is down": check(
                postgres.get("api_max_ms") is not None and postgres["api_max_ms"] < 5000
                and not postgres.get("api_other_than_503"), "< 5000 ms, 503 only",
                {k: postgres.get(k) for k in ("api_requests", "api_max_ms", "api_statuses", "api_other_than_503")}),
            "/healthz names what is down": check(
                all(o["health_named_it"] for o in outages), "every outage", {o["what"]: o["health_named_it"]
                                                                            for o in outages}),
            "/healthz recovers after each outage (s)": check(
                all(o["health_recovered_s"] is not None and o["health_recovered_s"] <= 30 for o in outages)
                and final_health == 200, "<= 30 s", {o["what"]: o["health_recovered_s"] for o in outages}),
            "E6 requests succeed again within 10 s of PostgreSQL being back": check(
                postgres.get("first_success_after_s") is not None and postgres["first_success_after_s"] <= 10,
                "<= 10 s", postgres.get("first_success_after_s")),
            f"E2 killed worker's jobs finish within the lease + 60 s ({LEASE_S + 60} s)": check(
                bool(worker_jobs["jobs"]) and worker_jobs["all_done"]
                and (worker_jobs["last_finished_after_s"] or 1e9) <= LEASE_S + 60,
                f"<= {LEASE_S + 60} s", worker_jobs),
            "E1 killed pool children's jobs are retried and finish": check(
                bool(child_jobs["jobs"]) and child_jobs["all_done"]
                and any(j["attempts"] >= 2 for j in child_jobs["jobs"]), "all done, retried (attempts 2)",
                child_jobs),
            "processes died only when killed (none exited by itself)": check(
                not self.fleet.unexpected_exits, 0, self.fleet.unexpected_exits),
            "manage.py reconcile exits 0": check(reconcile.returncode == 0, 0, reconcile.returncode,
                                                  failed_checks(reconciled)),
            "bounded time (s)": check(total_s <= self.args.time_limit, f"<= {self.args.time_limit}",
                                      round(total_s)),
        }
        return {
            "benchmark": "chaos_run",
            "passed": all(c["pass"] for c in checks.values()),
            "commit": git_head(),
            "setup": {"articles": len(articles), "requests_planned": len(flow.units),
                      "ingest_seconds": round(flow_ended - flow_started, 1), "settle_s": round(settled_s, 1),
                      "total_s": round(total_s, 1), "quick": self.args.quick, "cores": os.cpu_count(),
                      "loadavg_at_start": self.args.loadavg_at_start, "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
                      "postgres_port": self.pg.port, "redis_port": self.redis.port, "web_port": self.port,
                      "folder": str(self.folder)},
            "requests": {"total": len(attempts), "by_status": {str(k): v for k, v in sorted(by_status.items())},
                         "by_kind": dict(Counter(a.what for a in attempts)),
                         "latency_ms": latencies(attempts),
                         "5xx_other_than_503": len(server_errors), "503": by_status.get(503, 0),
                         "no_answer": by_status.get(0, 0)},
            "articles": {"sent": len(articles), "stored": sum(1 for n in names if n in stored), "lost": len(lost),
                         "doubled": len(doubled), "statuses": dict(statuses)},
            "faults": self.faults,
            "outages": outages,
            "reconcile": reconciled,
            "checks": checks,
        }

    def outage_report(self, o: Outage, watcher: Watcher) -> dict[str, Any]:
        during = [a for a in self.recorder.attempts if o.started <= a.t <= o.ended]
        ingest = [a for a in during if a.what == "ingest_single"]
        batches = [a for a in during if a.what == "ingest_batch"]
        api = [a for a in during if a.what.startswith(("ingest_", "probe_", "replay", "resend"))]
        desk = [a for a in during if a.what.startswith("probe_desk")]
        component = "redis" if o.what.startswith("redis") else "postgresql"
        health = [(t, status, checks) for t, status, checks in watcher.health if o.started <= t <= o.ended]
        named = any(status == 503 and "failed" in str(checks.get(component, "")) for _, status, checks in health)
        after = [(t, status) for t, status, _ in watcher.health if t > o.ended]
        recovered = next((t for t, status in after if status == 200), None)
        first_success = next((a.t for a in sorted(self.recorder.attempts, key=lambda a: a.t)
                              if a.t > o.ended and 200 <= a.status < 300 and a.what.startswith(("ingest_", "probe_"))),
                             None)
        statuses = Counter(a.status for a in api)
        return {
            "what": o.what, "seconds": round(o.ended - o.started, 1), **o.detail,
            "ingest_requests": len(ingest), "ingest_max_ms": max((a.ms for a in ingest), default=None),
            "ingest_non_2xx": sum(1 for a in ingest if not 200 <= a.status < 300),
            "batch_requests": len(batches), "batch_max_ms": max((a.ms for a in batches), default=None),
            "batch_non_2xx": sum(1 for a in batches if not 200 <= a.status < 300),
            "api_requests": len(api), "api_max_ms": max((a.ms for a in api), default=None),
            "api_statuses": {str(k): v for k, v in sorted(statuses.items())},
            "api_other_than_503": sum(n for s, n in statuses.items() if s != 503 and not 200 <= s < 400)
            if component == "postgresql" else None,
            "desk_statuses": dict(Counter(str(a.status) for a in desk)),
            "health_samples": len(health), "health_named_it": named,
            "health_recovered_s": round(recovered - o.ended, 1) if recovered else None,
            "first_success_after_s": round(first_success - o.ended, 1) if first_success else None,
        }


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, int(-(-len(ordered) * q // 100))) - 1], 1)


def latencies(attempts: list[Attempt]) -> dict[str, dict[str, float | None]]:
    """p50, p95 and max per kind of request, over the answered ones."""
    kinds = sorted({a.what for a in attempts})
    out = {}
    for kind in kinds:
        times = [a.ms for a in attempts if a.what == kind and a.status]
        out[kind] = {"p50": percentile(times, 50), "p95": percentile(times, 95), "max": max(times, default=None)}
    return out


def check(passed: bool, target: Any, measured: Any, detail: Any = None) -> dict[str, Any]:
    row = {"pass": bool(passed), "target": target, "measured": measured}
    if detail:
        row["detail"] = detail
    return row


def failed_checks(reconciled: dict[str, Any]) -> dict[str, Any]:
    return {name: c for name, c in reconciled.get("checks", {}).items() if not c.get("passed")}


def job_finish(url: str, job_ids: list[int], since: float | None) -> dict[str, Any]:
    """States, attempts and finish times (seconds after ``since``) of the jobs a fault hit."""
    if not job_ids or since is None:
        return {"jobs": [], "all_done": False, "last_finished_after_s": None}
    rows = db_rows(url, "SELECT id, state, attempts, extract(epoch FROM finished_at) FROM corrections_pipelinejob "
                        "WHERE id = ANY(%s) ORDER BY id", [job_ids])
    jobs = [{"id": pk, "state": state, "attempts": attempts,
             "finished_after_s": round(float(finished) - since, 1) if finished is not None else None}
            for pk, state, attempts, finished in rows]
    finished = [j["finished_after_s"] for j in jobs if j["finished_after_s"] is not None]
    return {"jobs": jobs, "all_done": all(j["state"] == "done" for j in jobs),
            "last_finished_after_s": max(finished) if len(finished) == len(jobs) else None}


def access_log_5xx(path: Path) -> int:
    if not path.exists():
        return 0
    count = 0
    for line in path.read_text(errors="replace").splitlines():
        status = line.split(" ", 1)[0]
        if status.isdigit() and int(status) >= 500 and int(status) != 503:
            count += 1
    return count


def git_head() -> str | None:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    return result.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="60 articles over 35 s, 5 s outages, no seed gazetteer: the suite's variant")
    parser.add_argument("--articles", type=int, help="articles to send (default 240; --quick 60)")
    parser.add_argument("--ingest-seconds", type=float, help="spread the flow over this long (default 100; --quick 35)")
    parser.add_argument("--redis-outage", type=float, help="seconds Redis is down each time (default 15; --quick 5)")
    parser.add_argument("--postgres-down", type=float, help="seconds PostgreSQL is down (default 5; --quick 3)")
    parser.add_argument("--worker-down", type=float, help="seconds before the killed worker restarts (default 10; --quick 5)")
    parser.add_argument("--no-seeds", action="store_true", help="skip load_seeds (gazetteer, style, seed articles)")
    parser.add_argument("--settle-timeout", type=float, default=300.0, help="seconds to wait for the backlog")
    parser.add_argument("--time-limit", type=float, default=600.0, help="the run must take no longer (s)")
    parser.add_argument("--pg-user", help="OS user owning the PostgreSQL cluster when run as root (postgres)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the folder (data and logs) afterwards")
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    quick = args.quick
    args.articles = args.articles or (60 if quick else 240)
    args.ingest_seconds = args.ingest_seconds or (35.0 if quick else 100.0)
    args.redis_outage = args.redis_outage or (5.0 if quick else 15.0)
    args.postgres_down = args.postgres_down or (3.0 if quick else 5.0)
    args.worker_down = args.worker_down or (5.0 if quick else 10.0)
    args.no_seeds = args.no_seeds or quick
    args.loadavg_at_start = [round(x, 2) for x in os.getloadavg()]

    def stop(signum: int, frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    folder = Path(tempfile.mkdtemp(prefix="newsroom-chaos-"))
    folder.chmod(0o755)  # the PostgreSQL OS user must reach its data folder inside
    run: Run | None = None
    report: dict[str, Any] | None = None
    code = 1
    try:
        run = Run(args, folder)
        report = run.execute()
        code = 0 if report["passed"] else 1
    except (KeyboardInterrupt, Stop) as ex:
        say(f"interrupted ({str(ex) or 'SIGINT'}); stopping everything started here")
        code = 130
    except Exception as ex:  # noqa: BLE001 - report, then clean up
        say(f"error: {type(ex).__name__}: {ex}")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if run is not None:
            run.fleet.stop_all()
            run.redis.stop()
            run.pg.stop()
        if args.keep or code != 0:
            say(f"kept {folder} (logs in {folder / 'logs'})")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if report is not None:
        text = json.dumps(report, indent=2, default=str)
        print(text)
        if args.output is not None:
            args.output.write_text(text)
        failed = [name for name, c in report["checks"].items() if not c["pass"]]
        say("passed" if not failed else f"FAILED: {'; '.join(failed)}")
    return code


if __name__ == "__main__":
    sys.exit(main())
