"""Ingest at its floors: one article over the API, and a 500-article batch.

    .venv/bin/python bench/ingest_bench.py [--single 300] [--batches 3] [--batch-size 500] [--profile]

In-process (Django's test Client calls the WSGI handler: every middleware, token authentication,
the throttle in Redis, the real PostgreSQL, the jobs published to Redis on commit), in a scratch
database (``newsroom_bench_ingest`` on DATABASE_URL's server, created and migrated if missing,
emptied first) and Redis database 11, flushed before and after; no worker runs, so
the time is the request's alone. Bodies are 5 KB of the seeds' prose, each copy with a line of its
own.

(a) ``POST /api/v1/articles/``: server time per request, p50 and p95 of ``--single`` requests, beside
the floor measured alternately in the same run: a minimal DRF APIView (defined here, behind the
same middleware) that parses the same JSON body and inserts it as one row into a scratch table.

(b) ``POST /api/v1/articles/batch/`` with ``--batch-size`` new articles: articles per second
(median of ``--batches``), beside raw psycopg COPY of the same rows (source, external id, title,
body) into a scratch table, committed, timed alternately in the same run.

Progress goes to stderr; stdout gets one JSON object whose ``targets`` list holds
``{name, value, floor, ratio, target, pass}`` entries. ``--profile`` also prints, to stderr, the
SQL of one single-article request and of one batch (statement counts by kind) and a cProfile of
each.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _common import bench_database, machine, say, target  # noqa: E402

BENCH_DB = "newsroom_bench_ingest"
REDIS_DB = 11
BODY_CHARS = 5000
FLOOR_TABLE = "bench_ingest_floor"
COPY_TABLE = "bench_ingest_copy"


def setup() -> str:
    """The scratch database and Redis database, emptied: stories and indexes grow with every copy
    stored, so rows left over from earlier runs would make each run slower than the one before."""
    bench_db, _ = bench_database(BENCH_DB, REDIS_DB)
    from django.core.management import call_command

    say(f"ingest_bench: emptying {BENCH_DB}")
    call_command("flush", interactive=False, verbosity=0)
    return bench_db


def floor_urlconf() -> None:
    """Serve the API plus the floor view, a minimal DRF APIView inserting one row."""
    import types

    from django.conf import settings
    from django.db import connection
    from django.urls import clear_url_caches, include, path
    from rest_framework.parsers import JSONParser
    from rest_framework.permissions import AllowAny
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class FloorView(APIView):
        authentication_classes: list[Any] = []
        permission_classes = [AllowAny]
        throttle_classes: list[Any] = []
        parser_classes = [JSONParser]

        def post(self, request: Request) -> Response:
            data: Any = request.data
            with connection.cursor() as db:
                db.execute(f"INSERT INTO {FLOOR_TABLE} (source, external_id, title, body) VALUES (%s, %s, %s, %s) "
                           "RETURNING id", [data["source"], data["external_id"], data["title"], data["body"]])
                row_id = db.fetchone()[0]
            return Response({"id": row_id}, status=201)

    module = types.ModuleType("bench_ingest_urls")
    module.urlpatterns = [path("bench/floor/", FloorView.as_view()), path("", include(settings.ROOT_URLCONF))]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


def scratch_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (FLOOR_TABLE, COPY_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, source varchar(100) NOT NULL, "
                           "external_id varchar(255) NOT NULL, title text NOT NULL, body text NOT NULL, "
                           "created_at timestamptz NOT NULL DEFAULT now())")


def texts() -> list[str]:
    """5 KB bodies of the seeds' prose (each seed, topped up with the next one's paragraphs)."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"))]
    bodies = []
    for i, seed in enumerate(seeds):
        text = seed
        k = 1
        while len(text) < BODY_CHARS:
            text += "\n\n" + seeds[(i + k) % len(seeds)]
            k += 1
        cut = text.rfind(" ", 0, BODY_CHARS - 40)
        bodies.append(text[:cut])
    return bodies


