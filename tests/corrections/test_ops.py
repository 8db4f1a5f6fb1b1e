"""The ops page: backlog, failed jobs and their retry, throughput over the last hour."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import ApiClient, Article, AuditEvent
from articles.tokens import create_api_token
from corrections import jobs, ops, pipeline
from corrections.models import PipelineJob
from tests.articles.helpers import ingest
from tests.corrections.desk import failed_job
from tests.factories import UserFactory
from tests.support import Worker, flush_test_broker, wait_for, worker_env


@pytest.fixture
def client_row(db: None) -> ApiClient:
    return create_api_token(f"ops-{uuid.uuid4().hex[:6]}")[0]


@pytest.fixture
def admin(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(username="ops-admin", roles=["admin"], is_staff=True))
    return client


def queue_length(name: str = "passes") -> int:
    """Messages waiting in the queue, at every priority (kombu keeps one Redis list per step)."""
    return ops.broker_state().queues[name]


# --- the domain ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retry_gives_a_failed_job_fresh_attempts_and_publishes_it(client_row: ApiClient, django_capture_on_commit_callbacks: Any) -> None:
    job = failed_job(client_row)
    admin = UserFactory(username="retrier", roles=["admin"])
    flush_test_broker()

    with django_capture_on_commit_callbacks(execute=True):
        retried = jobs.retry_job(job_id=job.pk, actor=admin)

    job.refresh_from_db()
    assert (job.state, job.attempts, job.max_attempts, job.last_error, job.finished_at) == (
        "queued", 0, settings.NEWSROOM_JOB_MAX_ATTEMPTS, "", None)
    assert retried.pk == job.pk
    assert Article.objects.get(pk=job.article_id).status == "received"
    event = AuditEvent.objects.get(action="pipeline.retried", object_id=job.pk)
    assert event.actor_id == admin.pk and "poison pass refuses" in event.detail["previous_error"]
    assert event.detail["previous_attempts"] == 1
    assert queue_length() == 1
    flush_test_broker()


@pytest.mark.django_db
def test_retry_refuses_a_job_that_is_not_failed(client_row: ApiClient) -> None:
    job = PipelineJob.objects.get(revision=ingest(client_row, body="A fine text.").revision)
    with pytest.raises(jobs.JobNotFailed, match="is queued, not failed"):
        jobs.retry_job(job_id=job.pk, actor=None)
    assert PipelineJob.objects.get(pk=job.pk).state == "queued"
    assert not AuditEvent.objects.filter(action="pipeline.retried").exists()


@pytest.mark.django_db
def test_a_retried_job_runs_to_review_once_the_pass_is_fixed(client_row: ApiClient) -> None:
    job = failed_job(client_row, body="POISON-RAISE Caf\u00c3\u00a9")
    jobs.retry_job(job_id=job.pk, actor=None)
    with override_settings(NEWSROOM_PASSES=("corrections.passes.encoding",)):
        pipeline.run_job(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert Article.objects.get(pk=job.article_id).status == "in_review"


@pytest.mark.django_db
def test_throughput_counts_ingested_and_reviewed_copies_per_interval(client_row: ApiClient) -> None:
    for n in range(3):
        ingest(client_row, body=f"Text {n}.", external_id=f"t-{n}")
    done = PipelineJob.objects.order_by("id").first()
    assert done is not None
    pipeline.run_job(done.pk)
    # a job from two hours ago is outside the hour
    PipelineJob.objects.filter(pk=PipelineJob.objects.order_by("-id").values("id")[:1]).update(
        created_at=timezone.now() - timedelta(hours=2))

    intervals = ops.throughput()

    assert len(intervals) == 12
    assert [i.start for i in intervals] == sorted(i.start for i in intervals)
    assert (sum(i.ingested for i in intervals), sum(i.reviewed for i in intervals)) == (2, 1)
    assert (intervals[-1].ingested, intervals[-1].reviewed) == (2, 1)


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ops_page_shows_backlog_failed_jobs_and_throughput(admin: Client, client_row: ApiClient,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    flush_test_broker()
    job = failed_job(client_row, title="<script>alert('t')</script> Summit")
    with django_capture_on_commit_callbacks(execute=True):
        ingest(client_row, body="Waiting in the queue.", external_id="waiting")

    response = admin.get("/ops/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-queue="passes"><td>[^<]*<code>passes</code>[^<]*<span[^>]*>a fresh revision&#x27;s passes</span></td><td class="num">1</td>', html)
    for name in ("refresh", "maintenance"):  # every queue, empty or not
        assert re.search(rf'data-queue="{name}"><td>[^<]*<code>{name}</code>.*?</td><td class="num">0</td>', html)
    assert re.search(r'data-outbox="failed">.*?<td class="num">1</td>', html)
    assert f'data-job-id="{job.pk}"' in html and "poison pass refuses" in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; Summit" in html and "<script>alert" not in html
    assert f'action="/ops/jobs/{job.pk}/retry/"' in html and "csrfmiddlewaretoken" in html
    assert html.count("<meter") == 24
    flush_test_broker()


@pytest.mark.django_db
def test_ops_page_says_when_the_broker_does_not_answer(admin: Client) -> None:
    from tests.support import free_port

    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = admin.get("/ops/")
    assert response.status_code == 200
    assert "The broker did not answer (ConnectionError)" in response.content.decode()


@pytest.mark.django_db
def test_retry_button_requeues_the_job_and_says_so(admin: Client, client_row: ApiClient) -> None:
    job = failed_job(client_row)
    response = admin.post(f"/ops/jobs/{job.pk}/retry/", follow=True)
    assert response.redirect_chain == [("/ops/", 302)]
    assert f"Job {job.pk} is queued again" in response.content.decode()
    assert PipelineJob.objects.get(pk=job.pk).state == "queued"


@pytest.mark.django_db
def test_retrying_twice_answers_409_and_changes_nothing(admin: Client, client_row: ApiClient) -> None:
    job = failed_job(client_row)
    admin.post(f"/ops/jobs/{job.pk}/retry/")
    audit = AuditEvent.objects.count()
    response = admin.post(f"/ops/jobs/{job.pk}/retry/")
    assert response.status_code == 409
    assert "is queued, not failed: there is nothing to retry" in response.content.decode()
    assert AuditEvent.objects.count() == audit
    assert admin.post("/ops/jobs/999999/retry/").status_code == 404


@pytest.mark.django_db
def test_retry_needs_the_csrf_token(client_row: ApiClient) -> None:
    job = failed_job(client_row)
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="csrf-admin", roles=["admin"], is_staff=True))
    assert client.post(f"/ops/jobs/{job.pk}/retry/").status_code == 403
    assert PipelineJob.objects.get(pk=job.pk).state == "failed"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_failed_job_retried_from_the_page_is_done_by_a_real_worker(token_client: APIClient, tmp_path: Path) -> None:
    flush_test_broker()
    # given: a worker whose poison pass fails the job on its only attempt
    broken = Worker(worker_env(NEWSROOM_PASSES="tests.corrections.poison_pass,corrections.passes.encoding",
                               NEWSROOM_JOB_MAX_ATTEMPTS="1"), tmp_path / "broken.log")
    broken.start()
    try:
        article_id = token_client.post("/api/v1/articles/", {"source": "ops", "external_id": "retry", "title": "T",
                                                              "body": "POISON-RAISE Caf\u00c3\u00a9"},
                                       format="json").json()["id"]
        wait_for(lambda: PipelineJob.objects.get(article_id=article_id).state == "failed", timeout=60,
                 message="the job to fail")
    finally:
        broken.stop()
    # when: the fixed passes are deployed and an admin presses Retry
    fixed = Worker(worker_env(NEWSROOM_PASSES="corrections.passes.encoding"), tmp_path / "fixed.log")
    fixed.start()
    try:
        admin = Client()
        admin.force_login(UserFactory(username="retry-admin", roles=["admin"], is_staff=True))
        job = PipelineJob.objects.get(article_id=article_id)
        assert admin.post(f"/ops/jobs/{job.pk}/retry/").status_code == 302
        # then: the worker takes it and the article reaches review
        wait_for(lambda: PipelineJob.objects.get(pk=job.pk).state == "done", timeout=60, message="the retried job")
    finally:
        fixed.stop()
        flush_test_broker()
    assert token_client.get(f"/api/v1/articles/{article_id}/").json()["status"] == "in_review"
    assert PipelineJob.objects.get(pk=job.pk).attempts == 1
    assert AuditEvent.objects.filter(action="pipeline.retried", object_id=job.pk).count() == 1
