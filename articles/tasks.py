"""Celery tasks of the articles app."""

from __future__ import annotations

import logging

from celery import Task, shared_task

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
