"""The sweep publishes again only the jobs whose message is lost: a failed publish, a Redis that
came back empty (or was flushed); not the jobs waiting their turn in a healthy broker, however long
the backlog (until the safety net, NEWSROOM_JOB_STALE_QUEUED)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.tokens import create_api_token
from corrections import jobs
from corrections.broker import EPOCH_KEY, broker_epoch
from corrections.models import PipelineJob
from tests.articles.helpers import ingest
from tests.corrections.test_lease import queued_job_ids
from tests.support import PrivateRedis, flush_test_broker, use_broker

pytestmark = pytest.mark.django_db(transaction=True)
QUEUE = "celery\x06\x163"  # the Redis list of the default priority (3)


@pytest.fixture
def known_broker() -> None:
    """An empty test broker the sweep has known for an hour."""
    flush_test_broker()
    broker_epoch(timezone.now() - timedelta(hours=1))


def queued_jobs(count: int) -> list[int]:
    client = create_api_token("sweep-tests")[0]
    return [PipelineJob.objects.get(revision=ingest(client, external_id=f"sweep-{n}").revision).pk for n in range(count)]


def age(job_ids: list[int], seconds: float) -> None:
    PipelineJob.objects.filter(pk__in=job_ids).update(enqueued_at=timezone.now() - timedelta(seconds=seconds))


def test_jobs_waiting_their_turn_in_a_healthy_broker_are_left_alone(known_broker: None, settings: object) -> None:
    waiting = queued_jobs(3)
    assert sorted(queued_job_ids(QUEUE)) == waiting
    age(waiting, 120)  # a long backlog
    assert jobs.sweep_jobs()["republished"] == 0
    assert sorted(queued_job_ids(QUEUE)) == waiting  # no copies behind them
    age(waiting[:1], settings.NEWSROOM_JOB_STALE_QUEUED.total_seconds() + 5)  # type: ignore[attr-defined]
    assert jobs.sweep_jobs()["republished"] == 1  # the safety net


def test_jobs_published_before_redis_came_back_empty_are_published_again_once(known_broker: None) -> None:
    waiting = queued_jobs(2)
    age(waiting, 10)
    flush_test_broker()  # Redis restarted without persistence: the messages and the marker are gone
    assert queued_job_ids(QUEUE) == []
    assert jobs.sweep_jobs()["republished"] == 2
    assert sorted(queued_job_ids(QUEUE)) == waiting
    assert jobs.sweep_jobs()["republished"] == 0  # the new data set holds them now


def test_a_job_whose_publish_failed_is_published_by_the_next_sweep(known_broker: None) -> None:
    dead = PrivateRedis()
    with use_broker(dead.url):  # nothing listens there
        failed = queued_jobs(1)
    assert PipelineJob.objects.get(pk=failed[0]).enqueued_at is None
    assert queued_job_ids(QUEUE) == []
    assert jobs.sweep_jobs()["republished"] == 1
    assert queued_job_ids(QUEUE) == failed


def test_the_epoch_is_set_once_per_data_set() -> None:
    import redis
    from django.conf import settings

    flush_test_broker()
    first = broker_epoch(timezone.now())
    assert broker_epoch(timezone.now() + timedelta(minutes=5)) == first
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).exists(EPOCH_KEY)
    flush_test_broker()
    later = timezone.now() + timedelta(minutes=5)
    assert broker_epoch(later) == later
