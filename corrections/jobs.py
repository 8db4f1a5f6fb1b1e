"""The pipeline outbox: job rows written with the revision, published on commit, swept if lost."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.audit import Actor, SystemActor, record_event
from articles.models import Article, Revision
from corrections import broker
from corrections.models import PipelineJob
from newsroom import metrics
from newsroom.celery import app

logger = logging.getLogger(__name__)

SWEEP_ACTOR = SystemActor("sweep")
# The pipeline task by the name it is registered under (corrections/tasks.py): jobs are published
# by name, so this module needs no import of the tasks, which import the pipeline, which imports
# this module.
PIPELINE_TASK = "corrections.tasks.run_pipeline_task"
PIPELINE_QUEUE = settings.CELERY_TASK_ROUTES[PIPELINE_TASK]["queue"]
# Redis serves the lowest priority number first (kombu's steps 0, 3, 6, 9); tasks default to
# CELERY_TASK_DEFAULT_PRIORITY (3). The sweep, and the jobs it takes back from a dead worker, run at
# 0: ahead of the backlog, so that recovery does not wait for the queue to drain.
PRIORITY_FIRST = 0
# How long a committed job's message may take to reach Redis (on commit) before the sweep counts
# it as lost when the broker holds no note of it.
PUBLISH_GRACE = timedelta(seconds=20)


def create_job(revision: Revision) -> PipelineJob:
    """Write the job row for ``revision`` and publish it once the transaction commits."""
    job = PipelineJob.objects.create(
        article_id=revision.article_id,
        revision=revision,
        max_attempts=settings.NEWSROOM_JOB_MAX_ATTEMPTS,
        enqueued_at=timezone.now(),
    )
    job_id = job.pk
    # Not delay_on_commit: a broker that is down must not turn a committed ingest into an error.
    # The row is safe in PostgreSQL; the sweep publishes it later.
    transaction.on_commit(lambda: publish_job(job_id))
    return job


def create_jobs(revisions: Sequence[Revision]) -> list[PipelineJob]:
    """``create_job`` for many revisions: one INSERT, and one publishing of them all on commit."""
    now = timezone.now()
    jobs = PipelineJob.objects.bulk_create([
        PipelineJob(article_id=revision.article_id, revision=revision, max_attempts=settings.NEWSROOM_JOB_MAX_ATTEMPTS,
                    enqueued_at=now)
        for revision in revisions
    ])
    job_ids = [job.pk for job in jobs]
    if job_ids:
        transaction.on_commit(lambda: publish_jobs(job_ids))
    return jobs


def publish_jobs(job_ids: Sequence[int]) -> int:
    """``publish_job`` for many jobs, in one go: their messages sent together (kombu's publish
    batch: one Redis pipeline, not one round trip each), then one note of them all
    (corrections.broker). When the broker is down none is counted as published (the sweep
    publishes them; one that got through anyway is only a duplicate, which claim_job ignores).
    Returns how many were published."""
    priority = settings.CELERY_TASK_DEFAULT_PRIORITY
    try:
        with app.producer_or_acquire() as producer, producer.batch(max_size=max(1, len(job_ids))):
            for job_id in job_ids:
                app.signature(PIPELINE_TASK).apply_async((job_id,), retry=False, priority=priority, producer=producer)
    except Exception:  # kombu raises many types for an unreachable broker
        logger.warning("could not publish %d pipeline jobs; the sweep will retry", len(job_ids), exc_info=True)
        return 0
    broker.note_published_many(job_ids, timezone.now())
    return len(job_ids)


def publish_job(job_id: int, countdown: float | None = None, first: bool = False) -> bool:
    """Send the job's message to the broker. Returns False (and logs) when the broker is down.

    ``first``: ahead of the backlog (a job taken back from a dead worker has waited its turn once).
    The priority is always explicit: a message sent by name where the task is not registered
    (the web process) would otherwise get kombu's 0, the front of the queue.
    """
    priority = PRIORITY_FIRST if first else settings.CELERY_TASK_DEFAULT_PRIORITY
    try:
        app.signature(PIPELINE_TASK).apply_async((job_id,), countdown=countdown, retry=False, priority=priority)
    except Exception:  # kombu raises many types for an unreachable broker
        logger.warning("could not publish pipeline job %s; the sweep will retry", job_id, exc_info=True)
        return False
    broker.note_published(job_id, timezone.now())
    return True


def claim_job(job_id: int, task_id: str = "", is_retry: bool = False) -> PipelineJob | None:
    """Take the job for this task and count the attempt.

    A job can be taken when it is queued, when its lease ran out, or when this same task (by its
    Celery id) held it: a message redelivered after its worker died. ``is_retry`` marks the task
    retrying after a database error, which does not use up an attempt. Returns None when the job
    is finished or held by another task. A job whose attempts are used up while its worker keeps
    dying is failed here.
    """
    now = timezone.now()
    held_by_me = Q(state=PipelineJob.State.RUNNING, claimed_by=task_id) if task_id else Q(pk__in=[])
    claimed = PipelineJob.objects.filter(
        Q(state=PipelineJob.State.QUEUED) | Q(state=PipelineJob.State.RUNNING, lease_expires_at__lt=now) | held_by_me,
        pk=job_id,
        attempts__lt=F("max_attempts") + (1 if is_retry else 0),
    ).update(
        state=PipelineJob.State.RUNNING,
        attempts=F("attempts") + (0 if is_retry else 1),
        claimed_by=task_id,
        started_at=now,
        lease_expires_at=now + settings.NEWSROOM_JOB_LEASE,
    )
    if claimed == 1:
        return PipelineJob.objects.select_related("revision", "article").get(pk=job_id)
    with transaction.atomic():
        job = PipelineJob.objects.select_for_update().select_related("revision").filter(pk=job_id).first()
        if job is not None and job.state == PipelineJob.State.RUNNING and job.attempts >= job.max_attempts and (
            job.claimed_by == task_id or (job.lease_expires_at is not None and job.lease_expires_at < now)
        ):
            job.last_error = job.last_error or f"the worker died during each of {job.attempts} attempts"
            _fail(job)
    return None


def _set_article_status(job: PipelineJob, status: str, detail: str = "") -> None:
    """Move the article's status, but only while this job's revision is still the current one, and
    never off published or withdrawn (by its supplier: articles.withdraw)."""
    Article.objects.filter(pk=job.article_id, revision_number=job.revision.number).exclude(
        status__in=[Article.Status.PUBLISHED, Article.Status.WITHDRAWN]
    ).update(status=status, status_detail=detail, updated_at=timezone.now())


def mark_processing(job: PipelineJob) -> None:
    _set_article_status(job, Article.Status.PROCESSING)


@transaction.atomic
def finish_job(job: PipelineJob) -> None:
    """Mark the job done, if this claim still holds it: a task whose lease ran out and was taken
    back leaves the finishing (and its audit row) to the task that holds the job now."""
    finished = PipelineJob.objects.filter(pk=job.pk, state=PipelineJob.State.RUNNING, claimed_by=job.claimed_by).update(
        state=PipelineJob.State.DONE, finished_at=timezone.now(), lease_expires_at=None, last_error=""
    )
    if not finished:
        logger.info("job %s was taken back from task %r before it finished", job.pk, job.claimed_by)
        return
    _set_article_status(job, Article.Status.IN_REVIEW)
    metrics.count_job_finished("done", job.created_at)
    record_event(action="pipeline.done", actor=SystemActor("pipeline"), obj=job, article_id=job.article_id,
                 revision_number=job.revision.number, detail={"attempts": job.attempts})


@transaction.atomic
def record_failure(job_id: int, reason: str) -> timedelta | None:
    """Record a failed attempt. Returns the delay before the retry, or None if the job is now failed."""
    job = PipelineJob.objects.select_for_update().select_related("revision").get(pk=job_id)
    if job.state in (PipelineJob.State.DONE, PipelineJob.State.FAILED):
        return None
    job.last_error = reason[:5000]
    if job.attempts >= job.max_attempts:
        _fail(job)
        return None
    delay = retry_delay(job.attempts)
    job.state = PipelineJob.State.QUEUED
    job.lease_expires_at = None
    job.enqueued_at = timezone.now() + delay
    job.save(update_fields=["state", "last_error", "lease_expires_at", "enqueued_at"])
    return delay


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 300))


def _fail(job: PipelineJob) -> None:
    job.state = PipelineJob.State.FAILED
    job.finished_at = timezone.now()
    job.lease_expires_at = None
    job.save(update_fields=["state", "last_error", "finished_at", "lease_expires_at"])
    _set_article_status(job, Article.Status.FAILED, f"pipeline failed after {job.attempts} attempts: {job.last_error}")
    metrics.count_job_finished("failed", job.created_at)
    record_event(action="pipeline.failed", actor=SystemActor("pipeline"), obj=job, article_id=job.article_id,
                 revision_number=job.revision.number, detail={"attempts": job.attempts, "reason": job.last_error[:500]})


def sweep_jobs(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Re-publish the queued jobs whose message is lost, take back jobs whose lease ran out, fail
    exhausted jobs.

    A queued job's message is lost when the broker holds no note of its publish (corrections/
    broker.py: the publish failed, the web process died before it, Redis came back empty) once it
    has had ``PUBLISH_GRACE`` to land, or, as a safety net, when the job has waited
    ``NEWSROOM_JOB_STALE_QUEUED`` and its queue holds no message any more. Jobs waiting their turn
    in a healthy broker are left alone, however long the backlog. Safe to run concurrently with itself (rows are locked with SKIP
    LOCKED).
    """
    now = now or timezone.now()
    counts = {"republished": 0, "failed": 0, "unpublished": 0}
    to_publish: list[tuple[int, bool]] = []
    lost = lost_messages(now)
    # The safety net: a job waiting past NEWSROOM_JOB_STALE_QUEUED whose note says its message is
    # in Redis, yet no message of the queue is left ahead of it (say, a worker died holding it).
    # While the queue holds messages it may be among them: a copy per job of an hours-long backlog
    # every few minutes would only lengthen the backlog.
    stale = Q(state=PipelineJob.State.QUEUED, enqueued_at__lt=now - settings.NEWSROOM_JOB_STALE_QUEUED)
    if broker.holds_messages(PIPELINE_QUEUE):
        stale = Q(pk__in=[])
    with transaction.atomic():
        stuck = (
            PipelineJob.objects.select_for_update(skip_locked=True)
            .select_related("revision")
            .filter(
                stale
                | Q(state=PipelineJob.State.QUEUED, enqueued_at__isnull=True)
                | Q(state=PipelineJob.State.QUEUED, pk__in=lost)
                | Q(state=PipelineJob.State.RUNNING, lease_expires_at__lt=now)
            )
            .order_by("id")[:limit]
        )
        for job in stuck:
            if job.state == PipelineJob.State.RUNNING and job.attempts >= job.max_attempts:
                job.last_error = job.last_error or "the worker stopped while running the job (lease expired)"
                _fail(job)
                counts["failed"] += 1
                continue
            taken_back = job.state == PipelineJob.State.RUNNING
            job.state = PipelineJob.State.QUEUED
            job.lease_expires_at = None
            job.enqueued_at = now
            job.save(update_fields=["state", "lease_expires_at", "enqueued_at"])
            to_publish.append((job.pk, taken_back))
    for job_id, taken_back in to_publish:
        if publish_job(job_id, first=taken_back):
            counts["republished"] += 1
        else:
            counts["unpublished"] += 1
            break  # the broker is down: the next sweep tries again
    return counts


