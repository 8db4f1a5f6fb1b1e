"""Pass quality (the ops page) on a big suggestions table: query plans and times; prints JSON.

    .venv/bin/python bench/quality_bench.py [--suggestions 1000000] [--runs 5] [--keep]

Builds a scratch database (``<name>_quality_bench`` next to the configured one), migrates it, and
generates N suggestions over 90 days in SQL (``generate_series``, in the order they were made, as
an append-mostly table holds them; the row-history triggers are off for the load, as for a
restore): half decided by editors (accepted, edited or rejected) within the hour, the rest
pending, stale or auto-applied, spread over 2,000 rules of 9 passes and 50 sources. For each
grouping of corrections.quality it runs EXPLAIN ANALYZE on the query with the partial index of
migration 0009 and, as the floor, without it (the index dropped, then rebuilt CONCURRENTLY and
timed), and times the whole ops page as an admin. The scratch database is dropped unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

from ui_bench import recreate_database, scratch_url  # noqa: E402

PASSES = ("encoding", "whitespace", "boilerplate", "duplicate", "punctuation", "entities", "house_style",
          "spelling", "grammar")


def load(n: int) -> None:
    """Sources, one article and revision per 50 suggestions, and the suggestions, all in SQL."""
    from django.db import connection

    articles = max(n // 50, 1)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no row history for a bulk load
        cursor.execute("INSERT INTO articles_source (slug, name, created_at) "
                       "SELECT 'outlet-' || i, 'Outlet ' || i, now() FROM generate_series(1, 50) i")
        cursor.execute(
            """
            INSERT INTO articles_article (id, source_id, external_id, title, content_type, language, url, status,
                                          status_detail, revision_number, invisible_chars, created_at, updated_at)
            SELECT i, (SELECT min(id) FROM articles_source) + i %% 50, 'ext-' || i, 'Title ' || i, 'text/plain',
                   'en', '', 'in_review', '', 1, 0, now() - (i %% 90) * interval '1 day', now()
            FROM generate_series(1, %(articles)s) i
            """, {"articles": articles})
        cursor.execute(
            """
            INSERT INTO articles_revision (id, article_id, number, title, text, text_sha256, created_at,
                                           created_by_system, reason)
            SELECT i, i, 1, 'Title ' || i, 'Teh text of article ' || i, md5(i::text), now(), 'bench', 'received'
            FROM generate_series(1, %(articles)s) i
            """, {"articles": articles})
        cursor.execute(
            """
            INSERT INTO corrections_suggestion (revision_id, pass_name, kind, start, "end", original, replacement,
                applied_replacement, confidence, explanation, evidence, rule, status, status_note, created_at,
                decided_at)
            SELECT 1 + i %% %(articles)s, p.name, p.kind, (i / %(articles)s) * 4, (i / %(articles)s) * 4 + 3,
                   'Teh', 'The',
                   CASE WHEN d.status = 'edited' THEN 'Then' WHEN d.status = 'accepted' THEN 'The' ELSE '' END,
                   0.5 + (i %% 50) / 100.0, 'A bench suggestion.', '[]',
                   CASE WHEN p.name = 'house_style' THEN 'style:' || (1 + i %% 300)
                        WHEN p.name = 'entities' THEN 'entity:' || (1 + i %% 1500)
                        WHEN p.name = 'boilerplate' THEN 'pattern:' || lpad(to_hex(i %% 200), 12, '0')
                        ELSE '' END,
                   CASE WHEN d.status = 'edited' THEN 'accepted' ELSE d.status END, '',
                   now() - interval '90 days' * (%(n)s - i) / %(n)s,
                   CASE WHEN d.status IN ('accepted', 'edited', 'rejected', 'applied', 'stale')
                        THEN now() - interval '90 days' * (%(n)s - i) / %(n)s + interval '1 hour' END
            FROM generate_series(1, %(n)s) i
            CROSS JOIN LATERAL (SELECT (ARRAY['encoding', 'whitespace', 'boilerplate', 'duplicate', 'punctuation',
                                              'entities', 'house_style', 'spelling', 'grammar'])[1 + i %% 9] AS name,
                                       (ARRAY['encoding', 'whitespace', 'boilerplate', 'duplicate', 'punctuation',
                                              'entity', 'style', 'spelling', 'grammar'])[1 + i %% 9] AS kind) p
            CROSS JOIN LATERAL (SELECT (ARRAY['pending', 'pending', 'stale', 'stale', 'applied', 'pending',
                                              'accepted', 'accepted', 'edited', 'rejected', 'rejected',
                                              'accepted'])[1 + (i / 9) %% 12] AS status) d
            """, {"n": n, "articles": articles})
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("articles_article", "articles_revision"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("VACUUM ANALYZE corrections_suggestion")


def explain(grouping: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from corrections.quality import quality_sql

    now = timezone.now()
    params = {"week": now - timezone.timedelta(days=7), "month": now - timezone.timedelta(days=30)}
    times, plan = [], None
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + quality_sql(grouping), params)  # type: ignore[arg-type]
            plan = cursor.fetchone()[0][0]
            times.append(plan["Execution Time"])
    assert plan is not None

    def nodes(node: dict[str, Any]) -> list[str]:
        name = node["Node Type"] + (f" on {node['Index Name']}" if "Index Name" in node else "")
        return [name] + [n for child in node.get("Plans", []) for n in nodes(child)]

    return {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
            "rows": plan["Plan"].get("Actual Rows"), "plan": nodes(plan["Plan"])}


def page_ms(runs: int) -> float:
    from django.test import Client

    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="bench-admin", roles=["admin"], is_staff=True))
    client.get("/ops/")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get("/ops/").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suggestions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    url, admin_url, name = scratch_url()
    name = name.replace("_ui_bench", "_quality_bench")
    url = url.replace("_ui_bench", "_quality_bench")
    recreate_database(admin_url, name)
    os.environ["DATABASE_URL"] = url
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        load(args.suggestions)
        loaded = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FILTER (WHERE status IN ('accepted', 'rejected') "
                           "AND decided_at >= now() - interval '30 days'), count(*) FROM corrections_suggestion")
            decided_30, total = cursor.fetchone()
        with_index = {g: explain(g, args.runs) for g in ("rule", "pass", "source")}
        page_with_index = page_ms(args.runs)
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX suggestion_decided_idx")
        floor = {g: explain(g, args.runs) for g in ("rule", "pass", "source")}
        page_without_index = page_ms(args.runs)
        with connection.cursor() as cursor:
            built = time.perf_counter()
            cursor.execute("CREATE INDEX CONCURRENTLY suggestion_decided_idx ON corrections_suggestion (decided_at) "
                           "WHERE status IN ('accepted', 'rejected')")
            build_seconds = time.perf_counter() - built
        report = {
            "suggestions": total, "decided_last_30_days": decided_30,
            "setup_seconds": {"migrate": round(migrated - started, 1), "load": round(loaded - migrated, 1)},
            "pass_quality_with_index": with_index,
            "floor_without_index": floor,
            "ops_page_median_ms": {"with_index": page_with_index, "without_index": page_without_index},
            "index_build_concurrently_seconds": round(build_seconds, 1),
        }
        connection.close()
    finally:
        recreate_database(admin_url, name, drop_only=not args.keep) if not args.keep else None
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
