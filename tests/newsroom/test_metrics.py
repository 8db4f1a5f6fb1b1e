"""GET /metrics: who may scrape, and that the counts move where the events happen.

The counters live in the suite's own multiprocess directory (tests/pytest_env.py), shared with
the worker processes the tests start, so each test compares before and after.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from articles.tokens import create_api_token
from corrections import pipeline, review
from corrections.models import PipelineJob, Suggestion
from newsroom import metrics
from newsroom.roles import ROLES
from tests.articles.helpers import ingest
from tests.corrections.desk import article_with_text, suggest
from tests.factories import UserFactory
from tests.newsroom.scraping import scrape, total, value
from tests.support import Worker, flush_test_broker, wait_for

LOCAL = [ipaddress.ip_network("127.0.0.1/32")]


# --- who may scrape ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", ["", "Bearer wrong-token", "Bearer ", "Basic bWV0cmljczp4",
                                           "Token metrics-token-for-the-tests"])
def test_metrics_refuse_a_request_without_the_token(authorization: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = Client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"newsroom_" not in response.content


@pytest.mark.django_db
def test_metrics_refuse_desk_sessions_and_api_tokens(roles: Any) -> None:
    for role in ROLES:
        client = Client()
        client.force_login(UserFactory(username=f"m-{role}", roles=[role], is_staff=role == "admin"))
        assert client.get("/metrics").status_code == 401, role
    _, key = create_api_token("metrics-client")
    assert Client(headers={"Authorization": f"Token {key}"}).get("/metrics").status_code == 401


@pytest.mark.django_db
def test_metrics_answer_the_token() -> None:
    samples = scrape()
    assert value(samples, "newsroom_broker_up") == 1


@pytest.mark.django_db
def test_metrics_answer_an_allowed_address_without_a_token_and_refuse_others() -> None:
    with override_settings(NEWSROOM_METRICS_TOKEN="", NEWSROOM_METRICS_ALLOW_IPS=LOCAL):
        assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
        refused = Client(REMOTE_ADDR="10.1.2.3").get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
        assert refused.status_code == 403
        assert "WWW-Authenticate" not in refused


@pytest.mark.django_db
def test_metrics_with_both_configured_take_either() -> None:
    with override_settings(NEWSROOM_METRICS_ALLOW_IPS=LOCAL):
        assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
        assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 401
        scrape(Client(REMOTE_ADDR="10.1.2.3"))  # the token from anywhere


@pytest.mark.django_db
def test_metrics_are_not_found_when_no_scraper_is_configured() -> None:
    with override_settings(NEWSROOM_METRICS_TOKEN="", NEWSROOM_METRICS_ALLOW_IPS=[]):
        assert Client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


# --- what moves -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_url_name_method_and_status() -> None:
    before = scrape()
    Client().get("/healthz")
    Client().post("/healthz")
    Client().get("/no-such-page/")
    after = scrape()
    for labels in ({"view": "healthz", "method": "GET", "status": "200"},
                   {"view": "healthz", "method": "POST", "status": "405"},
                   {"view": "unresolved", "method": "GET", "status": "404"}):
        diff = value(after, "newsroom_http_requests_total", **labels) - value(before, "newsroom_http_requests_total", **labels)
        assert diff == 1, labels
    assert value(after, "newsroom_http_request_duration_seconds_count", view="healthz") >= 2


@pytest.mark.django_db
def test_queue_depth_counts_the_messages_waiting_in_redis(django_capture_on_commit_callbacks: Any) -> None:
    # given: three ingested articles whose jobs were published, and no worker to take them
    flush_test_broker()
    client, _ = create_api_token("queue-depth")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(3):
                ingest(client, external_id=f"q-{n}", body=f"Text number {n}.")

        samples = scrape()

        assert value(samples, "newsroom_queue_messages", queue="passes") == 3
        assert value(samples, "newsroom_outbox_jobs", state="queued") == 3
        assert value(samples, "newsroom_outbox_jobs", state="failed") == 0
        assert value(samples, "newsroom_outbox_oldest_queued_seconds") >= 0
    finally:
        flush_test_broker()


@pytest.mark.django_db
def test_failed_jobs_show_in_the_outbox_gauge_and_the_counter(django_capture_on_commit_callbacks: Any) -> None:
    client, _ = create_api_token("failing")
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True), override_settings(
            NEWSROOM_PASSES=("tests.corrections.poison_pass",), NEWSROOM_JOB_MAX_ATTEMPTS=1):
        job = PipelineJob.objects.get(revision=ingest(client, body="POISON-RAISE").revision)
        try:
            pipeline.run_job(job.pk)
        except RuntimeError as ex:
            from corrections import jobs
            jobs.record_failure(job.pk, str(ex))
    after = scrape()
    assert value(after, "newsroom_outbox_jobs", state="failed") == value(before, "newsroom_outbox_jobs", state="failed") + 1
    assert (value(after, "newsroom_pipeline_jobs_finished_total", state="failed")
            == value(before, "newsroom_pipeline_jobs_finished_total", state="failed") + 1)


@pytest.mark.django_db
def test_decisions_are_counted_by_kind(django_capture_on_commit_callbacks: Any) -> None:
    editor = UserFactory(username="counting-editor", roles=["editor"])
    article = article_with_text("Teh mayor of Kiev met Ukriane's envoy.")
    accept, reject, edit = (suggest(article, "Teh", "The", kind="spelling"),
                            suggest(article, "Kiev", "Kyiv", kind="style"),
                            suggest(article, "Ukriane", "Ukraine", kind="entity"))
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        review.reject_suggestion(suggestion_id=reject.pk, seen_revision=1, actor=editor)
        review.accept_suggestion(suggestion_id=accept.pk, seen_revision=1, actor=editor)
        carried = Suggestion.objects.get(carried_from=edit)
        review.edit_suggestion(suggestion_id=carried.pk, seen_revision=2, actor=editor, replacement="Ukraine")
    after = scrape()

    def moved(kind: str, decision: str) -> float:
        name = "newsroom_suggestions_total"
        return value(after, name, kind=kind, decision=decision) - value(before, name, kind=kind, decision=decision)

    assert (moved("spelling", "accepted"), moved("style", "rejected"), moved("entity", "accepted")) == (1, 1, 1)
    assert moved("entity", "edited") == 0  # the editor's replacement was the pass's own


@pytest.mark.django_db
def test_an_edited_acceptance_counts_as_edited(django_capture_on_commit_callbacks: Any) -> None:
    editor = UserFactory(username="editing-editor", roles=["editor"])
    article = article_with_text("Ukriane's envoy.")
    s = suggest(article, "Ukriane", "Ukraine", kind="entity")
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        review.edit_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor, replacement="Ukraine’s")
    after = scrape()
    name = "newsroom_suggestions_total"
    assert value(after, name, kind="entity", decision="edited") == value(before, name, kind="entity", decision="edited") + 1


@pytest.mark.django_db
def test_ingest_labels_past_the_source_cap_count_as_other(django_capture_on_commit_callbacks: Any) -> None:
    client, _ = create_api_token("many-sources")
    fresh = [f"cap-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    before = scrape()
    with override_settings(NEWSROOM_METRICS_MAX_SOURCES=len(metrics._sources_seen) + 1), \
            django_capture_on_commit_callbacks(execute=True):
        for source in fresh:
            ingest(client, source=source, external_id="x")
    after = scrape()
    name = "newsroom_ingested_articles_total"
    assert value(after, name, source=fresh[0], format="application/json", outcome="created") == 1
    assert (name, frozenset({("source", fresh[1]), ("format", "application/json"), ("outcome", "created")})) not in after
    assert value(after, name, source="other", format="application/json", outcome="created") == \
        value(before, name, source="other", format="application/json", outcome="created") + 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_metrics_after_an_ingest_and_a_pass_run_in_a_real_worker(token_client: APIClient, celery_worker: Worker) -> None:
    before = scrape()
    source = f"metrics-{uuid.uuid4().hex[:6]}"
    with override_settings(NEWSROOM_METRICS_MAX_SOURCES=1_000_000):  # the suite has named many sources
        response = token_client.post("/api/v1/articles/", {"source": source, "external_id": "m-1", "title": "T",
                                                           "body": "Caf\u00c3\u00a9 opens. Teh mayor said so."},
                                     format="json")
    assert response.status_code == 201
    article_id = response.json()["id"]
    wait_for(lambda: token_client.get(f"/api/v1/articles/{article_id}/").json()["status"] == "in_review",
             timeout=90, message="in_review")

    after = scrape()

    assert value(after, "newsroom_ingested_articles_total", source=source, format="application/json",
                 outcome="created") == 1
    assert (value(after, "newsroom_http_requests_total", view="api:articles", method="POST", status="201")
            - value(before, "newsroom_http_requests_total", view="api:articles", method="POST", status="201")) == 1
    # observed in the worker process, added up by the scrape of this one
    for module in pipeline.pass_modules():
        name = "newsroom_pass_duration_seconds_count"
        assert value(after, name, pass_name=module.NAME) == value(before, name, pass_name=module.NAME) + 1, module.NAME
    assert value(after, "newsroom_pass_duration_seconds_sum", pass_name="encoding") > \
        value(before, "newsroom_pass_duration_seconds_sum", pass_name="encoding")
    assert value(after, "newsroom_pipeline_latency_seconds_count") == value(before, "newsroom_pipeline_latency_seconds_count") + 1
    assert value(after, "newsroom_pipeline_jobs_finished_total", state="done") == \
        value(before, "newsroom_pipeline_jobs_finished_total", state="done") + 1
    assert value(after, "newsroom_suggestions_total", kind="encoding", decision="proposed") >= \
        value(before, "newsroom_suggestions_total", kind="encoding", decision="proposed") + 1
    assert total(after, "newsroom_pass_duration_seconds_bucket", le="+Inf") > total(before, "newsroom_pass_duration_seconds_bucket", le="+Inf")
    assert value(after, "newsroom_queue_messages", queue="passes") == 0
