"""Row history cannot be bypassed: triggers record every change to a tracked table, with context.

RELIABILITY G4: a change made through ``QuerySet.update()``, ``bulk_create`` or raw SQL still leaves
its history row, carrying the request or job that made it.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from articles.models import Article, Revision, RowChange
from corrections import tasks
from corrections.models import PipelineJob, Suggestion
from newsroom import db_context
from tests.corrections.desk import article_with_text, suggest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Teh minister met the mayor in Kiev on Monday."


def changes(table: str, **filters: object) -> list[RowChange]:
    return list(RowChange.objects.filter(table_name=table, **filters).order_by("id"))


def row_sha256(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT to_jsonb(t)::text FROM {table} AS t WHERE id = %s", [pk])  # noqa: S608 - fixed names
        (doc,) = cursor.fetchone()
    return hashlib.sha256(doc.encode()).hexdigest()


def test_queryset_update_leaves_one_history_row_per_row_with_the_columns_it_changed() -> None:
    article = article_with_text(TEXT)
    a, b = suggest(article, "Teh", "The"), suggest(article, "Kiev", "Kyiv", kind="style")
    before = {s.pk: row_sha256("corrections_suggestion", s.pk) for s in (a, b)}

    with db_context.bound(request_id="req-bulk-update", actor="user:7 night-editor"):
        updated = Suggestion.objects.filter(pk__in=[a.pk, b.pk]).update(status="rejected")

    assert updated == 2
    rows = changes("corrections_suggestion", operation="UPDATE")
    assert {r.row_id for r in rows} == {a.pk, b.pk}
    for row in rows:
        assert row.changed_columns == ["status"]
        assert (row.request_id, row.actor) == ("req-bulk-update", "user:7 night-editor")
        assert row.before_sha256 == before[row.row_id]
        assert row.after_sha256 == row_sha256("corrections_suggestion", row.row_id) != row.before_sha256


def test_bulk_create_is_recorded_row_by_row() -> None:
    article = article_with_text(TEXT)
    revision = Revision.objects.get(article=article, number=1)
    with db_context.bound(request_id="req-bulk-create", actor="job:41"):
        created = Suggestion.objects.bulk_create(
            Suggestion(revision=revision, pass_name="test", kind="spelling", start=i, end=i + 1,
                       original=TEXT[i], replacement="x", confidence=0.5, explanation="A test.")
            for i in range(5)
        )
    rows = changes("corrections_suggestion", operation="INSERT")
    assert [r.row_id for r in rows] == [s.pk for s in created]
    assert all((r.request_id, r.actor, r.before_sha256) == ("req-bulk-create", "job:41", "") for r in rows)
    assert all(len(r.after_sha256) == 64 for r in rows)


def test_raw_sql_update_and_delete_are_recorded() -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")
    with db_context.bound(request_id="req-raw", actor="psql by hand"), connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET title = 'Changed behind the ORM' WHERE id = %s", [article.pk])
        cursor.execute("DELETE FROM corrections_suggestion WHERE id = %s", [s.pk])

    (update,) = changes("articles_article", request_id="req-raw")
    assert update.row_id == article.pk and update.changed_columns == ["title"]
    (delete,) = changes("corrections_suggestion", operation="DELETE")
    assert (delete.row_id, delete.request_id, delete.actor, delete.after_sha256) == (s.pk, "req-raw", "psql by hand", "")
    assert len(delete.before_sha256) == 64


def test_a_change_no_request_claims_still_names_the_program_and_role() -> None:
    article = article_with_text(TEXT)
    last = RowChange.objects.latest("id").pk
    Article.objects.filter(pk=article.pk).update(title="Unclaimed")
    (row,) = changes("articles_article", id__gt=last)
    assert row.request_id == "" and row.actor == ""
    assert row.application_name.startswith("newsroom")  # settings name the program for PostgreSQL
    assert row.db_user and row.transaction_id > 0


def test_an_update_that_changes_nothing_is_not_a_change() -> None:
    article = article_with_text(TEXT)
    last = RowChange.objects.latest("id").pk
    article.save()  # every field as it was (updated_at aside, which auto_now moves)
    Article.objects.filter(pk=article.pk).update(title=article.title)
    rows = changes("articles_article", operation="UPDATE", id__gt=last)
    assert [r.changed_columns for r in rows] == [["updated_at"]]


def test_the_history_is_append_only() -> None:
    article = article_with_text(TEXT)
    row = changes("articles_article")[0]
    for statement in ("UPDATE articles_rowchange SET actor = 'someone else' WHERE id = %s",
                      "DELETE FROM articles_rowchange WHERE id = %s"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(statement, [row.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        RowChange.objects.filter(pk=row.pk).update(actor="someone else")
    assert RowChange.objects.get(pk=row.pk).actor == row.actor
    assert article.pk == row.row_id


def test_an_api_request_tags_its_rows_with_its_request_id_and_client(token_client: APIClient) -> None:
    response = token_client.post(
        "/api/v1/articles/",
        json.dumps({"source": "wire", "external_id": "g4", "title": "T", "body": TEXT}),
        content_type="application/json", HTTP_X_REQUEST_ID="g4-ingest-1",
    )
    assert response.status_code == 201, response.content
    article_id = response.json()["id"]
    rows = RowChange.objects.filter(request_id="g4-ingest-1")
    tables = set(rows.values_list("table_name", flat=True))
    assert {"articles_article", "articles_revision"} <= tables
    client = token_client.api_client  # type: ignore[attr-defined]
    assert set(rows.values_list("actor", flat=True)) == {f"client:{client.pk} {client.name}"}
    assert rows.filter(table_name="articles_article", row_id=article_id, operation="INSERT").exists()

    # The connection does not lend the tag to whatever runs on it next.
    Article.objects.filter(pk=article_id).update(title="Later")
    assert RowChange.objects.filter(table_name="articles_article", row_id=article_id).latest("id").request_id == ""


def test_an_editors_decision_is_tagged_with_the_user() -> None:
    article = article_with_text(TEXT)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.IN_REVIEW)
    s = suggest(article, "Teh", "The")
    editor = UserFactory(username="g4-editor", roles=["editor"])
    desk = Client()
    desk.force_login(editor)
    response = desk.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "reject"},
                         HTTP_X_REQUEST_ID="g4-decide-1")
    assert response.status_code in (200, 302)
    (row,) = changes("corrections_suggestion", operation="UPDATE", row_id=s.pk)
    assert (row.request_id, row.actor) == ("g4-decide-1", f"user:{editor.pk} g4-editor")
    assert "status" in row.changed_columns


def test_a_pipeline_job_tags_its_rows_with_the_task_and_job() -> None:
    article = article_with_text("The minister met  the mayor on Monday.   \n\n\n\nTalks went wellÂ\nand ended.")
    job = PipelineJob.objects.get(article=article)
    task_id = uuid.uuid4().hex
    last = RowChange.objects.latest("id").pk
    tasks.run_pipeline_task.apply(args=[job.pk], task_id=task_id).get()

    assert Suggestion.objects.filter(revision__article=article).exists()
    rows = RowChange.objects.filter(table_name="corrections_suggestion", operation="INSERT")
    assert rows.exists()
    assert set(rows.values_list("request_id", "actor")) == {(f"task:{task_id}", f"job:{job.pk}")}
    article_rows = changes("articles_article", row_id=article.pk, id__gt=last)  # processing, in_review
    assert len(article_rows) >= 2 and all(r.request_id == f"task:{task_id}" for r in article_rows)


def test_the_history_trigger_runs_once_per_statement_however_many_rows_it_touches() -> None:
    article = article_with_text(TEXT)
    revision = Revision.objects.get(article=article, number=1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL track_functions = 'pl'")
        created = Suggestion.objects.bulk_create(
            Suggestion(revision=revision, pass_name="test", kind="spelling", start=i, end=i + 1,
                       original=TEXT[i], replacement="x", confidence=0.5, explanation="A test.")
            for i in range(40)
        )
        Suggestion.objects.filter(pk__in=[s.pk for s in created]).update(status="rejected")
        cursor.execute("SELECT calls FROM pg_stat_xact_user_functions WHERE funcname = 'newsroom_record_row_changes'")
        (calls,) = cursor.fetchone()
    assert calls == 2  # one INSERT statement, one UPDATE statement
    assert len(changes("corrections_suggestion", operation="INSERT")) == 40
    assert len(changes("corrections_suggestion", operation="UPDATE")) == 40


def test_one_statement_records_only_the_rows_it_changed() -> None:
    article = article_with_text(TEXT)
    a, b = suggest(article, "Teh", "The"), suggest(article, "Kiev", "Kyiv", kind="style")
    Suggestion.objects.filter(pk=b.pk).update(status="rejected")
    last = RowChange.objects.latest("id").pk
    Suggestion.objects.filter(pk__in=[a.pk, b.pk]).update(status="rejected")
    (row,) = changes("corrections_suggestion", operation="UPDATE", id__gt=last)
    assert (row.row_id, row.changed_columns) == (a.pk, ["status"])


def test_every_tracked_table_records_inserts_updates_and_deletes_per_statement() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, t.tgtype FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE p.proname LIKE 'newsroom_record_row_change%%' AND NOT t.tgisinternal
            """
        )
        found = cursor.fetchall()
    row_level, insert, delete, update = 1, 4, 8, 16
    assert not [table for table, kind in found if kind & row_level]
    tables = {table for table, _ in found}
    assert {"articles_article", "articles_revision", "corrections_suggestion", "articles_story"} <= tables
    for table in tables:
        events = {kind & (insert | delete | update) for t, kind in found if t == table}
        assert events == {insert, delete, update}, table
