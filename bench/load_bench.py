"""Load held on this machine (RELIABILITY.md F1, F2, optionally F3): prints JSON.

    .venv/bin/python bench/load_bench.py [--duration 120] [--keep] [--soak]
    .venv/bin/python bench/load_bench.py --duration 600          # the full F1/F2 run
    .venv/bin/python bench/load_bench.py --soak                  # F3: 30 min, 60 s at 3x, recovery
    .venv/bin/python bench/load_bench.py --duration 3600 --single-rps 0.2 --single-users 3 \
        --batch-rps 0.01 --batch-size 5 --editors 4 --over-rate-factor 0 --drain-timeout 900
                                                                 # the one-hour soak at a steady moderate rate

Builds a whole system of its own: a scratch database (``<name>_load`` next to the configured one,
dropped at the end unless --keep) and Redis database 12 (flushed before and after), migrated and
seeded (``manage.py migrate``, ``manage.py load_seeds``), API tokens, editor users with logged-in
sessions, and for the editors pools of ~2,000-word articles with 50 pending suggestions each. It
starts gunicorn (4 sync workers) on a free port from 8030 with production settings (DEBUG off,
NEWSROOM_DEV off, a random SECRET_KEY), a Celery worker (-c 2) and Celery beat, as ``make run``
does, then drives them with Locust, headless (bench/locustfile.py, run as a subprocess):

- F1: 40 req/s of single-article POSTs (~5 KB, every one a new article with some realistic
  damage) and 2 req/s of 50-article batches, spread over several API tokens that each stay under
  NEWSROOM_API_RATE (600/min here). A client over its rate must get 429 and never 5xx: one client
  sends its whole rate and more just before the load (the throttle probe), and one asks at twice
  its rate throughout it;
- F2 at the same time: 20 editors (two per article pool) each opening the review page of their
  article and accepting or rejecting one pending suggestion every 5 s, as the desk's htmx form does.

It measures p50/p95/p99 per request type, 5xx and 429 counts, CPU used by each part, the time for
the pipeline job backlog (PipelineJob rows queued or running) to drain to zero after the load
stops (given up after --drain-timeout, with the rate and an estimate), and re-checks the lost-update
invariants (D1-D3) afterwards: every decision an editor got a 2xx for is in the database as
decided, by that editor; no suggestion was decided twice (responses, rows and audit events); each
article's final text is its first revision with exactly the accepted suggestions applied.

Before the load it times 20 single POSTs and 3 batches one at a time on the idle system
(``idle_baseline``). Locust's users are closed-loop (each waits for its answer), so a server slower
than the pacing lowers the offered rate: the achieved rates are reported and checked ("load held").
Requests still waiting when the load stops count with the time they had waited (status
``cut_off``, a lower bound); a client gives up after 120 s (status 0, a failure).

The JSON puts RELIABILITY.md's targets next to the measured figures, with a pass/fail for each.
Progress goes to stderr; the logs of gunicorn, the worker, beat and Locust are kept in a folder
named there. Everything started here is stopped on exit, also on Ctrl-C and on errors.

Session cookies are not marked Secure (SECURE_COOKIES=false): the load runs over plain HTTP on
loopback, where a browser or client would never send a Secure cookie back.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
HOST = "127.0.0.1"
REDIS_DB = 12
SCRATCH_SUFFIX = "_load"
OUTLETS = 24  # sources the ingest clients spread their articles over
CLIENT_TIMEOUT_S = 120  # bench/locustfile.py's TIMEOUT
TICKS = os.sysconf("SC_CLK_TCK")

# RELIABILITY.md F1/F2/F3.
TARGETS = {
    "single_p95_ms": 300, "single_p99_ms": 1000, "batch_p95_ms": 3000, "drain_s": 300,
    "review_p95_ms": 500, "decide_p95_ms": 300, "rss_growth": 0.20, "recover_s": 60,
}


def say(message: str) -> None:
    print(f"load_bench: {message}", file=sys.stderr, flush=True)


class Stop(Exception):
    """SIGTERM or SIGHUP: leave through the clean-up like Ctrl-C."""


# --- percentiles and summaries -----------------------------------------------------------------------

def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return round(sorted_values[rank - 1], 1)


def summarise(records: list[tuple[str, int, float, float]], seconds: float) -> dict[str, Any]:
    """Percentiles and statuses of one request type. Requests cut off when the load stopped count
    with the time they had waited by then (a lower bound), as status "cut_off"."""
    times = sorted(r[2] for r in records)
    statuses = Counter(r[1] for r in records)
    count = len(records)
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    return {
        "count": count,
        "rps": round(count / seconds, 2) if seconds else None,
        "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "p99_ms": percentile(times, 99),
        "max_ms": round(times[-1], 1) if times else None,
        "status": {("cut_off" if s == -1 else str(s)): n for s, n in sorted(statuses.items())},
        "5xx": server_errors,
        "5xx_pct": round(100 * server_errors / count, 3) if count else 0.0,
        "429": statuses.get(429, 0),
        "no_answer": statuses.get(0, 0),  # timeouts and resets
        "cut_off_at_stop": statuses.get(-1, 0),
    }


def target(check: str, limit: Any, measured: Any, passed: bool | None, note: str = "") -> dict[str, Any]:
    row = {"check": check, "target": limit, "measured": measured, "pass": passed}
    if note:
        row["note"] = note
    return row


# --- processes -----------------------------------------------------------------------------------------

def proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, cpu ticks) for every process we may read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def descendants(root: int, table: dict[int, tuple[int, int]]) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _) in table.items():
        children[ppid].append(pid)
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def broker_messages(client: Any) -> int:
    """Messages waiting in every queue the app sends to, at every priority (kombu keeps one Redis
    list per queue and priority step; corrections/ops.py)."""
    from corrections.broker import queue_keys
    from corrections.ops import celery_queue_names

    pipe = client.pipeline(transaction=False)
    for name in celery_queue_names():
        for key in queue_keys(name):
            pipe.llen(key)
    return sum(int(n) for n in pipe.execute())


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def total_cpu_ticks() -> tuple[int, int]:
    """(busy, all) jiffies of the whole machine."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Children:
    """The processes this run started, each in a session of its own, stopped in reverse order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        from launcher.services import die_with_parent_hook

        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=die_with_parent_hook())  # noqa: PLW1509
        log.close()
        self.procs[name] = process
        return process

    def check(self) -> None:
        for name, process in self.procs.items():
            if name != "locust" and process.poll() is not None:
                tail = (self.log_dir / f"{name}.log").read_text(errors="replace").splitlines()[-20:]
                raise RuntimeError(f"{name} exited with code {process.returncode}:\n" + "\n".join(tail))

    def stop(self, name: str, timeout: float = 20.0) -> None:
        process = self.procs.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            process.terminate()  # the main process only: gunicorn and Celery then stop their own children
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in {timeout:.0f} s; killing it")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # anything left behind in its session
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)


# --- the scratch system --------------------------------------------------------------------------------

def scratch_urls(args: argparse.Namespace) -> tuple[str, str, str, str]:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom")
    parts = urlsplit(url)
    name = args.database or (parts.path.lstrip("/") or "newsroom") + SCRATCH_SUFFIX
    if name in ("newsroom", "test_newsroom") or name == parts.path.lstrip("/"):
        raise SystemExit(f"load_bench: refusing to use the database {name!r}; give another --database")
    admin = urlunsplit(parts._replace(path="/postgres"))
    redis = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    redis_url = urlunsplit(redis._replace(path=f"/{REDIS_DB}"))
    return urlunsplit(parts._replace(path="/" + name)), admin, name, redis_url


def recreate_database(admin_url: str, name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


def pick_port(first: int) -> int:
    from launcher.services import free_port, port_in_use

    for port in range(first, first + 20):
        if not port_in_use(HOST, port):
            return port
    return free_port(HOST)


def manage(step: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
    say(f"{step} ...")
    with open(log_dir / "setup.log", "ab") as log:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode:
        tail = (log_dir / "setup.log").read_text(errors="replace").splitlines()[-20:]
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n" + "\n".join(tail))


def vocabulary() -> list[str]:
    words: set[str] = set()
    for path in sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt")):
        words.update(w.lower() for w in re.findall(r"[A-Za-z][a-z]+", path.read_text(encoding="utf-8")))
    return sorted(w for w in words if len(w) > 1)


def typo(word: str, rng: random.Random) -> str | None:
    spots = [k for k in range(1, len(word) - 2) if word[k] != word[k + 1]]
    if not spots:
        return None
    k = rng.choice(spots)
    return word[:k] + word[k + 1] + word[k] + word[k + 2:]


def desk_article(words: int, suggestions: int, rng: random.Random,
                 vocab: list[str]) -> tuple[str, list[tuple[int, int, str, str]]]:
    """~``words`` words in paragraphs, with ``suggestions`` typos and the suggestion fixing each."""
    tokens = rng.choices(vocab, k=words)
    candidates = [i for i in range(1, words - 1) if len(tokens[i]) >= 5 and i % 14 not in (0, 13)]
    chosen = sorted(rng.sample(candidates, min(len(candidates), suggestions * 2)))
    fixes: dict[int, str] = {}
    for i in chosen:
        if len(fixes) == suggestions:
            break
        if i - 1 in fixes or i + 1 in fixes:
            continue
        wrong = typo(tokens[i], rng)
        if wrong is not None:
            fixes[i] = tokens[i]
            tokens[i] = wrong
    pieces: list[str] = []
    spans = []
    offset = 0
    for i, token in enumerate(tokens):
        if i % 14 == 0:
            token = token.capitalize()
        sep = "" if i == 0 else ("\n" if i % 140 == 0 else " ")
        piece = sep + token + ("." if i % 14 == 13 else "")
        start = offset + len(sep)
        if i in fixes:
            spans.append((start, start + len(token), token, fixes[i]))
        pieces.append(piece)
        offset += len(piece)
    return "".join(pieces) + ".", spans


def prepare(args: argparse.Namespace, run_id: str) -> dict[str, Any]:
    """Users, sessions, tokens and the editors' articles, in this process (Django set up here)."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from articles.audit import SystemActor, record_event
    from articles.models import Article, Revision, Source
    from articles.tokens import create_api_token
    from corrections.models import Suggestion

    say("creating API tokens, editors and their articles ...")
    tokens = {
        "single": [create_api_token(f"load-single-{i}")[1] for i in range(args.ingest_clients)],
        "batch": [create_api_token(f"load-batch-{i}")[1] for i in range(max(1, args.ingest_clients // 4))],
        "over_rate": [create_api_token("load-over-rate")[1]],
        "probe": [create_api_token("load-throttle-probe")[1]],
        "warmup": [create_api_token("load-warmup")[1]],
    }
    editor_group = Group.objects.get_or_create(name="editor")[0]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    groups = math.ceil(args.editors / args.editors_per_article)
    decisions_per_group = (args.duration + 30) / args.editor_period * args.editors_per_article
    per_group = math.ceil(decisions_per_group / args.suggestions) + 1
    rng = random.Random(args.seed)
    vocab = vocabulary()
    source = Source.objects.create(slug="load-desk", name="Load bench desk")
    originals: dict[int, dict[str, Any]] = {}
    pools: list[list[int]] = []
    with transaction.atomic():
        for g in range(groups):
            pool = []
            for k in range(per_group):
                text, spans = desk_article(args.article_words, args.suggestions, rng, vocab)
                article = Article.objects.create(source=source, external_id=f"desk-{g}-{k}", status="in_review",
                                                 title=f"Desk article {g}-{k}: " + " ".join(rng.choices(vocab, k=6)))
                revision = Revision.objects.create(article=article, number=1, title=article.title, text=text,
                                                   reason="received",
                                                   text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                                                   created_by_system="load-bench")
                # Made here rather than ingested (the bench controls their suggestions), they still
                # get the ingest audit row every article has (manage.py reconcile checks it).
                record_event(action="article.ingested", actor=SystemActor("load-bench"), obj=article,
                             article_id=article.pk, revision_number=1, after=text,
                             detail={"source": source.slug, "external_id": article.external_id})
                kinds = ("spelling", "spelling", "spelling", "grammar", "style", "punctuation")
                rows = Suggestion.objects.bulk_create([
                    Suggestion(revision=revision, pass_name="load-bench", kind=rng.choice(kinds), start=s, end=e,
                               original=o, replacement=r, confidence=round(rng.uniform(0.5, 0.99), 2),
                               explanation=f"“{o}” looks like a slip for “{r}”.", evidence=["seen 3 times"])
                    for s, e, o, r in spans
                ])
                originals[article.pk] = {"text": text, "suggestions": {s.pk: (s.start, s.end, s.original, s.replacement)
                                                                         for s in rows}}
                pool.append(article.pk)
            pools.append(pool)
    editors = []
    for i in range(args.editors):
        user = User.objects.create_user(f"load-editor-{i:02d}", email=f"load-editor-{i:02d}@example.org")
        user.groups.add(editor_group)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        editors.append({"username": user.username, "session": session.session_key,
                        "articles": pools[i // args.editors_per_article]})
    connection.close()
    say(f"{len(editors)} editors on {groups} article pools of {per_group} articles "
        f"({args.article_words} words, {args.suggestions} suggestions each)")
    return {"tokens": tokens, "editors": editors, "originals": originals, "run": run_id}


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own loopback URL
            return int(response.status)
    except urllib.error.HTTPError as ex:
        return int(ex.code)
    except (urllib.error.URLError, OSError):
        return 0


def wait_healthy(base: str, children: Children, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children.check()
        if http(base + "/healthz") == 200:
            return
        time.sleep(0.3)
    raise RuntimeError(f"{base}/healthz did not answer 200 within {timeout:.0f} s")


# --- watching the system -------------------------------------------------------------------------------

class Monitor(threading.Thread):
    """Samples the job backlog, PostgreSQL connections, the broker queue, RSS and CPU every few seconds."""

    def __init__(self, database_url: str, db_name: str, redis_url: str, children: Children,
                 interval: float) -> None:
        super().__init__(daemon=True, name="load-bench-monitor")
        import psycopg
        import redis

        self.conn = psycopg.connect(database_url, autocommit=True)
        self.redis = redis.Redis.from_url(redis_url)
        self.db_name = db_name
        self.children = children
        self.interval = interval
        self.stopping = threading.Event()
        self.samples: list[dict[str, Any]] = []
        self.cpu_first: dict[tuple[str, int], int] = {}
        self.cpu_last: dict[tuple[str, int], int] = {}
        self.machine_first: tuple[int, int] | None = None
        self.machine_last: tuple[int, int] | None = None
        self.lock = threading.Lock()
        self.max_connections = int(self.conn.execute("SHOW max_connections").fetchone()[0])

    def backlog(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT state, count(*) FROM corrections_pipelinejob GROUP BY state").fetchall()
        counts = {state: n for state, n in rows}
        return {"queued": counts.get("queued", 0), "running": counts.get("running", 0),
                "done": counts.get("done", 0), "failed": counts.get("failed", 0)}

    def groups(self, table: dict[int, tuple[int, int]]) -> dict[str, list[int]]:
        found = {name: descendants(p.pid, table) for name, p in list(self.children.procs.items())}
        backends = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                                     [self.db_name]).fetchall()
        found["postgres"] = [pid for (pid,) in backends if pid in table]
        return found

    def sample(self) -> dict[str, Any]:
        table = proc_table()
        groups = self.groups(table)
        machine = total_cpu_ticks()
        with self.lock:
            if self.machine_first is None:
                self.machine_first = machine
            self.machine_last = machine
            for name, pids in groups.items():
                for pid in pids:
                    self.cpu_first.setdefault((name, pid), table[pid][1])
                    self.cpu_last[(name, pid)] = table[pid][1]
        connections = self.conn.execute(
            "SELECT count(*) FILTER (WHERE datname = %s), count(*),"
            " count(*) FILTER (WHERE datname = %s AND wait_event_type = 'Lock' AND wait_event = 'advisory'),"
            " count(*) FILTER (WHERE datname = %s AND wait_event_type = 'Lock' AND wait_event <> 'advisory')"
            " FROM pg_stat_activity", [self.db_name] * 3).fetchone()
        try:
            broker = broker_messages(self.redis)
        except Exception:  # noqa: BLE001 - a sample without it
            broker = -1
        rss = {name: {str(pid): rss_kb(pid) for pid in pids} for name, pids in groups.items() if name != "locust"}
        return {"t": time.time(), **self.backlog(), "broker_queue": broker, "pg_connections_db": connections[0],
                "pg_connections_all": connections[1], "advisory_lock_waits": connections[2],
                "row_lock_waits": connections[3], "rss_kb": rss}

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.samples.append(self.sample())
            except Exception as ex:  # noqa: BLE001 - keep sampling
                say(f"monitor: {ex}")
            self.stopping.wait(self.interval)

    def reset_cpu(self) -> None:
        with self.lock:
            self.cpu_first = dict(self.cpu_last)
            self.machine_first = self.machine_last

    def cpu_report(self, seconds: float) -> dict[str, Any]:
        with self.lock:
            used: dict[str, float] = defaultdict(float)
            for key, last in self.cpu_last.items():
                used[key[0]] += (last - self.cpu_first.get(key, last)) / TICKS
            busy = ((self.machine_last[0] - self.machine_first[0]) / TICKS
                    if self.machine_first and self.machine_last else 0.0)
        ours = sum(used.values())
        cores = os.cpu_count() or 1
        report = {name: round(value, 1) for name, value in sorted(used.items())}
        report.update({"machine_busy": round(busy, 1), "other_processes": round(max(0.0, busy - ours), 1),
                       "window_s": round(seconds, 1), "cores": cores,
                       "machine_busy_pct": round(100 * busy / (seconds * cores), 1) if seconds else None})
        return report

    def close(self) -> None:
        self.stopping.set()
        self.join(10)
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            self.redis.close()


def wait_backlog(monitor: Monitor, timeout: float, children: Children) -> tuple[float | None, list[tuple[float, int]]]:
    """Seconds until no job is queued or running (None past ``timeout``), and (t, backlog) points."""
    started = time.monotonic()
    points = []
    while True:
        counts = monitor.backlog()
        left = counts["queued"] + counts["running"]
        elapsed = time.monotonic() - started
        points.append((round(elapsed, 1), left))
        if left == 0:
            return elapsed, points
        if elapsed > timeout:
            return None, points
        children.check()
        time.sleep(1.0)


# --- the invariants after the run --------------------------------------------------------------------

def check_invariants(decisions: list[dict[str, Any]], originals: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """D1-D3 after the run: each 2xx decision is in the database; nothing decided twice; the final
    text of each article is its first revision with exactly the accepted suggestions applied."""
    from django.db import connection

    from articles.models import Article, AuditEvent, Revision
    from corrections.models import Suggestion

    article_ids = list(originals)
    for d in decisions:
        d["status"] = d["status"] or 0  # 0: no answer (cut off when the load stopped, or a reset)
    ok = [d for d in decisions if 200 <= d["status"] < 300]
    unknown = {d["suggestion"] for d in decisions if d["status"] == 0 or d["status"] >= 500}
    statuses = Counter(str(d["status"]) for d in decisions)
    rows = {s.pk: s for s in Suggestion.objects.filter(revision__article_id__in=article_ids).select_related("decided_by")}
    revision_article = dict(Revision.objects.filter(article_id__in=article_ids).values_list("pk", "article_id"))

    wanted = {"accept": Suggestion.Status.ACCEPTED, "reject": Suggestion.Status.REJECTED}
    lost = []
    for d in ok:
        s = rows.get(d["suggestion"])
        if s is None or s.status != wanted[d["action"]] or s.decided_by is None \
                or s.decided_by.get_username() != d["editor"]:
            lost.append({"suggestion": d["suggestion"], "action": d["action"], "editor": d["editor"],
                         "db_status": getattr(s, "status", None)})
    twice_answered = sorted(sid for sid, n in Counter(d["suggestion"] for d in ok).items() if n > 1)

    decided = {pk for pk, s in rows.items() if s.status in (Suggestion.Status.ACCEPTED, Suggestion.Status.REJECTED)}
    answered = {d["suggestion"] for d in ok}
    phantom = sorted(decided - answered - unknown)

    def root(pk: int) -> int:
        seen = 0
        while rows[pk].carried_from_id is not None and rows[pk].carried_from_id in rows and seen < 10_000:
            pk = rows[pk].carried_from_id
            seen += 1
        return pk

    decided_per_root = Counter(root(pk) for pk in decided)
    decided_twice = sorted(r for r, n in decided_per_root.items() if n > 1)

    audit = Counter(AuditEvent.objects.filter(
        object_type="corrections.suggestion", action__in=["suggestion.accepted", "suggestion.rejected"],
        article_id__in=article_ids).values_list("object_id", flat=True))
    audit_twice = sorted(pk for pk, n in audit.items() if n > 1)
    audit_missing = sorted(decided - set(audit))

    text_mismatch, revision_gaps, revision_count_mismatch = [], [], []
    accepted_by_article: dict[int, list[int]] = defaultdict(list)
    for pk in decided:
        if rows[pk].status == Suggestion.Status.ACCEPTED:
            accepted_by_article[revision_article[rows[pk].revision_id]].append(root(pk))
    for article in Article.objects.filter(pk__in=article_ids):
        numbers = sorted(Revision.objects.filter(article=article).values_list("number", flat=True))
        if numbers != list(range(1, len(numbers) + 1)) or article.revision_number != numbers[-1]:
            revision_gaps.append(article.pk)
        accepted = accepted_by_article.get(article.pk, [])
        if len(numbers) - 1 != len(accepted):
            revision_count_mismatch.append({"article": article.pk, "revisions": len(numbers), "accepted": len(accepted)})
        text = originals[article.pk]["text"]
        spans = sorted((originals[article.pk]["suggestions"][r] for r in accepted), reverse=True)
        for start, end, original, replacement in spans:
            assert text[start:end] == original
            text = text[:start] + replacement + text[end:]
        current = Revision.objects.get(article=article, number=article.revision_number).text
        if current != text:
            text_mismatch.append(article.pk)
    connection.close()
    zero = not (lost or twice_answered or phantom or decided_twice or audit_twice or audit_missing
                or text_mismatch or revision_gaps or revision_count_mismatch)
    return {
        "decisions_sent": len(decisions), "decision_statuses": dict(sorted(statuses.items())),
        "decided_2xx": len(ok), "accepted_2xx": sum(d["action"] == "accept" for d in ok),
        "rejected_2xx": sum(d["action"] == "reject" for d in ok),
        "lost_updates": lost[:20], "lost_update_count": len(lost),
        "suggestion_answered_2xx_twice": twice_answered[:20],
        "decided_without_2xx": phantom[:20],
        "suggestion_decided_twice": decided_twice[:20],
        "audit_rows_twice": audit_twice[:20], "audit_rows_missing": audit_missing[:20],
        "final_text_mismatch": text_mismatch[:20], "revision_number_gaps": revision_gaps[:20],
        "revisions_vs_accepts_mismatch": revision_count_mismatch[:20],
        "zero_lost_updates": zero,
    }


def reconciliation() -> dict[str, Any]:
    """Section E's reconciliation (manage.py reconcile): the count of what breaks each invariant,
    and whether all hold (a job still failed counts as what it is: failed with its reason)."""
    from django.db import connection

    from corrections.reconcile import reconcile

    result = reconcile()
    connection.close()
    return {"passed": result.passed, **{check.name: check.count for check in result.checks},
            "jobs_failed": result.totals["jobs_failed"]}


# --- the run -------------------------------------------------------------------------------------------

def windows(records: list[tuple[str, int, float, float]], samples: list[dict[str, Any]], t0: float, end: float,
            width: float) -> list[dict[str, Any]]:
    """Per time window: request rates, p95s and the backlog, for the timeline."""
    out = []
    start = t0
    while start < end - 1e-6:
        stop = min(start + width, end)
        row: dict[str, Any] = {"from_s": round(start - t0), "to_s": round(stop - t0)}
        inside = [r for r in records if start <= r[3] < stop]
        for name in ("ingest_single", "ingest_batch", "review_page", "decide"):
            times = sorted(r[2] for r in inside if r[0] == name or (name == "decide" and r[0].startswith("decide_")))
            row[name] = {"rps": round(len(times) / (stop - start), 1), "p95_ms": percentile(times, 95),
                         "5xx": sum(1 for r in inside if r[1] >= 500 and (r[0] == name or (
                             name == "decide" and r[0].startswith("decide_"))))}
        backlog = [s["queued"] + s["running"] for s in samples if start <= s["t"] < stop]
        row["backlog"] = backlog[-1] if backlog else None
        out.append(row)
        start = stop
    return out


def locust_config(args: argparse.Namespace, prepared: dict[str, Any], out: Path) -> dict[str, Any]:
    scale = 3 if args.soak else 1
    return {
        "out": str(out), "run": prepared["run"], "seed": args.seed, "body_chars": args.body_kb * 1000,
        "single_rps": args.single_rps, "single_users": args.single_users or math.ceil(args.single_rps * 2 * scale),
        "batch_rps": args.batch_rps, "batch_users": args.batch_users or math.ceil(args.batch_rps * 4 * scale),
        "batch_size": args.batch_size,
        "editor_users": args.editors, "editor_period": args.editor_period, "editors": prepared["editors"],
        "over_rate_users": 1 if args.over_rate_factor > 0 else 0,
        "over_rate_rps": max(args.over_rate_factor * rate_per_second(args.api_rate), 0.1),
        "tokens": prepared["tokens"], "phases": phases(args), "outlets": OUTLETS,
    }


def rate_per_second(rate: str) -> float:
    number, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    return int(number) / seconds


def phases(args: argparse.Namespace) -> list[list[float]]:
    if not args.soak:
        return [[0, args.duration, 1]]
    burst_start = args.soak_duration
    burst_end = burst_start + args.burst_duration
    return [[0, burst_start, 1], [burst_start, burst_end, 3], [burst_end, burst_end + args.recovery_duration, 1]]


def warm_up(base: str, token: str) -> None:
    """One article from each outlet the load uses, one at a time, and a small batch: each gunicorn
    worker has imported and connected before the clock runs, and the sources exist. (Many requests
    creating new sources at once can deadlock with the story lock: that is not what F1 measures.)"""
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
    for i in range(OUTLETS):
        body = json.dumps({"source": f"load-wire-{i:02d}", "external_id": f"warm-{i}", "title": f"Warm-up {i}",
                           "body": f"A short warm-up article {i} about the harbour council budget. " * 20})
        status = http(base + "/api/v1/articles/", body.encode(), headers)
        if status != 201:
            raise RuntimeError(f"a warm-up ingest answered {status}; see web.log")
    batch = {"articles": [{"source": "load-warmup", "external_id": f"warm-batch-{i}", "title": "Warm-up",
                           "body": f"Warm-up batch article {i} on the ceasefire talks. " * 20} for i in range(5)]}
    http(base + "/api/v1/articles/batch/", json.dumps(batch).encode(), headers)


def idle_baseline(base: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    """Single POSTs and batches one at a time on the idle system: what a request costs without load."""
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
    rng = random.Random(args.seed + 1)
    vocab = vocabulary()
    chars = args.body_kb * 1000

    def article(name: str) -> dict[str, str]:
        words = rng.choices(vocab, k=chars // 6)
        return {"source": f"load-wire-{rng.randrange(OUTLETS):02d}", "external_id": name,
                "title": " ".join(words[:8]).capitalize(), "body": " ".join(words)[:chars]}

    def timed(url: str, body: dict[str, Any]) -> tuple[float, int]:
        started = time.perf_counter()
        status = http(base + url, json.dumps(body).encode(), headers)
        return (time.perf_counter() - started) * 1000, status

    singles = [timed("/api/v1/articles/", article(f"idle-{i}")) for i in range(20)]
    batches = [timed("/api/v1/articles/batch/", {"articles": [article(f"idle-b{i}-{k}") for k in range(args.batch_size)]})
               for i in range(3)]

    def stats(rows: list[tuple[float, int]]) -> dict[str, Any]:
        times = sorted(ms for ms, _ in rows)
        return {"count": len(rows), "p50_ms": percentile(times, 50), "max_ms": round(times[-1], 1),
                "status": dict(Counter(str(status) for _, status in rows))}

    return {"ingest_single": stats(singles), "ingest_batch": stats(batches)}


def throttle_probe(base: str, token: str, rate: str, threads: int) -> dict[str, Any]:
    """One client sending twice its rate as fast as ``threads`` connections go (cheap GETs): what
    is over the rate must get 429, never 5xx. ``answered_2xx`` against ``allowed_by_rate`` shows
    how well the limit holds when one client's requests run in parallel."""
    from concurrent.futures import ThreadPoolExecutor

    number, _, period = rate.partition("/")
    window = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    total = 2 * int(number) + 20
    headers = {"Authorization": f"Token {token}"}
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        statuses = Counter(pool.map(lambda _: http(base + "/api/v1/articles/?page_size=1", None, headers),
                                    range(total)))
    seconds = time.monotonic() - started
    return {"sent": total, "threads": threads, "seconds": round(seconds, 1),
            "allowed_by_rate": int(number) * max(1, math.ceil(seconds / window)),
            "answered_2xx": sum(n for s, n in statuses.items() if 200 <= s < 300),
            "status": {str(k): v for k, v in sorted(statuses.items())}}


def run(args: argparse.Namespace, children: Children, log_dir: Path, database_url: str, db_name: str,
        redis_url: str) -> dict[str, Any]:
    run_id = secrets.token_hex(4)
    port = pick_port(args.port)
    base = f"http://{HOST}:{port}"
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "newsroom.settings", "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "newsroom-load",
        "DEBUG": "false", "NEWSROOM_DEV": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost", "CSRF_TRUSTED_ORIGINS": base, "SECURE_COOKIES": "false",
        "NEWSROOM_API_RATE": args.api_rate,
    })
    os.environ.update(env)  # this process sets Django up on the same database for users and checks

    manage("migrating the scratch database", ["migrate", "--noinput"], env, log_dir)
    manage("loading the seeds", ["load_seeds"], env, log_dir)
    prepared = prepare(args, run_id)

    say(f"starting gunicorn ({args.web_workers} sync workers) on {base}, the Celery worker (-c {args.worker_concurrency})"
        + ("" if args.no_beat else " and Celery beat"))
    children.start("web", [PYTHON, "-m", "gunicorn", "newsroom.wsgi:application", "--workers", str(args.web_workers),
                           "--bind", f"{HOST}:{port}", "--error-logfile", "-", "--graceful-timeout", "10",
                           "--timeout", "60"], env)
    nice = ["nice", "-n", str(args.worker_nice)] if args.worker_nice else []
    children.start("worker", [*nice, PYTHON, "-m", "celery", "-A", "newsroom", "worker", "-c", str(args.worker_concurrency),
                              "-l", "info", "-n", f"load-bench-{os.getpid()}@%h"], env)
    if not args.no_beat:
        children.start("beat", [PYTHON, "-m", "celery", "-A", "newsroom", "beat", "-l", "info",
                                "-s", str(log_dir / "celerybeat-schedule")], env)
    wait_healthy(base, children)
    monitor = Monitor(database_url, db_name, redis_url, children, args.sample_interval)
    monitor.start()
    warm_up(base, prepared["tokens"]["warmup"][0])
    say("idle baseline: 20 single POSTs and 3 batches, one at a time ...")
    baseline = idle_baseline(base, prepared["tokens"]["warmup"][0], args)
    say(f"  single p50 {baseline['ingest_single']['p50_ms']} ms, batch p50 {baseline['ingest_batch']['p50_ms']} ms")
    say(f"throttle probe: one client over its {args.api_rate} ...")
    probe = throttle_probe(base, prepared["tokens"]["probe"][0], args.api_rate, args.web_workers)
    say(f"  {probe['status']}")
    say("waiting for the seed and warm-up jobs to finish ...")
    settled, _ = wait_backlog(monitor, 180, children)
    if settled is None:
        raise RuntimeError("the seed and warm-up jobs did not finish within 180 s; see the worker log")

    out = log_dir / "locust-results.json"
    config = locust_config(args, prepared, out)
    config_path = log_dir / "locust-config.json"
    config_path.write_text(json.dumps(config))
    run_time = args.soak_duration + args.burst_duration + args.recovery_duration if args.soak else args.duration
    users = {"SingleIngest": config["single_users"], "BatchIngest": config["batch_users"],
             "Editor": config["editor_users"], "OverRate": config["over_rate_users"]}
    classes = [name for name, n in users.items() if n > 0]
    total = sum(users.values())
    say(f"load for {run_time} s: {args.single_rps} single POSTs/s, {args.batch_rps} batches/s of {args.batch_size}, "
        f"{args.editors} editors every {args.editor_period} s, 1 client at {config['over_rate_rps']:.0f} req/s "
        f"over its {args.api_rate} ({total} Locust users)")
    locust_env = dict(env, LOAD_BENCH_CONFIG=str(config_path))
    monitor.reset_cpu()
    load_started = time.time()
    locust = children.start("locust", [
        PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", base,
        "-u", str(total), "-r", str(total), "-t", f"{run_time}s", "--stop-timeout", str(args.stop_timeout),
        "--only-summary", "--exit-code-on-error", "0", "--loglevel", "WARNING", *classes], locust_env)
    deadline = time.monotonic() + run_time + 120
    next_note = time.monotonic() + 30
    while locust.poll() is None:
        if time.monotonic() > deadline:
            raise RuntimeError("Locust did not finish in time; see locust.log")
        children.check()
        if time.monotonic() >= next_note and monitor.samples:
            s = monitor.samples[-1]
            say(f"  {time.time() - load_started:5.0f} s: backlog {s['queued'] + s['running']}, done {s['done']}, "
                f"pg connections {s['pg_connections_db']}")
            next_note += 30
        time.sleep(0.5)
    load_ended = time.time()
    children.procs.pop("locust", None)
    if locust.returncode not in (0, None) or not out.exists():
        tail = (log_dir / "locust.log").read_text(errors="replace").splitlines()[-20:]
        raise RuntimeError(f"Locust failed (exit {locust.returncode}):\n" + "\n".join(tail))
    cpu = monitor.cpu_report(load_ended - load_started)
    backlog_at_end = monitor.backlog()
    say(f"load done; backlog {backlog_at_end['queued'] + backlog_at_end['running']} jobs; waiting up to "
        f"{args.drain_timeout} s for it to drain ...")
    drain_s, drain_points = wait_backlog(monitor, args.drain_timeout, children)
    after = monitor.backlog()
    monitor.close()

    results = json.loads(out.read_text())
    t0 = results["started"]
    records = [tuple(r) for r in results["requests"]]
    seconds = run_time

    by_name: dict[str, list[Any]] = defaultdict(list)
    for r in records:
        by_name[r[0]].append(r)
        if r[0].startswith("decide_"):
            by_name["decide"].append(r)
    requests = {name: summarise(rs, seconds) for name, rs in sorted(by_name.items())}
    invariants = check_invariants(results["decisions"], prepared["originals"])
    reconciled = reconciliation()

    left_at_end = backlog_at_end["queued"] + backlog_at_end["running"]
    left_after = after["queued"] + after["running"]
    finished = (after["done"] + after["failed"]) - (backlog_at_end["done"] + backlog_at_end["failed"])
    waited = drain_points[-1][0] if drain_points else 0
    drain_rate = finished / waited if waited else None
    sweeps = [int(n) for n in re.findall(r"sweep_jobs_task\[[^]]*\] succeeded in [0-9.]+s: \{'republished': (\d+)",
                                         (log_dir / "worker.log").read_text(errors="replace"))]
    pipeline = {
        "backlog_at_load_end": left_at_end,
        "max_backlog": max((s["queued"] + s["running"] for s in monitor.samples), default=0),
        "max_broker_queue": max((s["broker_queue"] for s in monitor.samples), default=0),
        "jobs_done_by_load_end": backlog_at_end["done"], "jobs_done_total": after["done"],
        "jobs_failed": after["failed"],
        "drain_s": round(drain_s, 1) if drain_s is not None else None,
        "drained": drain_s is not None,
        "backlog_left_at_timeout": None if drain_s is not None else left_after,
        "drain_rate_jobs_per_s": round(drain_rate, 2) if drain_rate else None,
        "drain_estimate_s": (round(waited + left_after / drain_rate) if drain_s is None and drain_rate else None),
        "reconciliation": reconciled,
        "worker_task_s": task_times(log_dir / "worker.log"),
        "sweeps_run": len(sweeps), "sweep_republished": sum(sweeps),
    }
    connections = [s["pg_connections_db"] for s in monitor.samples]
    report: dict[str, Any] = {
        "benchmark": "load_bench",
        "setup": {
            "duration_s": run_time, "f1_full_duration_s": 600, "cores": os.cpu_count(),
            "loadavg_at_start": args.loadavg_at_start, "web": f"gunicorn, {args.web_workers} sync workers",
            "worker": f"celery -c {args.worker_concurrency}" + (f", nice {args.worker_nice}" if args.worker_nice else ""),
            "beat": not args.no_beat,
            "api_rate": args.api_rate, "ingest_tokens": args.ingest_clients,
            "single_rps": args.single_rps, "batch_rps": args.batch_rps, "batch_size": args.batch_size,
            "body_kb": args.body_kb, "editors": args.editors, "editors_per_article": args.editors_per_article,
            "editor_period_s": args.editor_period, "article_words": args.article_words,
            "suggestions_per_article": args.suggestions, "over_rate_rps": round(config["over_rate_rps"], 1),
            "locust_users": users, "load_generator": "locust (headless, subprocess)",
            "database": db_name, "redis": redis_url, "logs": str(log_dir), "commit": git_head(),
        },
        "requests": requests,
        "idle_baseline": baseline,
        "throttle_probe": probe,
        "pipeline": pipeline,
        "invariants": invariants,
        "resources": {
            "cpu_seconds_during_load": cpu,
            "pg_connections_max": max(connections, default=0), "pg_max_connections": monitor.max_connections,
            "pg_connections_at_load_start_and_end": first_and_last(monitor.samples, "pg_connections_db",
                                                                   load_started, load_ended),
            "backends_waiting_on_advisory_lock_mean": mean_during(monitor.samples, "advisory_lock_waits",
                                                                  load_started, load_ended),
            "backends_waiting_on_row_locks_mean": mean_during(monitor.samples, "row_lock_waits", load_started,
                                                              load_ended),
            "rss_mb": rss_summary(monitor.samples, load_started, load_ended),
        },
        "timeline": windows(records, monitor.samples, t0, t0 + run_time, max(10.0, run_time / 12)),
    }
    report["targets"] = evaluate(report, args, load_started, records, monitor.samples, t0)
    report["passed"] = all(t["pass"] for t in report["targets"] if t["pass"] is not None)
    return report


def first_and_last(samples: list[dict[str, Any]], key: str, start: float, end: float) -> list[Any]:
    """A sampled figure at the start and at the end of the load (the soak's drift)."""
    values = [s[key] for s in samples if start <= s["t"] <= end and key in s]
    return [values[0], values[-1]] if values else []


def mean_during(samples: list[dict[str, Any]], key: str, start: float, end: float) -> float | None:
    """The mean of one sampled figure while the load ran (the story lock is an advisory lock)."""
    values = [s[key] for s in samples if start <= s["t"] <= end and key in s]
    return round(sum(values) / len(values), 2) if values else None


def git_head() -> str | None:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    return result.stdout.strip() or None


def task_times(log: Path) -> dict[str, Any]:
    """Pipeline task durations from the worker's log (Celery's "succeeded in" lines)."""
    text = log.read_text(errors="replace")
    times = sorted(float(t) for t in re.findall(r"run_pipeline_task\[[^]]*\] succeeded in ([0-9.]+)s", text))
    return {"count": len(times), "p50": percentile(times, 50), "p95": percentile(times, 95),
            "max": round(times[-1], 2) if times else None}


def rss_summary(samples: list[dict[str, Any]], start: float, end: float) -> dict[str, Any]:
    """RSS (MB) of each gunicorn and Celery process: first sample after a warm-up minute, and last."""
    during = [s for s in samples if start <= s["t"] <= end]
    if not during:
        return {}
    settle = [s for s in during if s["t"] >= start + min(60.0, (end - start) / 4)] or during
    first, last = settle[0]["rss_kb"], during[-1]["rss_kb"]
    out: dict[str, Any] = {}
    for group in ("web", "worker", "beat"):
        rows = []
        for pid, kb in sorted(first.get(group, {}).items()):
            later = last.get(group, {}).get(pid)
            if kb and later:
                rows.append({"pid": int(pid), "first": round(kb / 1024, 1), "last": round(later / 1024, 1),
                             "growth_pct": round(100 * (later - kb) / kb, 1)})
        if rows:
            out[group] = rows
    return out


def evaluate(report: dict[str, Any], args: argparse.Namespace, load_started: float,
             records: list[tuple[str, int, float, float]], samples: list[dict[str, Any]],
             t0: float) -> list[dict[str, Any]]:
    req = report["requests"]
    empty: dict[str, Any] = {"count": 0, "p95_ms": None, "p99_ms": None, "5xx": 0, "429": 0, "rps": 0, "status": {}}
    single, batch = req.get("ingest_single", empty), req.get("ingest_batch", empty)
    review, decide = req.get("review_page", empty), req.get("decide", empty)
    over = req.get("over_rate_client", empty)
    load_names = ("ingest_single", "ingest_batch", "review_page", "decide_accept", "decide_reject", "queue_page",
                  "over_rate_client")
    all_count = sum(req.get(n, empty)["count"] for n in load_names)
    all_5xx = sum(req.get(n, empty)["5xx"] for n in load_names)
    no_answer = sum(req.get(n, empty).get("no_answer", 0) for n in load_names)
    cut_off = sum(req.get(n, empty).get("cut_off_at_stop", 0) for n in load_names)
    normal_429 = sum(req.get(n, empty)["429"] for n in ("ingest_single", "ingest_batch"))
    probe_status = report["throttle_probe"]["status"]
    probe_429 = probe_status.get("429", 0)
    probe_5xx = sum(n for s, n in probe_status.items() if int(s) >= 500 or int(s) == 0)

    def below(value: float | None, limit: float) -> bool | None:
        return None if value is None else value < limit

    pipeline = report["pipeline"]
    duration = report["setup"]["duration_s"]
    rows = [
        target("F1 single POST p95 (ms)", f"< {TARGETS['single_p95_ms']}", single["p95_ms"],
               below(single["p95_ms"], TARGETS["single_p95_ms"])),
        target("F1 single POST p99 (ms)", f"< {TARGETS['single_p99_ms']}", single["p99_ms"],
               below(single["p99_ms"], TARGETS["single_p99_ms"])),
        target("F1 batch p95 (ms)", f"< {TARGETS['batch_p95_ms']}", batch["p95_ms"],
               below(batch["p95_ms"], TARGETS["batch_p95_ms"])),
        target("F1 5xx (% of all requests)", "0%", round(100 * all_5xx / all_count, 3) if all_count else None,
               all_5xx == 0 and no_answer == 0,
               f"{all_5xx} of {all_count}; {no_answer} without an answer within {CLIENT_TIMEOUT_S} s "
               f"(counted as failures); {cut_off} still waiting when the load stopped"),
        target("F1 throttle: a client over its rate gets 429, never 5xx",
               "429 > 0 and 5xx = 0",
               {"probe_429": probe_429, "probe_5xx": probe_5xx, "under_load_429": over["429"],
                "under_load_5xx": over["5xx"], "under_load_no_answer": over.get("no_answer", 0)},
               probe_429 > 0 and probe_5xx == 0 and over["5xx"] == 0,
               f"probe before the load, then one client at {args.over_rate_factor:g}x its rate during it; "
               f"clients under the rate got {normal_429} 429s"),
        target("F1 throttle holds the rate (2xx answers to the over-rate probe)",
               f"<= {report['throttle_probe']['allowed_by_rate']}", report["throttle_probe"]["answered_2xx"],
               report["throttle_probe"]["answered_2xx"] <= report["throttle_probe"]["allowed_by_rate"],
               f"{report['throttle_probe']['sent']} requests from one client over "
               f"{report['throttle_probe']['threads']} connections in {report['throttle_probe']['seconds']} s"),
        target("F1 load held: single POSTs per second", f">= {0.95 * args.single_rps:g} of {args.single_rps:g}",
               single["rps"], None if args.soak else single["rps"] >= 0.95 * args.single_rps,
               "Locust paces closed-loop users: a slow server lowers the offered rate"),
        target("F1 load held: batches per second", f">= {0.95 * args.batch_rps:g} of {args.batch_rps:g}",
               batch["rps"], None if args.soak else batch["rps"] >= 0.95 * args.batch_rps),
        target("F1 job backlog drained after the load (s)", f"<= {TARGETS['drain_s']}",
               pipeline["drain_s"] if pipeline["drained"] else
               f"not drained after {args.drain_timeout} s: {pipeline['backlog_left_at_timeout']} jobs left",
               pipeline["drained"] and pipeline["drain_s"] <= TARGETS["drain_s"],
               f"{pipeline['backlog_at_load_end']} jobs left when the load stopped"),
        target("F2 review page p95 (ms)", f"< {TARGETS['review_p95_ms']}", review["p95_ms"],
               below(review["p95_ms"], TARGETS["review_p95_ms"])),
        target("F2 accept/reject p95 (ms)", f"< {TARGETS['decide_p95_ms']}", decide["p95_ms"],
               below(decide["p95_ms"], TARGETS["decide_p95_ms"])),
        target("F2 zero lost updates (D1-D3 re-checked)", "0", report["invariants"]["lost_update_count"],
               report["invariants"]["zero_lost_updates"]),
    ]
    if duration < 600:
        rows[0]["note"] = f"{duration} s run; F1 specifies 600 s (--duration 600)"
    if args.soak:
        rows.extend(evaluate_soak(report, args, records, samples, t0))
    return rows


def evaluate_soak(report: dict[str, Any], args: argparse.Namespace, records: list[tuple[str, int, float, float]],
                  samples: list[dict[str, Any]], t0: float) -> list[dict[str, Any]]:
    rss = report["resources"]["rss_mb"]
    soak_end = t0 + args.soak_duration
    soak_samples = [s for s in samples if s["t"] <= soak_end]
    soak_rss = rss_summary(soak_samples, t0, soak_end)
    growth = [row["growth_pct"] for rows in soak_rss.values() for row in rows]
    report["resources"]["rss_mb_soak"] = soak_rss or rss
    burst_start, burst_end = soak_end, soak_end + args.burst_duration
    burst = [r for r in records if burst_start <= r[3] < burst_end]
    bad = Counter(r[1] for r in burst if r[1] == 0 or (r[1] >= 500 and r[1] != 503))
    recovered_at = None
    step = 10.0
    start = burst_end
    while start + step <= t0 + args.soak_duration + args.burst_duration + args.recovery_duration + 1e-6:
        window = [r for r in records if start <= r[3] < start + step]
        single = sorted(r[2] for r in window if r[0] == "ingest_single")
        batch = sorted(r[2] for r in window if r[0] == "ingest_batch")
        p_single, p_batch = percentile(single, 95), percentile(batch, 95)
        if p_single is not None and p_single < TARGETS["single_p95_ms"] and (
                p_batch is None or p_batch < TARGETS["batch_p95_ms"]):
            recovered_at = start + step - burst_end
            break
        start += step
    max_conn = report["resources"]["pg_connections_max"]
    limit = report["resources"]["pg_max_connections"] - 10
    reconciled = report["pipeline"]["reconciliation"]
    return [
        target("F3 RSS growth across the soak (max %)", f"< {100 * TARGETS['rss_growth']:.0f}%",
               max(growth) if growth else None, (max(growth) < 100 * TARGETS["rss_growth"]) if growth else None),
        target("F3 PostgreSQL connections (max)", f"< {limit}", max_conn, max_conn < limit),
        target("F3 burst at 3x sheds with 429/503 only", "no other 5xx, no unanswered request",
               dict(bad) or 0, not bad, f"{len(burst)} requests in the burst"),
        target("F3 recovery to F1 latencies after the burst (s)", f"<= {TARGETS['recover_s']}",
               round(recovered_at) if recovered_at is not None else None,
               recovered_at is not None and recovered_at <= TARGETS["recover_s"]),
        target("F3 reconciliation finds nothing", "every invariant holds", reconciled,
               report["pipeline"]["drained"] and reconciled["passed"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (F1 specifies 600)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and Redis db 12")
    parser.add_argument("--database", help="scratch database name (default: <configured name>_load)")
    parser.add_argument("--port", type=int, default=8030, help="first port to try for gunicorn")
    parser.add_argument("--single-rps", type=float, default=40.0)
    parser.add_argument("--batch-rps", type=float, default=2.0)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--body-kb", type=int, default=5, help="size of each article body")
    parser.add_argument("--single-users", type=int, default=0, help="Locust users for single POSTs (0: 2 x rate)")
    parser.add_argument("--batch-users", type=int, default=0, help="Locust users for batches (0: 4 x rate)")
    parser.add_argument("--ingest-clients", type=int, default=8, help="API tokens the single POSTs are spread over")
    parser.add_argument("--api-rate", default="600/min", help="NEWSROOM_API_RATE for the run")
    parser.add_argument("--over-rate-factor", type=float, default=2.0,
                        help="the over-rate client asks at this multiple of --api-rate (0: no such client)")
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--editors-per-article", type=int, default=2, help="editors sharing each article pool")
    parser.add_argument("--editor-period", type=float, default=5.0, help="seconds between an editor's decisions")
    parser.add_argument("--article-words", type=int, default=2000)
    parser.add_argument("--suggestions", type=int, default=50)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--worker-nice", type=int, default=0,
                        help="run the Celery worker at this niceness (make run: 0), to see what the web gains")
    parser.add_argument("--no-beat", action="store_true", help="do not run Celery beat (the sweep)")
    parser.add_argument("--drain-timeout", type=int, default=300, help="seconds to wait for the job backlog")
    parser.add_argument("--stop-timeout", type=int, default=30,
                        help="seconds Locust lets requests in flight finish when the load stops")
    parser.add_argument("--sample-interval", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--soak", action="store_true",
                        help="F3: --soak-duration at F1's rate, then --burst-duration at 3x, then --recovery-duration")
    parser.add_argument("--soak-duration", type=int, default=1800)
    parser.add_argument("--burst-duration", type=int, default=60)
    parser.add_argument("--recovery-duration", type=int, default=120)
    args = parser.parse_args()
    if args.soak:
        args.duration = args.soak_duration + args.burst_duration + args.recovery_duration
    args.loadavg_at_start = [round(x, 2) for x in os.getloadavg()]

    def stop(signum: int, frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    database_url, admin_url, db_name, redis_url = scratch_urls(args)
    log_dir = Path(tempfile.mkdtemp(prefix="newsroom-load-bench-"))
    say(f"logs in {log_dir}; scratch database {db_name}; Redis {redis_url}")
    children = Children(log_dir)
    report = None
    code = 1
    try:
        recreate_database(admin_url, db_name)
        flush_redis(redis_url)
        report = run(args, children, log_dir, database_url, db_name, redis_url)
        code = 0
    except (KeyboardInterrupt, Stop) as ex:
        say(f"interrupted ({str(ex) or 'SIGINT'}); stopping everything started here")
        code = 130
    except Exception as ex:  # noqa: BLE001 - report, then clean up
        say(f"error: {ex}")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        children.stop_all()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not args.keep:
            with contextlib.suppress(Exception):
                recreate_database(admin_url, db_name, drop_only=True)
            with contextlib.suppress(Exception):
                flush_redis(redis_url)
        say("stopped everything started here" + ("" if args.keep else f"; dropped {db_name} and flushed Redis db 12"))
    if report is not None:
        print(json.dumps(report, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main())
