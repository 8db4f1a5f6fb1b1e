"""Ingest to review with one and with two worker processes, stories of 5 copies.

    .venv/bin/python bench/throughput_bench.py [--stories 20] [--copies 5]

In a scratch database (newsroom_bench_tp) and Redis database 13: stories × copies articles of about
5 KB (distinct Wikinews events from ../shared/corpus, each printed by `copies` outlets with small
differences) are committed at once, a story's copies together, and a worker consuming the queues
`passes` and `refresh` (`-c 1`, then `-c 2` on fresh stories) takes them to review. Measured: articles
per second from the commit to the last one in review (the refreshes the stories ask for run on the
same worker meanwhile; the time until they are done too). The floor, in the same run: the passes
alone in this process on the same texts. Targets (issue 12): one process ≥ 40 articles/s; the
ratio of two processes to one is reported. Beside the wall clock, the worker's CPU seconds (its
processes, from /proc): on a machine shared with other work, articles per CPU second say what a
core of its own would do. Progress on stderr, JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    bench_database,
    cpu_seconds,
    machine,
    say,
    start_worker,
    stop_worker,
    story_texts,
    target,
)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=20)
    ap.add_argument("--copies", type=int, default=5)
    ap.add_argument("--processes", default="1,2", help="worker processes to measure, in turn")
    args = ap.parse_args()
    before = machine()
    bench_database("newsroom_bench_tp", 13)

    from django.db import transaction

    from articles.management.commands.ingest import command_client
    from articles.models import Article
    from corrections import pipeline
    from corrections.models import StoryRefresh
    from corrections.passes.base import PassContext
    from corrections.reference import get_reference_snapshot
    from tests.articles.helpers import ingest

    processes = [int(p) for p in args.processes.split(",")]
    runs: dict[int, dict[str, Any]] = {}
    client = command_client("bench-throughput")
    for k, n in enumerate(processes):
        stories = story_texts(args.stories, args.copies, offset=k * args.stories)
        if k == 0:  # the floor: the passes alone, in this process, on the same texts
            pipeline.warm_up()
            snapshot = get_reference_snapshot()
            context = PassContext(gazetteer=snapshot.gazetteer, style_rules=snapshot.style_rules)
            texts = [body for story in stories for _, body in story]
            started = time.process_time()
            for text in texts:
                for module in pipeline.pass_modules():
                    module.run(text, context)
            floor = len(texts) / (time.process_time() - started)
        log = Path(f"/tmp/newsroom-bench-tp-{n}.log")
        worker = start_worker(["-Q", "passes,refresh", "-c", str(n)], log)
        try:
            run = uuid.uuid4().hex[:8]
            ids = []
            with transaction.atomic():  # published at once, when this commits
                for s, story in enumerate(stories):
                    for c, (title, body) in enumerate(story):
                        outcome = ingest(client, source=f"outlet-{c}", external_id=f"{run}-{s}-{c}", title=title,
                                         body=body)
                        ids.append(outcome.article.pk)
                started = time.perf_counter()
                cpu_before = cpu_seconds(worker.pid)
            say(f"throughput: {len(ids)} articles committed; worker -c {n}")
            while Article.objects.filter(pk__in=ids, status="in_review").count() < len(ids):
                if time.perf_counter() - started > 900:
                    raise SystemExit(f"not all in review within 15 minutes; see {log}")
                time.sleep(0.05)
            in_review = time.perf_counter() - started
            cpu_in_review = cpu_seconds(worker.pid) - cpu_before
            while StoryRefresh.objects.exists():
                if time.perf_counter() - started > 900:
                    break
                time.sleep(0.1)
            drained = time.perf_counter() - started
            stories_made = Article.objects.filter(pk__in=ids).values("story_id").distinct().count()
        finally:
            stop_worker(worker)
        runs[n] = {"articles": len(ids), "stories": stories_made, "seconds_to_in_review": round(in_review, 2),
                   "articles_per_second": round(len(ids) / in_review, 2),
                   "worker_cpu_seconds_to_in_review": round(cpu_in_review, 2),
                   "articles_per_worker_cpu_second": round(len(ids) / cpu_in_review, 2) if cpu_in_review else None,
                   "seconds_until_refreshes_done": round(drained, 2)}
        say(f"throughput: -c {n}: {runs[n]}")
    one = float(runs[processes[0]]["articles_per_second"])
    targets = [target("one worker process, stories of 5 copies: ingest to in_review (articles/s)", one,
                      round(floor, 2), round(one / floor, 3), ">= 40/s", one >= 40)]
    per_cpu = runs[processes[0]].get("articles_per_worker_cpu_second")
    if per_cpu:
        targets.append(target("one worker process: articles per worker CPU second (a core of its own)",
                              float(per_cpu), round(floor, 2), round(float(per_cpu) / floor, 3),
                              "reported (>= 40 on a core of its own)", None))
    if len(processes) > 1:
        two = float(runs[processes[1]]["articles_per_second"])
        targets.append(target(f"{processes[1]} worker processes / {processes[0]} (throughput ratio)",
                              round(two / one, 2), one, round(two / one, 2), "reported", None))
    result = {
        "benchmark": "ingest to in_review, stories of 5 copies, by worker processes",
        "machine_before": before,
        "machine_after": machine(),
        "floor_passes_alone_articles_per_second": round(floor, 2),
        "runs": {f"-c {n}": r for n, r in runs.items()},
        "targets": targets,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
