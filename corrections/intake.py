"""The one door from articles into corrections: articles imports nothing else of corrections.

A revision a client sent comes in here and leaves as a pipeline job (:func:`accept_revision`; a
batch's new articles all at once, :func:`accept_revisions`).
Ingestion also asks here how many invisible characters a text holds (those the encoding pass
flags), publishing how many suggestions are still pending, and retention which rejected
suggestions it may remove. corrections imports articles freely; the other way round goes through
this module alone, so the two apps stay a layer apart (tests/articles/test_one_door.py checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import F, QuerySet

from articles.models import Article, Revision
from corrections.jobs import create_job, create_jobs
from corrections.models import PipelineJob, Suggestion
from corrections.passes.encoding import count_invisible
from corrections.revisions import mark_pending_stale

__all__ = [
    "accept_revision",
    "accept_revisions",
    "count_invisible",
    "count_pending",
    "delete_suggestions",
    "removable_rejected_suggestions",
    "review_status",
]


def accept_revision(revision: Revision, superseded: Revision | None = None) -> PipelineJob:
    """Queue the passes for ``revision``, which a client sent. When it ``superseded`` the article's
    current revision, the suggestions still pending on that one turn stale.

    Must be called inside the transaction that stored the revision: the job row is written in it
    and published to the broker when it commits (the sweep publishes it if the broker is down).
    """
    if superseded is not None:
        mark_pending_stale(superseded, note=f"superseded by revision {revision.number}, a new copy from the client")
    return create_job(revision)


def accept_revisions(revisions: Sequence[Revision]) -> list[PipelineJob]:
    """Queue the passes for each of ``revisions``, the first revisions of new articles a client
    sent (a batch): one statement writes their jobs, and they are published together when the
    transaction commits."""
    return create_jobs(revisions)


def review_status(revision: Revision) -> tuple[str, str]:
    """The article status (and its detail) the pipeline job of ``revision`` has reached: in review
    once it is done, failed with its reason, else received (the job will move it on)."""
    job = PipelineJob.objects.filter(revision=revision).order_by("-id").first()
    if job is not None and job.state == PipelineJob.State.DONE:
        return Article.Status.IN_REVIEW, ""
    if job is not None and job.state == PipelineJob.State.FAILED:
        return Article.Status.FAILED, f"pipeline failed after {job.attempts} attempts: {job.last_error}"
    return Article.Status.RECEIVED, ""


def count_pending(revision: Revision) -> int:
    """How many suggestions on ``revision`` still await an editor's decision."""
    return Suggestion.objects.filter(revision=revision, status=Suggestion.Status.PENDING).count()


def removable_rejected_suggestions(cutoff: datetime) -> QuerySet[Suggestion]:
    """Suggestions rejected before ``cutoff`` on revisions that are neither current nor published:
    what the retention policy may remove."""
    return (
        Suggestion.objects.filter(status=Suggestion.Status.REJECTED, decided_at__lt=cutoff)
        .exclude(revision__number=F("revision__article__revision_number"))
        .exclude(revision__publications__isnull=False)
    )


def delete_suggestions(ids: Sequence[int]) -> list[tuple[int, int]]:
    """Delete these suggestions; return ``(id, article id)`` of each one deleted."""
    rows = list(Suggestion.objects.filter(pk__in=ids).values_list("pk", "revision__article_id"))
    Suggestion.objects.filter(pk__in=ids).delete()
    return rows
