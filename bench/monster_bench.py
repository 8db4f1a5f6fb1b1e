"""Monster articles: how long each pass takes, what it finds, and what the review page costs, by size.

    DATABASE_URL=... .venv/bin/python bench/monster_bench.py [--sizes 100000,500000,1000000,2000000]
                                                             [--runs 3] [--keep]

Builds a scratch database (``<name>_monster_bench`` next to the configured one), migrates it and
loads the starter gazetteer and house style. For each size, it POSTs one article of that many
bytes of prose with repeated slips (tests/monster.py) through the API as a client, runs its
pipeline job in this process (what a worker does, minus the broker), then opens its review page as
an editor through Django's test client (DEBUG off, full middleware, real PostgreSQL) and reads its
suggestions through the API, first and last page. Prints JSON per size: time from ingest to
review, each pass's time, suggestions and stop note, the suggestions stored, the review page's
server time (median of --runs) and HTML size, and the API's page times. The floor, measured in the
same run on the same text: ``ftfy.fix_text`` over it (linear, the yardstick of the passes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ui_bench import recreate_database, scratch_url  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_API_RATE", "1000000/min")

SIZES = (100_000, 500_000, 1_000_000, 2_000_000)


def timed_get(client: object, url: str, runs: int, **headers: str) -> tuple[list[float], bytes]:
    times = []
    body = b""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, **headers)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content
    return times, body


def measure_size(size: int, runs: int, api: object, editor: object, token: str) -> dict[str, object]:
    import ftfy

    from articles.models import Article
    from corrections.models import PassRun, PipelineJob, Suggestion
    from corrections.pipeline import run_job
    from tests.monster import monster_text

    try:
        from corrections.review_paging import review_window
    except ImportError:  # measuring a commit from before the review page was paged
        review_window = None  # type: ignore[assignment]

    text = monster_text(size)
    started = time.perf_counter()
    ftfy.fix_text(text)
    floor = time.perf_counter() - started

    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    payload = json.dumps({"source": "monster-bench", "external_id": f"monster-{size}", "title": f"Monster {size}",
                          "body": text}, ensure_ascii=False)
    started = time.perf_counter()
    response = api.post("/api/v1/articles/", payload, content_type="application/json", **auth)  # type: ignore[attr-defined]
    ingest_seconds = time.perf_counter() - started
    assert response.status_code == 201, response.content[:300]
    article_id = response.json()["id"]
    job = PipelineJob.objects.get(article_id=article_id)
    run_job(job.pk, task_id=f"bench-{size}")
    to_review = time.perf_counter() - started
    article = Article.objects.get(pk=article_id)

    passes = []
    for run in PassRun.objects.filter(revision__article_id=article_id).order_by("id"):
        entry: dict[str, object] = {"pass": run.pass_name, "seconds": round(run.duration_ms / 1000, 2),
                                    "suggestions": run.suggestion_count}
        note = getattr(run, "stop_note", "")
        if note:
            entry["stopped"] = note
        passes.append(entry)
    stored = Suggestion.objects.filter(revision__article_id=article_id)

    editor.get(f"/articles/{article_id}/")  # type: ignore[attr-defined]  # warm-up
    page_times, html = timed_get(editor, f"/articles/{article_id}/", runs)
    pending = list(stored.filter(status="pending"))
    parts = len(review_window(text, pending).sections) if review_window is not None else 1
    last_part_times, last_html = timed_get(editor, f"/articles/{article_id}/?section=1000000", runs)
    api_pages = measure_api(api, article_id, runs, auth)
    decisions = measure_decisions(editor, article_id)
    after = measure_api(api, article_id, runs, auth)
    return {
        "bytes": len(text.encode("utf-8")),
        "paragraphs": text.count("\n\n") + 1,
        "floor_ftfy_seconds": round(floor, 2),
        "ingest_seconds": round(ingest_seconds, 2),
        "to_review_seconds": round(to_review, 2),
        "status": article.status,
        "passes": passes,
        "suggestions_stored": stored.count(),
        "notices": stored.filter(kind="notice").count(),
        "review_page": {"median_seconds": round(statistics.median(page_times), 3),
                        "max_seconds": round(max(page_times), 3), "html_bytes": len(html),
                        "parts": parts,
                        "groups": html.count(b'class="card group'),
                        "last_part_median_seconds": round(statistics.median(last_part_times), 3),
                        "last_part_html_bytes": len(last_html)},
        "api_suggestions": api_pages,
        "decisions": decisions,
        "api_suggestions_after_decisions": after,
    }


def measure_api(api: object, article_id: int, runs: int, auth: dict[str, str]) -> dict[str, object]:
    first_times, first = timed_get(api, f"/api/v1/articles/{article_id}/suggestions/?page_size=200", runs, **auth)
    count = json.loads(first)["count"]
    last_page = max(1, -(-count // 200))
    last_times, _ = timed_get(api, f"/api/v1/articles/{article_id}/suggestions/?page_size=200&page={last_page}",
                              runs, **auth)
    return {"count": count, "first_page_median_seconds": round(statistics.median(first_times), 3),
            "last_page_median_seconds": round(statistics.median(last_times), 3)}


def measure_decisions(editor: object, article_id: int) -> dict[str, object]:
    """Server time of an editor's decisions on the article, as htmx sends them from the review page:
    accepting one suggestion, then the largest group of identical ones (when the page has groups)."""
    from django.db.models import Count

    from articles.models import Article
    from corrections.models import Suggestion

    def pending() -> object:
        number = Article.objects.get(pk=article_id).revision_number
        return Suggestion.objects.filter(revision__article_id=article_id, revision__number=number, status="pending")

    out: dict[str, object] = {}
    number = Article.objects.get(pk=article_id).revision_number
    keys = ("pass_name", "kind", "original", "replacement")
    sizes = pending().exclude(kind="notice").values(*keys).annotate(n=Count("id")).order_by("-n")  # type: ignore[attr-defined]
    single = next((row for row in sizes if row["n"] == 1), None)
    if single is not None:
        s = pending().filter(**{k: single[k] for k in keys}).first()  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = editor.post(f"/suggestions/{s.pk}/decide/", {"revision": number, "action": "accept"},  # type: ignore[attr-defined]
                               HTTP_HX_REQUEST="true")
        out["accept_one_seconds"] = round(time.perf_counter() - started, 3)
        assert response.status_code == 200, response.content[:300]
        number += 1
    if sizes and sizes[0]["n"] > 1:
        group = sizes[0]
        s = pending().filter(**{k: group[k] for k in keys}).first()  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = editor.post(f"/suggestions/{s.pk}/group/", {"revision": number, "action": "accept"},  # type: ignore[attr-defined]
                               HTTP_HX_REQUEST="true")
        out["accept_group_seconds"] = round(time.perf_counter() - started, 3)
        out["accept_group_places"] = group["n"]
        assert response.status_code == 200, response.content[:300]
    out["pending_after"] = pending().count()  # type: ignore[attr-defined]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    url, admin_url, name = scratch_url("_monster_bench")
    recreate_database(admin_url, name)
    os.environ["DATABASE_URL"] = url
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from articles.tokens import create_api_token
        from corrections.pipeline import warm_up
        from tests.factories import UserFactory

        call_command("migrate", verbosity=0)
        call_command("load_seeds", "--no-articles", verbosity=0, stdout=open(os.devnull, "w"))
        warm_up()
        _, token = create_api_token("monster-bench")
        editor = Client()
        editor.force_login(UserFactory(username="bench-editor", roles=["editor"]))
        api = Client()
        results = [measure_size(int(size), args.runs, api, editor, token) for size in args.sizes.split(",")]
        limits = {key: getattr(settings, key) for key in dir(settings)
                  if key.startswith(("NEWSROOM_MAX_SUGGESTIONS", "NEWSROOM_PASS_", "NEWSROOM_REVIEW_"))}
        report = {"benchmark": "monster articles: passes, review page and API by size", "limits": limits,
                  "sizes": results}
        connection.close()
    finally:
        if not args.keep:
            recreate_database(admin_url, name, drop_only=True)
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