def article(bodies: list[str], run: str, i: int) -> dict[str, str]:
    body = bodies[i % len(bodies)]
    return {"source": f"bench-outlet-{i % 7}", "external_id": f"{run}-{i}", "title": body.split("\n", 1)[0][:200],
            "body": f"{body}\n\n(copy {run}-{i})"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def statement_kinds(queries: list[str], seconds: list[float]) -> dict[str, tuple[int, float]]:
    kinds: Counter[str] = Counter()
    spent: dict[str, float] = {}
    for sql, took in zip(queries, seconds, strict=True):
        sql = sql.lstrip()
        words = sql.split(None, 4)
        head = words[0].upper() if words else ""
        if head == "INSERT" and len(words) > 2:
            head = "INSERT " + words[2].strip('"')
        elif head == "UPDATE" and len(words) > 1:
            head = "UPDATE " + words[1].strip('"')
        elif head == "SELECT" and " FROM " in sql.upper():
            after = sql[sql.upper().index(" FROM ") + 6:].split(None, 1)
            head = "SELECT " + (after[0].strip('"') if after else "")
        kinds[head] += 1
        spent[head] = spent.get(head, 0.0) + took
    return {kind: (count, spent[kind]) for kind, count in kinds.most_common()}


class Statements:
    """Counts the SQL statements run through Django's connection (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self.seconds: list[float] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.sql.append(sql)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds.append(time.perf_counter() - started)


def counted(call: Any) -> tuple[Any, list[str]]:
    from django.db import connection

    statements = Statements()
    with connection.execute_wrapper(statements):
        response = call()
    return response, statements.sql


def profile_call(label: str, call: Any) -> Any:
    from django.db import connection

    profiler = cProfile.Profile()
    statements = Statements()
    with connection.execute_wrapper(statements):
        profiler.enable()
        response = call()
        profiler.disable()
    say(f"--- {label}: HTTP {response.status_code}, {len(statements.sql)} SQL statements "
        f"(BEGIN and COMMIT not seen), {sum(statements.seconds) * 1000:.1f} ms in them")
    for kind, (count, took) in statement_kinds(statements.sql, statements.seconds).items():
        say(f"    {count:5d}  {took * 1000:8.2f} ms  {kind}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    say(out.getvalue())
    return response


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--single", type=int, default=300)
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    bench_db = setup()
    floor_urlconf()
    scratch_tables()

    import psycopg
    import redis
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from articles.tokens import create_api_token

    bodies = texts()
    run = uuid.uuid4().hex[:8]
    _, key = create_api_token(f"bench-{run}")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    floor_client = Client()

    def post_single(i: int) -> Any:
        payload = json.dumps(article(bodies, run, i))
        return client.post("/api/v1/articles/", payload, content_type="application/json")

    def post_floor(i: int) -> Any:
        payload = json.dumps(article(bodies, "floor" + run, i))
        return floor_client.post("/bench/floor/", payload, content_type="application/json")

    # (a) single articles, alternating with the floor; 20 of each first to warm the process up.
    say(f"ingest_bench: {args.single} single-article requests beside the one-row floor")
    single: list[float] = []
    floor: list[float] = []
    for i in range(args.single + 20):
        for kind in ((0, 1) if i % 2 else (1, 0)):
            started = time.perf_counter()
            response = post_single(i) if kind == 0 else post_floor(i)
            spent = time.perf_counter() - started
            if response.status_code != 201:
                raise SystemExit(f"unexpected answer {response.status_code}: {response.content[:500]!r}")
            if i >= 20:
                (single if kind == 0 else floor).append(spent * 1000)
    single_queries = len(counted(lambda: post_single(10**6))[1])
    if args.profile:
        profile_call("one single-article POST", lambda: post_single(10**6 + 1))

    # (b) batches of new articles, alternating with COPY of the same rows.
    say(f"ingest_bench: {args.batches} batches of {args.batch_size} beside COPY of the same rows")
    dsn = settings.DATABASES["default"]
    copy_conn = psycopg.connect(bench_db)
    batch_rates: list[float] = []
    copy_rates: list[float] = []
    batch_queries = 0
    try:
        for b in range(args.batches + 1):  # the first round warms up
            items = [article(bodies, f"{run}-b{b}", i) for i in range(args.batch_size)]
            payload = json.dumps({"articles": items})
            started = time.perf_counter()
            response, statements = counted(lambda payload=payload: client.post("/api/v1/articles/batch/", payload,
                                                               content_type="application/json"))
            batch_queries = len(statements)
            spent = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"unexpected batch answer {response.status_code}: {response.content[:500]!r}")
            started = time.perf_counter()
            with copy_conn.cursor() as cursor:
                with cursor.copy(f"COPY {COPY_TABLE} (source, external_id, title, body) FROM STDIN") as copy:
                    for item in items:
                        copy.write_row((item["source"], item["external_id"], item["title"], item["body"]))
            copy_conn.commit()
            copy_spent = time.perf_counter() - started
            if b > 0:
                batch_rates.append(args.batch_size / spent)
                copy_rates.append(args.batch_size / copy_spent)
            say(f"  batch {b}: {args.batch_size / spent:,.0f} articles/s; COPY {args.batch_size / copy_spent:,.0f} rows/s")
        if args.profile:
            items = [article(bodies, f"{run}-profile", i) for i in range(args.batch_size)]
            payload = json.dumps({"articles": items})
            profile_call(f"one batch of {args.batch_size}", lambda: client.post(
                "/api/v1/articles/batch/", payload, content_type="application/json"))
    finally:
        copy_conn.close()
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        with connection.cursor() as db:
            for table in (FLOOR_TABLE, COPY_TABLE):
                db.execute(f"DROP TABLE IF EXISTS {table}")

    p50, p95 = statistics.median(single), percentile(single, 0.95)
    floor_p50, floor_p95 = statistics.median(floor), percentile(floor, 0.95)
    batch_rate, copy_rate = statistics.median(batch_rates), statistics.median(copy_rates)
    ratio = p50 / floor_p50
    copy_ratio = batch_rate / copy_rate
    result = {
        "benchmark": "ingest: one article over the API and a batch, in-process, beside their floors",
        "database": dsn["NAME"],
        "machine": machine(),
        "body_chars": len(bodies[0]) + 20,
        "single": {
            "requests": len(single), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
            "floor_p50_ms": round(floor_p50, 3), "floor_p95_ms": round(floor_p95, 3),
            "ratio_p50_to_floor": round(ratio, 2), "sql_statements_besides_begin_commit": single_queries,
        },
        "batch": {
            "batches": len(batch_rates), "articles": args.batch_size,
            "articles_per_second": round(batch_rate), "copy_rows_per_second": round(copy_rate),
            "ratio_to_copy": round(copy_ratio, 3), "sql_statements_besides_begin_commit": batch_queries,
        },
        "targets": [
            target("single ingest p50 (ms)", round(p50, 2), round(floor_p50, 3), round(ratio, 2),
                   "<= 10 ms", p50 <= 10),
            target("single ingest p50 / one-row DRF floor", round(ratio, 2), round(floor_p50, 3), round(ratio, 2),
                   "<= 10x", ratio <= 10),
            target(f"batch of {args.batch_size} (articles/s)", round(batch_rate), round(copy_rate),
                   round(copy_ratio, 3), ">= 1000/s", batch_rate >= 1000),
            target(f"batch of {args.batch_size} / raw COPY", round(copy_ratio, 3), round(copy_rate),
                   round(copy_ratio, 3), ">= 0.1x", copy_ratio >= 0.1),
        ],
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
