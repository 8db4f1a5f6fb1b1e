"""A running job's lease: renewed while its task lives, taken back soon after its worker dies."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import AuditEvent
from articles.tokens import create_api_token
from corrections import jobs, lease
from corrections.models import PipelineJob
from tests.articles.helpers import ingest
from tests.support import Worker, flush_test_broker, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=True)
SLOW_PASSES = "tests.corrections.poison_pass,corrections.passes.encoding"


def claimed_job(task_id: str) -> PipelineJob:
    client = create_api_token(f"lease-{task_id}")[0]
    outcome = ingest(client, external_id=f"lease-{task_id}")
    job = jobs.claim_job(PipelineJob.objects.get(revision=outcome.revision).pk, task_id=task_id)
    assert job is not None
    return job


def lease_of(job: PipelineJob) -> object:
    return PipelineJob.objects.values_list("lease_expires_at", flat=True).get(pk=job.pk)


@override_settings(NEWSROOM_JOB_LEASE=timedelta(seconds=2))
def test_the_heartbeat_renews_the_lease_while_the_task_runs_and_stops_with_it() -> None:
    job = claimed_job("task-a")
    first = lease_of(job)
    with lease.kept(job) as heartbeat:
        assert heartbeat is not None
        wait_for(lambda: heartbeat.renewals >= 2, timeout=10, interval=0.1, message="two renewals")
        renewed = lease_of(job)
    assert renewed > first  # type: ignore[operator]
    assert not heartbeat.is_alive()
    stopped_at, renewals = lease_of(job), heartbeat.renewals
    time.sleep(1.2)  # more than two intervals: nothing renews it any more
    assert lease_of(job) == stopped_at and heartbeat.renewals == renewals


@override_settings(NEWSROOM_JOB_LEASE=timedelta(seconds=2))
def test_a_task_that_lost_its_job_never_extends_the_new_holders_lease() -> None:
    job = claimed_job("task-a")
    with lease.kept(job) as heartbeat:
        assert heartbeat is not None
        # The lease ran out and the sweep gave the job to another task.
        PipelineJob.objects.filter(pk=job.pk).update(claimed_by="task-b", lease_expires_at=None)
        wait_for(lambda: not heartbeat.is_alive(), timeout=10, interval=0.1, message="the heartbeat to stop itself")
    assert lease_of(job) is None


def test_only_the_task_holding_the_job_finishes_it() -> None:
    job = claimed_job("task-a")
    PipelineJob.objects.filter(pk=job.pk).update(claimed_by="task-b")  # taken back and claimed again
    jobs.finish_job(job)
    assert PipelineJob.objects.get(pk=job.pk).state == "running"
    assert not AuditEvent.objects.filter(action="pipeline.done", object_id=job.pk).exists()
    job.claimed_by = "task-b"
    jobs.finish_job(job)
    assert PipelineJob.objects.get(pk=job.pk).state == "done"
    assert AuditEvent.objects.filter(action="pipeline.done", object_id=job.pk).count() == 1


def post(api: APIClient, external_id: str, body: str) -> int:
    response = api.post("/api/v1/articles/", {"source": "lease-wire", "external_id": external_id, "title": "T",
                                               "body": body}, format="json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def job_of(article_id: int) -> PipelineJob:
    return PipelineJob.objects.get(article_id=article_id)


def sweep_until(predicate: object, timeout: float, message: str) -> None:
    """Run the sweep every half second (beat's part) until ``predicate()`` holds."""
    def swept() -> bool:
        jobs.sweep_jobs()
        return bool(predicate())  # type: ignore[operator]
    wait_for(swept, timeout=timeout, interval=0.5, message=message)


@pytest.mark.worker
def test_a_job_longer_than_its_lease_keeps_it_and_runs_once(token_client: APIClient, tmp_path: Path) -> None:
    flush_test_broker()
    worker = Worker(worker_env(NEWSROOM_PASSES=SLOW_PASSES, NEWSROOM_JOB_LEASE_SECONDS="5"), tmp_path / "worker.log")
    worker.start()
    try:
        article = post(token_client, "slow", "A long article. POISON-SLOW-12")
        sweep_until(lambda: job_of(article).state == "done", timeout=90, message="the slow job to finish")
        job = job_of(article)
        assert job.attempts == 1  # 12 s of work on a 5 s lease, swept every 0.5 s: never taken back
    finally:
        worker.stop()
        flush_test_broker()


@pytest.mark.worker
def test_the_jobs_of_a_killed_worker_finish_soon_after_a_new_worker_starts(token_client: APIClient, tmp_path: Path) -> None:
    flush_test_broker()
    env = worker_env(NEWSROOM_PASSES=SLOW_PASSES, NEWSROOM_JOB_LEASE_SECONDS="5")
    first = Worker(env, tmp_path / "first.log")
    first.start()
    second = Worker(env, tmp_path / "second.log")
    try:
        article = post(token_client, "killed", "An article whose worker dies. POISON-SLOW-3")
        wait_for(lambda: job_of(article).state == "running", timeout=60, message="the job to run")
        assert first.process is not None
        os.kill(first.process.pid, signal.SIGKILL)  # the whole worker; its pool child dies with it
        killed_at = time.monotonic()
        first.process.wait()
        second.start()
        # Redis keeps the killed worker's message unacknowledged for its visibility timeout (an
        # hour): the lease running out and the sweep bring the job back.
        sweep_until(lambda: job_of(article).state == "done", timeout=60, message="the killed worker's job")
        took = time.monotonic() - killed_at
        job = job_of(article)
        assert job.attempts == 2
        assert took < 5 + 1 + 3 + 15, f"the job finished {took:.1f} s after its worker died"  # lease, sweep, run, start
    finally:
        first.stop()
        second.stop()
        flush_test_broker()


def queued_job_ids(key: str) -> list[int]:
    """The job ids of the pipeline messages waiting in one Redis list (one priority level)."""
    import base64
    import json

    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.REDIS_URL)
    found = []
    for raw in broker.lrange(key, 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == "corrections.tasks.run_pipeline_task":
            found.append(json.loads(base64.b64decode(message["body"]))[0][0])
    return found


def test_a_job_taken_back_from_a_dead_worker_goes_ahead_of_the_backlog(settings: object) -> None:
    flush_test_broker()
    client = create_api_token("lease-priority")[0]
    backlog = [PipelineJob.objects.get(revision=ingest(client, external_id=f"backlog-{n}").revision).pk
               for n in range(3)]
    taken_back = claimed_job("task-dead")
    PipelineJob.objects.filter(pk=taken_back.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs.sweep_jobs()["republished"] == 1
    # Redis serves the list of priority 0 ("passes") before that of the default 3.
    assert queued_job_ids("passes") == [taken_back.pk]
    assert set(backlog) <= set(queued_job_ids("passes\x06\x163"))
    assert settings.CELERY_BEAT_SCHEDULE["sweep-pipeline-jobs"]["options"]["priority"] == jobs.PRIORITY_FIRST  # type: ignore[attr-defined]
    flush_test_broker()
