"""RELIABILITY.md E7(a) and B1's expired token: an ingest that fails after the article row is
written leaves no row and publishes nothing; a token past its expiry is refused like a bad one.
(E7(b), a web process killed between commit and publish: tests/corrections/test_sweep.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles.models import ApiClient, Article, AuditEvent, IngestRequest, Revision
from articles.tokens import create_api_token
from corrections.models import PipelineJob
from tests.corrections.test_lease import queued_job_ids
from tests.support import flush_test_broker

URL = "/api/v1/articles/"
ARTICLE = {"source": "atomic-wire", "external_id": "a-1", "title": "T", "body": "A body that never lands."}


@pytest.fixture
def job_insert_fails() -> None:
    """A fault in the database itself: the ingest's last write (the job row, after the article,
    revision and audit rows) raises, so the transaction dies after the article row was written."""
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION test_refuse_job() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'injected fault after the article row was written'; END $$;
            CREATE TRIGGER test_refuse_job BEFORE INSERT ON corrections_pipelinejob
            FOR EACH ROW EXECUTE FUNCTION test_refuse_job();
        """)


@pytest.mark.django_db(transaction=True)
def test_an_ingest_that_fails_before_commit_leaves_no_row_and_publishes_nothing(job_insert_fails: None) -> None:
    flush_test_broker()
    key = create_api_token("atomic")[1]
    try:
        response = Client(raise_request_exception=False).post(URL, ARTICLE, content_type="application/json",
                                                              HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 500  # an injected bug, reported as one
        assert Article.objects.count() == Revision.objects.count() == IngestRequest.objects.count() == 0
        assert PipelineJob.objects.count() == 0
        assert not AuditEvent.objects.filter(action="article.ingested").exists()
        assert queued_job_ids("passes\x06\x163") == [] and queued_job_ids("passes") == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refuse_job ON corrections_pipelinejob; DROP FUNCTION test_refuse_job();")


@pytest.mark.django_db
def test_an_expired_token_is_401_with_no_data() -> None:
    client, key = create_api_token("expiring")
    ApiClient.objects.filter(pk=client.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().post(URL, ARTICLE, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert Article.objects.count() == 0
