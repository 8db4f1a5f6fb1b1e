"""Shared by the benchmarks (not one itself: `make bench` skips files starting with "_").

``target()`` is the shape of one entry of a benchmark's top-level "targets" list, which
bench/run_all.py collects into one table; ``machine()`` says how busy the machine was.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def target(name: str, value: float, floor: float | None, ratio: float | None, goal: str, ok: bool | None) -> dict[str, Any]:
    """One issue-12 target: the figure, its floor measured in the same run, their ratio, the goal,
    and whether it holds (None: reported, no goal)."""
    return {"name": name, "value": value, "floor": floor, "ratio": ratio, "target": goal, "pass": ok}


def machine() -> dict[str, Any]:
    """The load average (1, 5, 15 min) and cores: the figures of a shared machine are noisy."""
    return {"loadavg": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}


def bench_database(name: str, redis_db: int, fresh: bool = True) -> tuple[str, str]:
    """Point this process at a scratch database ``name`` (made anew unless ``fresh`` is False,
    else created if missing; migrated, with the starter gazetteer, style and patterns) and Redis
    database ``redis_db``, emptied; Django set up. Fresh: no story of an earlier run to join."""
    sys.path.insert(0, str(ROOT))
    base_db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom")
    bench_db = base_db.rsplit("/", 1)[0] + "/" + name
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + f"/{redis_db}"
    os.environ.update(DATABASE_URL=bench_db, REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="newsroom.settings",
                      CACHE_KEY_PREFIX=f"newsroom-{name}", NEWSROOM_API_RATE="1000000/min")
    import psycopg

    with psycopg.connect(base_db.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_seeds", "--no-articles", verbosity=0, stdout=quiet)
    redis.Redis.from_url(redis_url).flushdb()
    return bench_db, redis_url


def start_worker(args: list[str], log_path: Path) -> Any:
    """A Celery worker (``args`` after ``worker``), returned once its pool is ready."""
    import subprocess

    log = open(log_path, "wb")  # noqa: SIM115 - the process keeps it
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "newsroom", "worker", *args, "--without-gossip", "--without-mingle",
         "-l", "info", "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while b" ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start; see {log_path}")
        time.sleep(0.2)
    time.sleep(2)  # the pool's children warm the passes up after "ready"
    return process


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of a process and its children so far, from /proc (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pids += [int(c) for c in children]
    return total


def stop_worker(process: Any) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except Exception:
        process.kill()
        process.wait()


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def story_texts(stories: int, copies: int, offset: int = 0) -> list[list[tuple[str, str]]]:
    """``stories`` distinct stories of ``copies`` copies each, as (title, body) of about 5 KB.

    From the Wikinews articles of ../shared/corpus when there (distinct events, so distinct
    stories), else from the seeds (which then make one story). Copy c of a story is its text with
    a line of its own and, in every other copy, one name misspelled, as outlets differ."""
    import csv
    import re

    corpus = ROOT.parent / "shared" / "corpus"
    texts: list[tuple[str, str]] = []
    if corpus.is_dir():
        csv.field_size_limit(10**8)
        for path in sorted(corpus.glob("wikinews_*.csv")):
            with open(path, encoding="utf-8") as f:
                texts += [(row["title"], row["text"]) for row in csv.DictReader(f) if 3500 <= len(row["text"]) <= 7000]
    if len(texts) < offset + stories:
        seeds = sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
        texts += [(p.read_text(encoding="utf-8").split("\n", 1)[0], p.read_text(encoding="utf-8")) for p in seeds]
        texts = (texts * (offset + stories))[: offset + stories]
    out = []
    for title, body in texts[offset: offset + stories]:
        name = next(iter(re.findall(r"\b[A-Z][a-z]{5,}\b", body[200:])), "")
        variants = []
        for c in range(copies):
            text = body
            if c % 2 and name:
                text = text.replace(name, name[:2] + name[3] + name[2] + name[4:], 1)
            variants.append((title[:200], f"{text}\n\nFiled by desk {c} for outlet {c}."))
        out.append(variants)
    return out
