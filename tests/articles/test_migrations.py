"""Data migrations, run against rows made with the models as they were before them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_BACKFILL = ("articles", "0014_revision_title_fill_trigger")
BACKFILL = ("articles", "0015_revision_title_backfill")


@pytest.fixture
def before_backfill() -> Iterator[Any]:
    """The apps as they were before the title backfill; the schema goes back to the latest after."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_BACKFILL])
    try:
        yield executor.loader.project_state(BEFORE_BACKFILL).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def test_backfill_gives_each_revision_the_title_it_was_made_with(before_backfill: Any) -> None:
    apps = before_backfill
    Source, ApiClient, Article = (apps.get_model("articles", m) for m in ("Source", "ApiClient", "Article"))
    IngestRequest, Revision = apps.get_model("articles", "IngestRequest"), apps.get_model("articles", "Revision")
    source = Source.objects.create(slug="wire")
    client = ApiClient.objects.create(name="feed", key_prefix="nr_x", key_hash="0" * 64)

    def request(payload: object, content_type: str = "application/json") -> Any:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return IngestRequest.objects.create(client=client, content_type=content_type, body=body)

    def revision(article: Any, number: int, ingest_request: Any = None, index: int | None = None) -> Any:
        return Revision.objects.create(article=article, number=number, text=f"text {number}", text_sha256="x",
                                       ingest_request=ingest_request, ingest_index=index, reason="r")

    # Sent, fixed at the desk, then re-sent in a batch with another title: the article only knew the last.
    resent = Article.objects.create(source=source, external_id="a", client=client, title="Second  title")
    first = revision(resent, 1, request({"source": "wire", "external_id": "a", "title": "  First\u00a0title ",
                                         "body": "text 1"}))
    desk = revision(resent, 2)
    batch = revision(resent, 3, request({"articles": [{"title": "other"}, {"title": "Second  title"}]}), index=1)
    # Ingested from a file (not JSON), and sent with bytes retention has removed since.
    from_file = Article.objects.create(source=source, external_id="b", client=client, title="File title")
    file_revision = revision(from_file, 1, request(b"File title\nbody", content_type="text/plain; charset=utf-8"))
    purged = Article.objects.create(source=source, external_id="c", client=client, title="Kept title")
    purged_revision = revision(purged, 1, request(b""))

    migrate_to(BACKFILL)

    titles = dict(Revision.objects.values_list("pk", "title"))
    assert titles[first.pk] == "  First\u00a0title "  # verbatim, as received
    assert titles[desk.pk] == "  First\u00a0title "
    assert titles[batch.pk] == "Second  title"
    assert titles[file_revision.pk] == "File title"
    assert titles[purged_revision.pk] == "Kept title"


def test_the_backfill_may_fill_a_title_but_change_nothing_else(before_backfill: Any) -> None:
    apps = before_backfill
    Source, Article, Revision = (apps.get_model("articles", m) for m in ("Source", "Article", "Revision"))
    article = Article.objects.create(source=Source.objects.create(slug="wire"), external_id="a", title="T")
    row = Revision.objects.create(article=article, number=1, text="text", text_sha256="x", reason="r")

    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE articles_revision SET title = 'T', text = 'other' WHERE id = %s", [row.pk])


BEFORE_SEARCH_TABLE = ("articles", "0018_article_withdrawn")
SEARCH_TABLE = ("articles", "0019_revision_search")


def test_the_search_vectors_move_to_their_table_and_new_ones_follow_the_revisions() -> None:
    """0019 copies each revision's stored vector to articles_revisionsearch; afterwards a revision
    made at the desk is indexed as it is inserted, one a client sent by its pipeline job."""
    from articles.models import RevisionSearch
    from articles.search import index_revision

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_SEARCH_TABLE])
    try:
        apps = executor.loader.project_state(BEFORE_SEARCH_TABLE).apps
        Source, ApiClient, Article = (apps.get_model("articles", m) for m in ("Source", "ApiClient", "Article"))
        IngestRequest, Revision = apps.get_model("articles", "IngestRequest"), apps.get_model("articles", "Revision")
        client = ApiClient.objects.create(name="feed", key_prefix="nr_x", key_hash="0" * 64)
        article = Article.objects.create(source=Source.objects.create(slug="wire"), external_id="a", client=client,
                                         title="T")
        sent = Revision.objects.create(article=article, number=1, title="T", text="Rain fell on the harbour.",
                                       text_sha256="x", reason="received", ingest_request=IngestRequest.objects.create(
                                           client=client, content_type="application/json", body=b"{}"))
        edited = Revision.objects.create(article=article, number=2, title="T", text="Rain fell on the harbours.",
                                         text_sha256="y", reason="edited")
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, search_vector::text FROM articles_revision ORDER BY id")
            before = dict(cursor.fetchall())
        migrate_to(SEARCH_TABLE)
        after = {r.revision_id: r.vector for r in RevisionSearch.objects.all()}
        assert after == before and set(after) == {sent.pk, edited.pk}

        with connection.cursor() as cursor:  # the models of now: one made at the desk, one a client sent
            cursor.execute("INSERT INTO articles_revision (article_id, number, title, text, text_sha256, created_at, "
                           "created_by_system, reason) VALUES (%s, 3, 'T', 'Snow on the harbour.', 'z', now(), "
                           "'auto-apply', 'auto') RETURNING id", [article.pk])
            desk = cursor.fetchone()[0]
            cursor.execute("INSERT INTO articles_revision (article_id, number, title, text, text_sha256, created_at, "
                           "created_by_system, reason, ingest_request_id) VALUES (%s, 4, 'T', 'Fog.', 'w', now(), '', "
                           "'re-sent', %s) RETURNING id", [article.pk, sent.ingest_request_id])
            client_sent = cursor.fetchone()[0]
        assert RevisionSearch.objects.filter(revision_id=desk).exists()
        assert not RevisionSearch.objects.filter(revision_id=client_sent).exists()
        index_revision(client_sent)
        index_revision(client_sent)  # once, however often the job runs
        assert RevisionSearch.objects.filter(revision_id=client_sent).count() == 1
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
