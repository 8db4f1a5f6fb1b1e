"""What an operator needs to see: the broker's queues and the outbox, read when asked.

Used by ``/metrics`` (as gauges computed at scrape time) and by the ops page. Every figure here
is read from Redis or PostgreSQL at the moment it is asked for, never kept in a process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import redis
from django.conf import settings
from django.db.models import Count, Min

from corrections.models import PipelineJob

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's prioritised messages in lists named queue + SEP + step.
_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)
_UNACKED = "unacked"  # kombu's hash of delivered, unacknowledged messages (incl. countdowns)


@dataclass(frozen=True, slots=True)
class BrokerState:
    """Messages waiting in each Celery queue, and those delivered but not yet acknowledged.
    ``error`` names what failed when Redis did not answer (then the counts are empty)."""

    queues: dict[str, int]
    unacked: int
    error: str = ""


@dataclass(frozen=True, slots=True)
class OutboxState:
    """Pipeline job rows waiting, running and failed, and when the oldest waiting one was queued."""

    queued: int
    running: int
    failed: int
    oldest_queued_at: datetime | None


def celery_queue_names() -> list[str]:
    """The queues the Celery app sends to: its default queue, declared queues and routes."""
    from newsroom.celery import app

    conf = app.conf
    names = {conf.task_default_queue or "celery"}
    names.update(q.name for q in (conf.task_queues or ()))
    routes = conf.task_routes or {}
    if isinstance(routes, dict):
        for route in routes.values():
            queue = route.get("queue") if isinstance(route, dict) else None
            if isinstance(queue, str):
                names.add(queue)
            elif queue is not None and getattr(queue, "name", None):
                names.add(queue.name)
    return sorted(names)


def broker_state() -> BrokerState:
    """Read the queue lengths from the broker (one round trip; short timeouts)."""
    names = celery_queue_names()
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2)
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.llen(name)
            for step in _PRIORITY_STEPS:
                pipe.llen(f"{name}{_PRIORITY_SEP}{step}")
        pipe.hlen(_UNACKED)
        answers = [int(n) for n in pipe.execute()]
    except redis.RedisError as ex:
        logger.warning("could not read the queue lengths from the broker: %s", type(ex).__name__)
        return BrokerState(queues={}, unacked=0, error=type(ex).__name__)
    per_queue = 1 + len(_PRIORITY_STEPS)
    queues = {name: sum(answers[i * per_queue : (i + 1) * per_queue]) for i, name in enumerate(names)}
    return BrokerState(queues=queues, unacked=answers[-1])


def outbox_state() -> OutboxState:
    """Count the job rows that are not done (the done ones are the bulk and count elsewhere)."""
    rows = dict(
        PipelineJob.objects.filter(state__in=[PipelineJob.State.QUEUED, PipelineJob.State.RUNNING])
        .values_list("state").annotate(n=Count("id")).order_by()
    )
    failed = PipelineJob.objects.filter(state=PipelineJob.State.FAILED).count()
    oldest = PipelineJob.objects.filter(state=PipelineJob.State.QUEUED).aggregate(at=Min("enqueued_at"))["at"]
    return OutboxState(queued=rows.get(PipelineJob.State.QUEUED, 0), running=rows.get(PipelineJob.State.RUNNING, 0),
                       failed=failed, oldest_queued_at=oldest)