def lost_messages(now: datetime, cap: int = 20_000) -> list[int]:
    """Queued jobs past the publish grace whose message the broker does not hold (all of them
    when Redis does not answer: publishing will tell)."""
    grace = min(PUBLISH_GRACE, settings.NEWSROOM_JOB_STALE_QUEUED)
    waiting = list(PipelineJob.objects.filter(state=PipelineJob.State.QUEUED, enqueued_at__lt=now - grace)
                   .order_by("id").values_list("pk", flat=True)[:cap])
    return broker.not_held(waiting, now)


class JobNotFailed(Exception):
    """Only a failed job can be retried (the ops page answers 409)."""


@transaction.atomic
def retry_job(*, job_id: int, actor: Actor) -> PipelineJob:
    """Give a failed job fresh attempts and publish it again once the transaction commits.

    The job goes back to queued with no attempt used and ``NEWSROOM_JOB_MAX_ATTEMPTS`` to come, and
    its article back to received while the job's revision is still its current, unpublished one.
    Passes that had run before the failure keep their stored runs (a pass runs once per revision
    and version), so the retry only does what is left. The audit row ``pipeline.retried`` keeps
    the reason the job had failed with. Raises PipelineJob.DoesNotExist for an unknown id, and
    JobNotFailed when the job is not failed (it was retried already, or never failed).
    """
    job = PipelineJob.objects.select_for_update().select_related("revision").get(pk=job_id)
    if job.state != PipelineJob.State.FAILED:
        raise JobNotFailed(f"Job {job.pk} is {job.state}, not failed: there is nothing to retry.")
    previous = {"previous_error": job.last_error[:500], "previous_attempts": job.attempts}
    job.state = PipelineJob.State.QUEUED
    job.attempts = 0
    job.max_attempts = settings.NEWSROOM_JOB_MAX_ATTEMPTS
    job.last_error = ""
    job.claimed_by = ""
    job.enqueued_at = timezone.now()
    job.started_at = job.finished_at = job.lease_expires_at = None
    job.save(update_fields=["state", "attempts", "max_attempts", "last_error", "claimed_by", "enqueued_at",
                            "started_at", "finished_at", "lease_expires_at"])
    _set_article_status(job, Article.Status.RECEIVED)
    record_event(action="pipeline.retried", actor=actor, obj=job, article_id=job.article_id,
                 revision_number=job.revision.number, detail=previous)
    transaction.on_commit(lambda: publish_job(job_id))
    return job
