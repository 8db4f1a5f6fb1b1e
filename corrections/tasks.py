"""Celery tasks: thin adapters around corrections.pipeline and corrections.jobs."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from corrections import jobs, pipeline, story_refresh
from newsroom.db_context import job_context

logger = logging.getLogger(__name__)

_SOFT = settings.NEWSROOM_TASK_SOFT_TIME_LIMIT


def consumes_passes() -> bool:
    """Whether this worker takes the queues that run passes (a maintenance-only worker need not
    load the dictionaries and the gazetteer index). A pool child inherits its worker's queues."""
    from newsroom.celery import app

    consuming = app.amqp.queues.consume_from
    return not consuming or bool({"passes", "refresh"} & set(consuming))


@worker_process_init.connect
def warm_up_worker_process(**kwargs: object) -> None:
    if not consumes_passes():
        return
    try:
        pipeline.warm_up()
    except Exception:  # a cold process still works, only its first article is slower
        logger.warning("could not warm up the passes", exc_info=True)


@shared_task(
    name=jobs.PIPELINE_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=_SOFT,
    time_limit=_SOFT + 30,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=10,
)
def run_pipeline_task(self: Task, job_id: int) -> None:
    task_id = self.request.id or ""
    with job_context(f"task:{task_id}", f"job:{job_id}"):
        _run_pipeline(self, job_id, task_id)


def _run_pipeline(self: Task, job_id: int, task_id: str) -> None:
    try:
        pipeline.run_job(job_id, task_id=task_id, is_retry=bool(self.request.retries))
    except (OperationalError, InterfaceError, SoftTimeLimitExceeded) as ex:
        if isinstance(ex, SoftTimeLimitExceeded):
            logger.warning("pipeline job %s hit the soft time limit", job_id)
            _record_failure(job_id, f"the passes took longer than {_SOFT} s")
        raise
    except Exception as ex:
        logger.exception("pipeline job %s failed", job_id)
        _record_failure(job_id, f"{type(ex).__name__}: {ex}")


def _record_failure(job_id: int, reason: str) -> None:
    delay = jobs.record_failure(job_id, reason)
    if delay is not None:
        jobs.publish_job(job_id, countdown=delay.total_seconds())


@shared_task(
    name=story_refresh.REFRESH_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=story_refresh.SOFT_TIME_LIMIT,
    time_limit=story_refresh.TIME_LIMIT,
    ignore_result=True,
    max_retries=5,
)
def refresh_story_task(self: Task, story_id: int) -> dict[str, float] | None:
    """A story's coalesced refresh (corrections/story_refresh.py): claim, refresh, finish. What it
    did is its return value, which the worker logs (pipeline.RefreshStats)."""
    task_id = self.request.id or ""
    with job_context(f"task:{task_id}", f"story-refresh:{story_id}"):
        try:
            stats = pipeline.run_refresh(story_id, task_id)
            return stats.as_dict() if stats is not None else None
        except (OperationalError, InterfaceError, SoftTimeLimitExceeded) as ex:
            logger.warning("the refresh of story %s failed (%s); retrying", story_id, type(ex).__name__)
            raise self.retry(countdown=10, exc=ex) from ex


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, ignore_result=True)
def sweep_jobs_task(self: Task) -> dict[str, int]:
    with job_context(f"task:{self.request.id or ''}", "sweep"):
        counts = jobs.sweep_jobs()
        counts.update(story_refresh.sweep_refreshes())
    if any(counts.values()):
        logger.info("sweep: %s", counts)
    return counts
