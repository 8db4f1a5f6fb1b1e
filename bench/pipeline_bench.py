"""End-to-end throughput of one worker process: ingest → Redis → Celery → passes → PostgreSQL.

    .venv/bin/python bench/pipeline_bench.py [--articles 200]

Uses its own database (newsroom_bench, created and migrated if missing) and Redis database 14, so
a running system is not disturbed. Prints JSON: articles per second for one worker process (-c 1)
from the first commit to the last job done, next to the floor measured in the same run: the same
passes called in-process on the same texts, with no database, broker or story refresh.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "newsroom_bench"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    args = ap.parse_args()

    base_db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom")
    bench_db = base_db.rsplit("/", 1)[0] + "/" + BENCH_DB
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/14"
    os.environ.update(DATABASE_URL=bench_db, REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="newsroom.settings",
                      CACHE_KEY_PREFIX="newsroom-bench", NEWSROOM_API_RATE="1000000/min")

    import psycopg

    with psycopg.connect(base_db.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')

    import django

    django.setup()
    import redis
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_seeds", "--no-articles", verbosity=0, stdout=open(os.devnull, "w"))
    redis.Redis.from_url(redis_url).flushdb()

    from articles.management.commands.ingest import command_client
    from articles.models import Article
    from corrections import pipeline
    from corrections.models import PipelineJob
    from corrections.passes.base import PassContext
    from corrections.reference import get_reference_snapshot
    from tests.articles.helpers import ingest

    seeds = sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]

    # The floor: the passes alone, in this process, on the same texts.
    pipeline.warm_up()
    snapshot = get_reference_snapshot()
    context = PassContext(gazetteer=snapshot.gazetteer, style_rules=snapshot.style_rules)
    floor = []
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            for module in pipeline.pass_modules():
                module.run(text, context)
        floor.append(len(texts) / (time.perf_counter() - started))

    log = open("/tmp/newsroom-bench-worker.log", "wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "newsroom", "worker", "-c", "1", "--without-gossip",
         "--without-mingle", "-l", "warning", "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(8)  # worker start-up and warm-up are not part of the measurement
        client = command_client("bench")
        run = uuid.uuid4().hex[:8]
        started = time.perf_counter()
        ids = []
        for i in range(args.articles):
            text = texts[i % len(texts)]
            outcome = ingest(client, source=f"bench-outlet-{i % 7}", external_id=f"{run}-{i}",
                             title=text.split("\n", 1)[0][:200], body=text + f"\n\n(copy {i})")
            ids.append(outcome.article.pk)
        ingest_seconds = time.perf_counter() - started
        while PipelineJob.objects.filter(article_id__in=ids).exclude(state__in=["done", "failed"]).exists():
            if time.perf_counter() - started > 600:
                raise SystemExit("jobs did not finish within 10 minutes; see /tmp/newsroom-bench-worker.log")
            time.sleep(0.2)
        total = time.perf_counter() - started
        failed = PipelineJob.objects.filter(article_id__in=ids, state="failed").count()
        in_review = Article.objects.filter(pk__in=ids, status="in_review").count()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()

    result = {
        "benchmark": "pipeline end to end, one worker process",
        "articles": args.articles,
        "ingest_seconds": round(ingest_seconds, 2),
        "total_seconds": round(total, 2),
        "articles_per_second": round(args.articles / total, 2),
        "floor_passes_only_articles_per_second": round(statistics.median(floor), 2),
        "ratio_floor_over_end_to_end": round(statistics.median(floor) / (args.articles / total), 2),
        "in_review": in_review,
        "failed": failed,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
