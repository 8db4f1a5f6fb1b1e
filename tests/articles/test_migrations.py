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
