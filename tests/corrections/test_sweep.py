"""The sweep publishes again only the jobs whose message is lost (a failed publish, a web process
that died between its commit and the publish, a Redis that came back empty), not the jobs waiting
their turn in a healthy broker, however long the backlog (until the safety net,
NEWSROOM_JOB_STALE_QUEUED). RELIABILITY.md E4, E5, E7(b)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from articles.tokens import create_api_token
from corrections import broker, jobs
from corrections.models import PipelineJob
from tests.articles.helpers import ingest
from tests.corrections.test_lease import queued_job_ids
from tests.support import PrivateRedis, flush_test_broker, use_broker

pytestmark = pytest.mark.django_db(transaction=True)
QUEUE = "passes\x06\x163"  # the Redis list of the pipeline jobs at the default priority (3)


@pytest.fixture(autouse=True)
def empty_broker() -> None:
    flush_test_broker()


def queued_jobs(count: int, prefix: str = "sweep") -> list[int]:
    client = create_api_token(f"{prefix}-tests")[0]
    return [PipelineJob.objects.get(revision=ingest(client, external_id=f"{prefix}-{n}").revision).pk
            for n in range(count)]


def age(job_ids: list[int], seconds: float) -> None:
    PipelineJob.objects.filter(pk__in=job_ids).update(enqueued_at=timezone.now() - timedelta(seconds=seconds))


def test_jobs_waiting_their_turn_in_a_healthy_broker_are_left_alone(settings: object) -> None:
    waiting = queued_jobs(3)
    assert sorted(queued_job_ids(QUEUE)) == waiting
    age(waiting, 120)  # a long backlog
    assert jobs.sweep_jobs()["republished"] == 0
    assert sorted(queued_job_ids(QUEUE)) == waiting  # no copies behind them
    age(waiting[:1], settings.NEWSROOM_JOB_STALE_QUEUED.total_seconds() + 5)  # type: ignore[attr-defined]
    assert jobs.sweep_jobs()["republished"] == 0  # its message may still be in the backlog: no copy
    assert sorted(queued_job_ids(QUEUE)) == waiting
    # The messages are gone, the notes are not (a worker died holding them): the safety net
    drop_messages()
    assert jobs.sweep_jobs()["republished"] == 1
    assert queued_job_ids(QUEUE) == waiting[:1]


def test_a_backlog_older_than_the_safety_net_gets_no_copies(settings: object) -> None:
    # A backlog of hours (the soak: 2,904 copies; F1: 12,000): each job keeps its note, and no
    # job is published again while the queue holds messages.
    waiting = queued_jobs(4, prefix="old-backlog")
    age(waiting, 3 * 3600)
    later = timezone.now() + timedelta(hours=3)  # the notes are three hours old too
    assert jobs.sweep_jobs(now=later)["republished"] == 0
    assert sorted(queued_job_ids(QUEUE)) == waiting


def drop_messages() -> None:
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete(*broker.queue_keys(jobs.PIPELINE_QUEUE))
    client.close()


def test_jobs_published_before_redis_came_back_empty_are_published_again_once() -> None:
    waiting = queued_jobs(2)
    age(waiting, 30)
    flush_test_broker()  # Redis restarted without persistence: the messages and the notes are gone
    assert queued_job_ids(QUEUE) == []
    assert jobs.sweep_jobs()["republished"] == 2
    assert sorted(queued_job_ids(QUEUE)) == waiting
    assert jobs.sweep_jobs()["republished"] == 0  # the new data set holds them now


def test_a_job_whose_publish_failed_is_published_by_the_next_sweep_after_the_grace() -> None:
    with use_broker(PrivateRedis().url):  # nothing listens there
        failed = queued_jobs(1)
    assert queued_job_ids(QUEUE) == []
    assert jobs.sweep_jobs()["republished"] == 0  # its on-commit publish may still be on its way
    age(failed, jobs.PUBLISH_GRACE.total_seconds() + 1)
    assert jobs.sweep_jobs()["republished"] == 1
    assert queued_job_ids(QUEUE) == failed


def test_a_job_committed_by_a_web_process_that_died_before_publishing_is_published() -> None:
    # E7(b): the row committed, the on-commit publish never ran (the process was killed there).
    outcome = ingest(create_api_token("killed-web")[0], external_id="orphan")
    PipelineJob.objects.filter(revision=outcome.revision).delete()
    orphan = PipelineJob.objects.create(article_id=outcome.article.pk, revision=outcome.revision, max_attempts=3,
                                        enqueued_at=timezone.now() - jobs.PUBLISH_GRACE - timedelta(seconds=1))
    flush_test_broker()
    assert jobs.sweep_jobs()["republished"] == 1
    assert queued_job_ids(QUEUE) == [orphan.pk]
