"""Which queued jobs the broker (Redis) still holds a message for: the sweep's way to tell a job
waiting its turn from a lost one.

A job whose message sits in Redis is waiting, however long the backlog; publishing it again only
adds a copy behind it (harmless, but a backlog of thousands re-published every few seconds fills
the queue with copies). A message is lost when publishing failed, when the web process died between
its commit and the publish, or when Redis restarted without persistence or was flushed. Each
successful publish is noted in Redis itself, in a sorted set beside the messages (job id -> time):
a job the set does not hold has no message either, whichever way it was lost; a Redis that came
back empty has lost both. Notes are kept for a day at least (``NOTES_KEPT``; longer when the
sweep's safety net, ``NEWSROOM_JOB_STALE_QUEUED``, is longer), then trimmed, so the set stays small:
a job waiting behind a backlog of hours keeps its note and is not published again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

import redis
from django.conf import settings

PUBLISHED_KEY = "newsroom:published-jobs"
CHUNK = 1000
NOTES_KEPT = timedelta(days=1)
# kombu's Redis transport keeps a queue's prioritised messages in lists named queue + SEP + step
# (the step-0 list is the queue's own name).
PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2)


@lru_cache(maxsize=4)
def _shared_client(url: str) -> redis.Redis:
    """One client (and connection pool) per process and URL for the notes written on every ingest:
    a new connection per note cost a TCP connect per article. The pool reconnects after an outage
    and is not shared across a fork (redis-py checks the process id)."""
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def note_published(job_id: int, now: datetime, key: str = PUBLISHED_KEY) -> None:
    """Best effort: a note that fails to land makes the job look lost, and costs one copy.
    ``key``: the set of notes (the story refreshes keep theirs apart, corrections/story_refresh.py)."""
    note_published_many([job_id], now, key)


def note_published_many(job_ids: Iterable[int], now: datetime, key: str = PUBLISHED_KEY) -> None:
    """``note_published`` for many jobs at once (one command)."""
    notes = {str(job_id): now.timestamp() for job_id in job_ids}
    if not notes:
        return
    try:
        _shared_client(settings.CELERY_BROKER_URL).zadd(key, notes)
    except (redis.RedisError, OSError):
        pass


def held(job_ids: Iterable[int], now: datetime, key: str = PUBLISHED_KEY) -> set[int] | None:
    """The jobs among ``job_ids`` whose message the broker holds; None when Redis does not answer.
    Trims the notes older than ``NOTES_KEPT`` first."""
    ids = list(job_ids)
    client = _client()
    found: set[int] = set()
    try:
        kept = max(NOTES_KEPT, settings.NEWSROOM_JOB_STALE_QUEUED)
        client.zremrangebyscore(key, "-inf", (now - kept).timestamp())
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            scores = client.zmscore(key, [str(pk) for pk in chunk])
            found.update(pk for pk, score in zip(chunk, scores, strict=True) if score is not None)
    except (redis.RedisError, OSError):
        return None
    finally:
        client.close()
    return found



def not_held(ids: list[int], now: datetime, key: str = PUBLISHED_KEY) -> list[int]:
    """Those of ``ids`` whose message the broker does not hold: lost. All of them when Redis does
    not answer (publishing will tell)."""
    present = held(ids, now, key)
    return ids if present is None else [pk for pk in ids if pk not in present]

def queue_keys(queue: str) -> list[str]:
    """The Redis lists that hold ``queue``'s messages, one per priority step."""
    return [queue, *(f"{queue}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS)]


def holds_messages(queue: str) -> bool | None:
    """Whether any message waits in ``queue`` (at any priority); None when Redis does not answer."""
    client = _client()
    try:
        return bool(client.exists(*queue_keys(queue)))
    except (redis.RedisError, OSError):
        return None
    finally:
        client.close()
