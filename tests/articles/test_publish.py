"""Publishing: canonical versions, corrections with notes, immutability, and concurrent publishes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, InternalError, connection, connections, transaction
from rest_framework.test import APIClient

from articles.models import AuditEvent, Publication, Revision
from articles.tokens import create_api_token
from corrections import pipeline
from corrections.models import PipelineJob, Suggestion
from corrections.review import accept_suggestion
from tests.articles.helpers import ingest
from tests.factories import UserFactory

SEED_001 = next((Path(__file__).resolve().parents[2] / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def reviewed(db: None):  # type: ignore[no-untyped-def]
    """Seed 001 after the pipeline, with its stray 'Â' accepted by an editor (revision 2)."""
    client = create_api_token("publish-tests")[0]
    outcome = ingest(client, body=SEED_001, external_id="p-001")
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    editor = UserFactory(username="ed", roles=["editor"])
    stray = Suggestion.objects.get(revision=outcome.revision, original="Â")
    accept_suggestion(suggestion_id=stray.pk, seen_revision=1, actor=editor)
    return outcome.article


def publisher_api() -> APIClient:
    api = APIClient()
    api.force_authenticate(UserFactory(username="chief", roles=["publisher"]))
    return api


def publish(api: APIClient, article_id: int, **body: object):  # type: ignore[no-untyped-def]
    return api.post(f"/api/v1/articles/{article_id}/publish/", body, format="json")


def test_canonical_returns_the_text_with_accepted_suggestions_applied(reviewed) -> None:  # type: ignore[no-untyped-def]
    api = publisher_api()
    response = publish(api, reviewed.pk, revision=2, confirm_pending=True)
    assert response.status_code == 201, response.content
    canonical = api.get(f"/api/v1/articles/{reviewed.pk}/canonical/").json()
    assert canonical["number"] == 1 and canonical["revision"] == 2
    assert canonical["text"] == SEED_001.replace("negotiate.Â", "negotiate.")
    assert canonical["corrections"] == []
    assert api.get(f"/api/v1/articles/{reviewed.pk}/").json()["status"] == "published"


def test_publishing_with_pending_suggestions_needs_the_explicit_flag(reviewed) -> None:  # type: ignore[no-untyped-def]
    response = publish(publisher_api(), reviewed.pk, revision=2)
    assert response.status_code == 409
    assert "pending" in response.json()["detail"]
    assert Publication.objects.count() == 0


def test_correction_without_a_note_is_400_and_with_a_note_links_a_new_publication(reviewed) -> None:  # type: ignore[no-untyped-def]
    api = publisher_api()
    first = publish(api, reviewed.pk, revision=1, confirm_pending=True).json()
    refused = publish(api, reviewed.pk, revision=2, confirm_pending=True)
    assert refused.status_code == 400
    assert "correction_note" in refused.json()["errors"]
    note = "An earlier version carried a stray character at the end of a paragraph."
    corrected = publish(api, reviewed.pk, revision=2, confirm_pending=True, correction_note=note)
    assert corrected.status_code == 201
    assert corrected.json()["number"] == 2 and corrected.json()["corrects"] == 1
    canonical = api.get(f"/api/v1/articles/{reviewed.pk}/canonical/").json()
    assert canonical["corrections"][0]["note"] == note
    earlier = api.get(f"/api/v1/articles/{reviewed.pk}/publications/1/").json()
    assert earlier["text"] == first["text"] == SEED_001


def test_an_editor_who_is_not_a_publisher_cannot_publish(reviewed) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(UserFactory(username="just-an-editor", roles=["editor"]))
    assert publish(api, reviewed.pk, revision=2, confirm_pending=True).status_code == 403
    assert Publication.objects.count() == 0


def test_published_feed_is_keyset_paginated(reviewed) -> None:  # type: ignore[no-untyped-def]
    api = publisher_api()
    publish(api, reviewed.pk, revision=1, confirm_pending=True)
    publish(api, reviewed.pk, revision=2, confirm_pending=True, correction_note="Fixed a stray character.")
    page = api.get("/api/v1/published/?page_size=1&since=2000-01-01T00:00:00Z").json()
    assert [p["number"] for p in page["results"]] == [1]
    second = api.get(page["next"]).json()
    assert [p["number"] for p in second["results"]] == [2] and second["next"] is None
    assert api.get("/api/v1/published/?since=yesterday").status_code == 400


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE articles_publication SET correction_note = 'rewritten'",
        "DELETE FROM articles_publication",
        "UPDATE articles_auditevent SET action = 'nothing happened'",
        "DELETE FROM articles_auditevent",
        "UPDATE articles_revision SET text = 'rewritten'",
    ],
)
def test_publications_audit_rows_and_revisions_refuse_raw_sql_changes(reviewed, statement: str) -> None:  # type: ignore[no-untyped-def]
    publish(publisher_api(), reviewed.pk, revision=2, confirm_pending=True)
    with pytest.raises((IntegrityError, InternalError), match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_publications_and_audit_rows_refuse_orm_bulk_changes(reviewed) -> None:  # type: ignore[no-untyped-def]
    publish(publisher_api(), reviewed.pk, revision=2, confirm_pending=True)
    for attempt in (
        lambda: Publication.objects.update(correction_note="x"),
        lambda: Publication.objects.all().delete(),
        lambda: AuditEvent.objects.update(action="x"),
        lambda: AuditEvent.objects.all().delete(),
        lambda: Revision.objects.update(reason="x"),
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            attempt()
    assert Publication.objects.get().correction_note == ""


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_publish_requests_create_one_publication() -> None:
    client = create_api_token("race")[0]
    outcome = ingest(client, body="A clean story with nothing to fix.", external_id="race")
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    user = UserFactory(username="racer", roles=["publisher"])
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def attempt() -> None:
        api = APIClient()
        api.force_authenticate(user)
        barrier.wait()
        try:
            statuses.append(publish(api, outcome.article.pk, revision=1, confirm_pending=True).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 9
    assert Publication.objects.filter(article=outcome.article).count() == 1
    assert AuditEvent.objects.filter(action="publication.created").count() == 1
