"""Celery tasks of the articles app."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from articles.feeds import claim_due_feeds, poll_feed
from articles.retention import run_retention
from newsroom.db_context import job_context

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, ignore_result=True, soft_time_limit=3600, time_limit=3700)
def retention_task(self: Task) -> dict[str, int]:
    with job_context(f"task:{self.request.id or ''}", "retention"):
        counts = run_retention()
    if any(counts.values()):
        logger.info("retention: %s", counts)
    return counts


@shared_task(bind=True, acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def dispatch_feeds_task(self: Task) -> int:
    """Beat's tick: claim the due feeds and enqueue one poll per feed."""
    with job_context(f"task:{self.request.id or ''}", "feeds"):
        claims = claim_due_feeds()
    for feed_id, token in claims:
        poll_feed_task.delay(feed_id, token)
    return len(claims)


@shared_task(bind=True, acks_late=True, ignore_result=True, soft_time_limit=300, time_limit=330)
def poll_feed_task(self: Task, feed_id: int, token: str) -> None:
    with job_context(f"task:{self.request.id or ''}", f"feed {feed_id}"):
        poll_feed(feed_id=feed_id, token=token)
