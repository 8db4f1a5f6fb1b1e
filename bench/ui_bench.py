"""Server time of the desk's pages on large data: prints JSON.

    .venv/bin/python bench/ui_bench.py [--articles 100000] [--suggestions 200] [--runs 30] [--keep]

Builds a scratch database (``<name>_ui_bench`` next to the configured one), migrates it, loads
N articles with revisions and pending suggestions by COPY, and one article with S suggestions in a
story with other outlets' copies. Each page is requested in-process through Django's test client
as a logged-in editor (DEBUG off, the full middleware stack, real PostgreSQL): the time measured is
what the server spends, from request to rendered response. The scratch database is dropped at the
end unless --keep. Targets (issue 5): review page median ≤ 100 ms, queue page median ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

WORDS = ("minister summit talks ceasefire parliament election harbour council budget report weather storm "
         "markets police court trial vote reform health schools transport energy climate union strike").split()
# What the queue's search needs (proposed in /work/notes/ui_requests.md); the expressions match the
# SQL that django.contrib.postgres's SearchVector(..., config="english") generates.
KINDS = ("spelling", "entity", "style", "punctuation", "whitespace", "grammar")


def scratch_url(suffix: str = "_ui_bench") -> tuple[str, str, str]:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path="/" + name)), admin, name


def recreate_database(admin_url: str, name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def copy_rows(cursor: object, table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row(row)


def load_queue_data(n: int, rng: random.Random) -> None:
    from django.db import connection

    from articles.models import Source, Story

    sources = Source.objects.bulk_create([Source(slug=f"outlet-{i:02d}", name=f"Outlet {i}") for i in range(20)])
    stories = Story.objects.bulk_create([Story(title=f"Story {i}") for i in range(n // 5)])
    now = datetime.now(UTC)
    statuses = ["in_review"] * 8 + ["published", "received"]
    articles, revisions, suggestions = [], [], []
    for i in range(1, n + 1):
        words = [rng.choice(WORDS) for _ in range(60)]
        text = " ".join(words).capitalize() + "."
        created = now - timedelta(minutes=n - i + rng.random())
        title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
        articles.append((i, rng.choice(sources).pk, f"ext-{i}", title, "text/plain", "en", "", rng.choice(statuses),
                         "", 1, rng.choice(stories).pk, 0, created, created))
        revisions.append((i, i, 1, title, text, hashlib.sha256(text.encode()).hexdigest(), created, "bench",
                          "received"))
        for k in range(rng.randint(0, 4)):
            start = text.index(words[k * 10]) if k else 0
            end = start + len(words[k * 10])
            suggestions.append((i, f"bench{k}", rng.choice(KINDS), start, end, text[start:end], text[start:end].upper(),
                                0.5 + rng.random() / 2, "A bench suggestion.", "[]", "pending", "", created))
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        copy_rows(raw, "articles_article",
                  ["id", "source_id", "external_id", "title", "content_type", "language", "url", "status",
                   "status_detail", "revision_number", "story_id", "invisible_chars", "created_at", "updated_at"],
                  articles)
        copy_rows(raw, "articles_revision",
                  ["id", "article_id", "number", "title", "text", "text_sha256", "created_at", "created_by_system",
                   "reason"],
                  revisions)
        copy_rows(raw, "corrections_suggestion",
                  ["revision_id", "pass_name", "kind", "start", '"end"', "original", "replacement", "confidence",
                   "explanation", "evidence", "status", "status_note", "created_at"], suggestions)
        for table in ("articles_article", "articles_revision"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")


def load_review_article(n_suggestions: int, rng: random.Random) -> int:
    from articles.models import Article, Revision, Source, Story
    from corrections.models import Suggestion

    seeds = sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in seeds)
    story = Story.objects.create(title="Bench story")
    source = Source.objects.create(slug="bench-main")
    article = Article.objects.create(source=source, external_id="bench-review", title="The bench article",
                                     status="in_review", story=story)
    revision = Revision.objects.create(article=article, number=1, title=article.title, text=text, reason="received",
                                       text_sha256=hashlib.sha256(text.encode()).hexdigest(), created_by_system="bench")
    for i, path in enumerate(seeds):  # other outlets' copies of the same story
        other = Article.objects.create(source=Source.objects.create(slug=f"bench-copy-{i}"), external_id=f"copy-{i}",
                                       title=path.stem, status="in_review", story=story)
        body = path.read_text(encoding="utf-8")
        Revision.objects.create(article=other, number=1, title=other.title, text=body, reason="received",
                                created_by_system="bench",
                                text_sha256=hashlib.sha256(body.encode()).hexdigest())
    positions = sorted(rng.sample([i for i in range(1, len(text)) if text[i - 1] == " " and text[i].isalpha()],
                                  n_suggestions))
    rows = []
    for pos in positions:
        end = pos
        while end < len(text) and text[end].isalpha():
            end += 1
        word = text[pos:end]
        kind = rng.choice(KINDS)
        replacement = word.capitalize() if kind == "entity" else word.upper()
        rows.append(Suggestion(revision=revision, pass_name="bench", kind=kind, start=pos, end=end, original=word,
                               replacement=replacement, confidence=round(rng.random(), 2),
                               explanation=f"'{word}' should be '{replacement}' here.", evidence=["seen 3 times"]))
    Suggestion.objects.bulk_create(rows)
    return article.pk


def measure(client: object, url: str, runs: int) -> dict[str, float]:
    client.get(url)  # type: ignore[attr-defined]  # warm-up: templates, connection, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "min_ms": round(times[0], 1), "runs": runs, "bytes": len(response.content)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    url, admin_url, name = scratch_url()
    recreate_database(admin_url, name)
    os.environ["DATABASE_URL"] = url
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from tests.factories import UserFactory

        rng = random.Random(5)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        load_queue_data(args.articles, rng)
        review_id = load_review_article(args.suggestions, rng)
        loaded = time.perf_counter()

        client = Client()
        client.force_login(UserFactory(username="bench-editor", roles=["editor"]))
        first_page = client.get("/").content.decode()
        cursor = first_page.split('rel="next"')[0].rsplit("after=", 1)[-1].split('"')[0].split("&")[0]
        results = {
            "review_page": measure(client, f"/articles/{review_id}/", args.runs),
            "queue_page": measure(client, "/", args.runs),
            "queue_page_newest_first": measure(client, "/?status=in_review&sort=newest", args.runs),
            "queue_page_2": measure(client, f"/?status=in_review&after={cursor}", args.runs),
            "queue_kind_filter": measure(client, "/?status=in_review&kind=grammar", args.runs),
            "queue_source_filter": measure(client, "/?status=in_review&source=outlet-07", args.runs),
            "queue_search": measure(client, "/?status=in_review&q=ceasefire+harbour", max(5, args.runs // 6)),
            "history_page": measure(client, f"/articles/{review_id}/history/", args.runs),
        }
        report = {
            "articles": args.articles, "review_suggestions": args.suggestions,
            "setup_seconds": {"migrate": round(migrated - started, 1), "load": round(loaded - migrated, 1)},
            "pages": results,
            "targets": {"review_page_median_ms": 100, "queue_page_median_ms": 150},
            "meets_targets": results["review_page"]["median_ms"] <= 100 and results["queue_page"]["median_ms"] <= 150,
        }
        connection.close()
    finally:
        if not args.keep:
            recreate_database(admin_url, name, drop_only=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
