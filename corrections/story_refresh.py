"""A story's refresh as its own queued job, coalesced per story: the outbox of ``refresh_story_task``.

A new copy changes the evidence of the story's other copies (the forms of names they print, the
lines they share), so their pending suggestions of the passes that read the story may change. That
refresh is no part of the new copy's own job: when its passes are done, :func:`request_refresh`
notes the copy in the story's one :class:`StoryRefresh` row and, if the row is new, publishes the
refresh to the ``refresh`` queue with a countdown of ``NEWSROOM_STORY_REFRESH_DELAY`` seconds.
Copies arriving meanwhile only join the row, so a burst of copies costs one refresh, not one each.

The task claims the row with a lease (:func:`claim`), refreshes (corrections.pipeline.refresh_story),
and ends with :func:`finish`: the row goes, or, when copies joined while it ran, it keeps those and
is published again. A worker that dies leaves the row claimed until its lease runs out; a message
lost on the way leaves it unclaimed past its due time with no note in Redis (corrections.broker):
the sweep publishes either again (:func:`sweep_refreshes`). A refresh run twice changes nothing
the second time (suggestions are reconciled by what they say, and editors' decisions are never
touched), so at-least-once delivery is enough.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from corrections import broker
from corrections.models import StoryRefresh
from newsroom.celery import app

logger = logging.getLogger(__name__)

# Published by name: this module imports neither the tasks nor the pipeline.
REFRESH_TASK = "corrections.tasks.refresh_story_task"
PUBLISHED_KEY = "newsroom:published-refreshes"
# The task's own limits (corrections/tasks.py): a lease outlives any run of a live task, so only a
# dead worker's refresh is ever taken back.
SOFT_TIME_LIMIT = 120
TIME_LIMIT = SOFT_TIME_LIMIT + 30
LEASE = timedelta(seconds=TIME_LIMIT + 30)
PUBLISH_GRACE = timedelta(seconds=20)


def delay() -> timedelta:
    return timedelta(seconds=settings.NEWSROOM_STORY_REFRESH_DELAY)


def request_refresh(article: Article) -> bool:
    """Note that ``article``'s copy is new evidence for its story, and publish the story's refresh
    unless one is pending already. Returns True when this call published it."""
    if article.story_id is None:
        return False
    story_id = article.story_id
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO corrections_storyrefresh AS r
                (story_id, article_ids, requested, created_at, due_at, claimed_by, lease_expires_at)
            VALUES (%(story)s, ARRAY[%(article)s]::bigint[], 1, now(), %(due)s, '', NULL)
            ON CONFLICT (story_id) DO UPDATE SET
                article_ids = CASE WHEN %(article)s = ANY(r.article_ids) THEN r.article_ids
                                   ELSE r.article_ids || %(article)s::bigint END,
                requested = r.requested + 1
            RETURNING (xmax = 0)
            """,
            {"story": story_id, "article": article.pk, "due": timezone.now() + delay()},
        )
        row = cursor.fetchone()
    if not (row and row[0]):
        return False  # pending already: its message is on the way, or its task publishes again
    countdown = delay().total_seconds()
    transaction.on_commit(lambda: publish(story_id, countdown=countdown))
    return True


def publish(story_id: int, countdown: float | None = None, first: bool = False) -> bool:
    """Send the story's refresh to the broker (queue ``refresh``); False when the broker is down
    (the sweep publishes it later)."""
    from corrections.jobs import PRIORITY_FIRST

    priority = PRIORITY_FIRST if first else settings.CELERY_TASK_DEFAULT_PRIORITY
    try:
        app.signature(REFRESH_TASK).apply_async((story_id,), countdown=countdown or None, retry=False,
                                                priority=priority)
    except Exception:  # kombu raises many types for an unreachable broker
        logger.warning("could not publish the refresh of story %s; the sweep will retry", story_id, exc_info=True)
        return False
    broker.note_published(story_id, timezone.now(), key=PUBLISHED_KEY)
    return True


