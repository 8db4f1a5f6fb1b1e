"""Story growth: the worker time of copy 200 of one story against copy 5.

    .venv/bin/python bench/story_bench.py [--copies 200]

In a scratch database (newsroom_bench_story), in this process: one story grows copy by copy (a ~5 KB
Wikinews article, or seed 000 without ../shared/corpus, each copy from an outlet of its own with a
filing line of its own, and in every third and fifth copy a name misspelled). For copies 3-7 and the last five, the worker time is measured copy by copy:
its pipeline job (story assignment, passes, storing) and the story refresh it asks for, run at once
(no other copy to share it with: the worst case; in between, refreshes are coalesced as the queue
would). Medians of the five, so that one slow moment of this shared machine does not decide.
Target (issue 12): copy 200 ≤ 1.5 × copy 5. Progress on stderr, JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, machine, say, story_texts, target  # noqa: E402


def copy_text(body: str, names: list[str], k: int) -> str:
    """Copy ``k``: the feed with a filing line of its outlet; every third copy misspells the first
    name, every fifth the second (the outlets' own slips), so new copies bring new evidence too."""
    text = body
    for name, every, offset in zip(names, (3, 5), (1, 2), strict=False):
        if k % every == offset:
            text = text.replace(name, name[:2] + name[3] + name[2] + name[4:], 1)
    return f"{text}\n\nFiled by desk {k} for outlet {k}."


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=200)
    args = ap.parse_args()
    before = machine()
    bench_database("newsroom_bench_story", 12)

    from articles.management.commands.ingest import command_client
    from articles.models import Article
    from corrections import pipeline
    from corrections.models import PipelineJob
    from tests.articles.helpers import ingest

    pipeline.warm_up()
    client = command_client("bench-story")
    [[(title, body), *_]] = story_texts(1, 1, offset=int(time.time()) % 50)
    run = uuid.uuid4().hex[:8]
    measured = {k for k in range(3, 8)} | set(range(args.copies - 4, args.copies + 1))
    rows: dict[int, dict[str, float]] = {}
    names = list(dict.fromkeys(re.findall(r"\b[A-Z][a-z]{5,}\b", body[200:])))[:2]
    for k in range(1, args.copies + 1):
        text = copy_text(body, names, k)
        outcome = ingest(client, source=f"outlet-{k:03}", external_id=f"{run}-{k}", title=title, body=text)
        job = PipelineJob.objects.get(revision=outcome.revision).pk
        if k in measured:
            pipeline.run_pending_refreshes()  # what earlier copies asked for is not this copy's
            started = time.process_time()
            pipeline.run_job(job)
            job_s = time.process_time() - started
            story_id = Article.objects.values_list("story_id", flat=True).get(pk=outcome.article.pk)
            started = time.process_time()
            stats = pipeline.run_refresh(story_id)
            refresh_s = time.process_time() - started
            rows[k] = {"job_ms": round(job_s * 1000, 1), "refresh_ms": round(refresh_s * 1000, 1),
                       "affected": stats.affected if stats else 0, "passes_run": stats.passes_run if stats else 0}
            say(f"story: copy {k}: {rows[k]}")
        else:
            pipeline.run_job(job)
            if k % 25 == 0:
                pipeline.run_pending_refreshes()
                say(f"story: {k} copies")

    def median(ks: range, key: str) -> float:
        return statistics.median(rows[k][key] for k in ks)

    early, late = range(3, 8), range(args.copies - 4, args.copies + 1)
    job5, job200 = median(early, "job_ms"), median(late, "job_ms")
    total5 = statistics.median(rows[k]["job_ms"] + rows[k]["refresh_ms"] for k in early)
    total200 = statistics.median(rows[k]["job_ms"] + rows[k]["refresh_ms"] for k in late)
    result = {
        "benchmark": f"story growth: copy {args.copies} vs copy 5 (worker CPU time, medians of five copies)",
        "machine_before": before,
        "machine_after": machine(),
        "copies": rows,
        "copy_5": {"job_ms": job5, "job_and_refresh_ms": total5},
        f"copy_{args.copies}": {"job_ms": job200, "job_and_refresh_ms": total200},
        "targets": [
            target(f"story growth: worker time of copy {args.copies} / copy 5 (job and its own refresh)",
                   round(total200 / total5, 2), round(total5, 1), round(total200 / total5, 2), "<= 1.5x",
                   total200 / total5 <= 1.5),
            target(f"story growth: pipeline job of copy {args.copies} / copy 5 (without the refresh)",
                   round(job200 / job5, 2), round(job5, 1), round(job200 / job5, 2), "<= 1.5x", job200 / job5 <= 1.5),
        ],
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
