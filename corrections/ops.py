"""What an operator needs to see: the broker's queues and the outbox, read when asked.

Used by ``/metrics`` (as gauges computed at scrape time) and by the ops page. Every figure here
is read from Redis or PostgreSQL at the moment it is asked for, never kept in a process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from articles.feeds import FeedHealth, feed_health
from articles.models import Feed
from corrections import broker
from corrections.models import PipelineJob, StoryRefresh
from corrections.quality import Grouping, QualityRow, pass_quality

logger = logging.getLogger(__name__)

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
    """Pipeline job rows waiting, running and failed, when the oldest waiting one was queued, and
    the stories waiting for their refresh."""

    queued: int
    running: int
    failed: int
    oldest_queued_at: datetime | None
    refreshes_pending: int = 0  # stories waiting for their coalesced refresh (corrections/story_refresh.py)


def feed_counts() -> dict[str, int]:
    """Feeds by the status of their last poll; disabled feeds count as "disabled"."""
    counts = {status: 0 for status in [*Feed.Status.values, "disabled"]}
    for status, is_enabled, n in Feed.objects.values_list("status", "is_enabled").annotate(n=Count("id")).order_by():
        counts[status if is_enabled else "disabled"] += n
    return counts


# What each queue of newsroom/settings.py (NEWSROOM_QUEUES) carries, as the ops page says it.
QUEUE_PURPOSES = {
    "passes": "a fresh revision's passes",
    "refresh": "story refreshes of the copies' suggestions",
    "maintenance": "the sweep, retention, feed polls",
}


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
            for key in broker.queue_keys(name):
                pipe.llen(key)
        pipe.hlen(_UNACKED)
        answers = [int(n) for n in pipe.execute()]
    except redis.RedisError as ex:
        logger.warning("could not read the queue lengths from the broker: %s", type(ex).__name__)
        return BrokerState(queues={}, unacked=0, error=type(ex).__name__)
    per_queue = 1 + len(broker.PRIORITY_STEPS)
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
                       failed=failed, oldest_queued_at=oldest, refreshes_pending=StoryRefresh.objects.count())


@dataclass(frozen=True, slots=True)
class FailedJob:
    id: int
    article_id: int
    title: str
    source: str
    revision: int
    attempts: int
    failed_at: datetime | None
    reason: str


def failed_jobs(limit: int = 50) -> list[FailedJob]:
    """The most recently failed jobs, newest first, with what they failed on."""
    rows = (
        PipelineJob.objects.filter(state=PipelineJob.State.FAILED)
        .order_by("-finished_at", "-id")
        .values_list("id", "article_id", "article__title", "article__source__slug", "revision__number", "attempts",
                     "finished_at", "last_error")[:limit]
    )
    return [FailedJob(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Interval:
    """Articles taken in (pipeline jobs created) and reaching review (jobs done) in one interval."""

    start: datetime
    ingested: int
    reviewed: int


def throughput(now: datetime | None = None, span: timedelta = timedelta(hours=1),
               step: timedelta = timedelta(minutes=5)) -> list[Interval]:
    """Per ``step`` over the last ``span``: copies ingested and copies that reached review, oldest
    first. Each copy with a new text makes one pipeline job, so the outbox counts both ends."""
    now = now or timezone.now()
    seconds = step.total_seconds()
    n = int(span.total_seconds() // seconds)
    since = now - n * step
    counts: dict[str, dict[int, int]] = {}
    with connection.cursor() as cursor:
        for column, extra in (("created_at", ""), ("finished_at", "AND state = 'done'")):
            cursor.execute(
                f"""
                SELECT floor(extract(epoch FROM ({column} - %(since)s)) / %(step)s)::int, count(*)
                FROM corrections_pipelinejob
                WHERE {column} >= %(since)s AND {column} < %(now)s {extra}
                GROUP BY 1
                """,  # noqa: S608 - the column names are the two above, never input
                {"since": since, "now": now, "step": seconds},
            )
            counts[column] = dict(cursor.fetchall())
    return [Interval(start=since + i * step, ingested=counts["created_at"].get(i, 0),
                     reviewed=counts["finished_at"].get(i, 0)) for i in range(n)]


@dataclass(frozen=True, slots=True)
class OpsView:
    """Everything the ops page shows, read at ``now``."""

    now: datetime
    broker: BrokerState
    outbox: OutboxState
    failed: list[FailedJob]
    throughput: list[Interval]
    quality: list[QualityRow]
    grouping: Grouping
    feeds: list[FeedHealth]

    @property
    def oldest_queued(self) -> str:
        at = self.outbox.oldest_queued_at
        if at is None:
            return ""
        seconds = max(int((self.now - at).total_seconds()), 0)
        return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"

    @property
    def queues(self) -> list[tuple[str, str, int]]:
        """Each Celery queue with what it carries and the messages waiting in it."""
        return [(name, QUEUE_PURPOSES.get(name, ""), n) for name, n in self.broker.queues.items()]

    @property
    def throughput_max(self) -> int:
        return max([1, *(max(i.ingested, i.reviewed) for i in self.throughput)])

    @property
    def ingested_total(self) -> int:
        return sum(i.ingested for i in self.throughput)

    @property
    def reviewed_total(self) -> int:
        return sum(i.reviewed for i in self.throughput)


def ops_view(grouping: Grouping = "rule") -> OpsView:
    now = timezone.now()
    return OpsView(now=now, broker=broker_state(), outbox=outbox_state(), failed=failed_jobs(),
                   throughput=throughput(now), quality=pass_quality(grouping, now), grouping=grouping,
                   feeds=feed_health())