@dataclass(frozen=True, slots=True)
class Claim:
    story_id: int
    task_id: str
    article_ids: tuple[int, ...]  # the copies that joined since the last refresh
    requested: int  # the row's count of requests when claimed


def claim(story_id: int, task_id: str) -> Claim | None:
    """Take the story's pending refresh for this task: when nobody holds it, its holder's lease ran
    out, or this very task held it (a redelivered message). None when there is nothing to do."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE corrections_storyrefresh SET claimed_by = %(task)s, lease_expires_at = %(lease)s
            WHERE story_id = %(story)s
              AND (claimed_by = '' OR claimed_by = %(task)s OR lease_expires_at < %(now)s)
            RETURNING article_ids, requested
            """,
            {"task": task_id, "lease": now + LEASE, "story": story_id, "now": now},
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Claim(story_id=story_id, task_id=task_id, article_ids=tuple(row[0]), requested=row[1])


def finish(done: Claim) -> bool:
    """The refresh of ``done`` is over: delete the row, or, when copies joined meanwhile, keep
    those for the next refresh and publish it. Returns True when a next refresh was published.
    A task whose lease ran out and was taken back leaves the row to the task that holds it."""
    with transaction.atomic():
        row = StoryRefresh.objects.select_for_update().filter(story_id=done.story_id, claimed_by=done.task_id).first()
        if row is None:
            logger.info("the refresh of story %s was taken back from task %r", done.story_id, done.task_id)
            return False
        if row.requested == done.requested:
            row.delete()
            return False
        covered = set(done.article_ids)
        row.article_ids = [a for a in row.article_ids if a not in covered]
        row.claimed_by, row.lease_expires_at = "", None
        row.due_at = timezone.now() + delay()
        row.save(update_fields=["article_ids", "claimed_by", "lease_expires_at", "due_at"])
        countdown = delay().total_seconds()
        transaction.on_commit(lambda: publish(done.story_id, countdown=countdown))
    return True


def release(done: Claim) -> None:
    """The refresh failed (the task retries it): give the row back, unclaimed, as it is."""
    StoryRefresh.objects.filter(story_id=done.story_id, claimed_by=done.task_id).update(
        claimed_by="", lease_expires_at=None, due_at=timezone.now())


def sweep_refreshes(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Publish again the refreshes whose worker died (lease run out) and those past due whose
    message Redis holds no note of (lost), or that waited past ``NEWSROOM_JOB_STALE_QUEUED`` with
    nothing left in their queue."""
    now = now or timezone.now()
    counts = {"refreshes_republished": 0, "refreshes_unpublished": 0}
    grace = min(PUBLISH_GRACE, settings.NEWSROOM_JOB_STALE_QUEUED)
    waiting = list(StoryRefresh.objects.filter(claimed_by="", due_at__lt=now - grace)
                   .order_by("due_at").values_list("story_id", flat=True)[:20_000])
    lost = broker.not_held(waiting, now, key=PUBLISHED_KEY)
    # The safety net, as for pipeline jobs (jobs.sweep_jobs): only once the queue holds no message.
    stale = Q(claimed_by="", due_at__lt=now - settings.NEWSROOM_JOB_STALE_QUEUED)
    if broker.holds_messages(settings.CELERY_TASK_ROUTES[REFRESH_TASK]["queue"]):
        stale = Q(pk__in=[])
    to_publish: list[tuple[int, bool]] = []
    with transaction.atomic():
        rows = (StoryRefresh.objects.select_for_update(skip_locked=True)
                .filter(Q(claimed_by="", story_id__in=lost) | stale | Q(lease_expires_at__lt=now))
                .order_by("due_at")[:limit])
        for row in rows:
            taken_back = bool(row.claimed_by)
            row.claimed_by, row.lease_expires_at, row.due_at = "", None, now
            row.save(update_fields=["claimed_by", "lease_expires_at", "due_at"])
            to_publish.append((row.story_id, taken_back))
    for story_id, taken_back in to_publish:
        if publish(story_id, first=taken_back):
            counts["refreshes_republished"] += 1
        else:
            counts["refreshes_unpublished"] += 1
            break  # the broker is down: the next sweep tries again
    return counts
