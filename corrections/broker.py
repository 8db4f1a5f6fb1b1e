"""What the broker (Redis) may still hold: the sweep's way to tell a waiting job from a lost one.

A job whose message sits in Redis is waiting its turn, however long the backlog; publishing it
again would only add a duplicate behind it (harmless, but a backlog of thousands re-published every
few seconds fills the queue with copies). A message is lost when Redis restarted without
persistence or was flushed, or when publishing failed. The first a job's row records
(``enqueued_at`` set to NULL by ``jobs.publish_job``); the second this module detects with a
marker key the sweep sets in Redis the first time it sees a data set: when the key is gone, the
data set is new, and every message published before the marker's time went with the old one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import redis
from django.conf import settings

EPOCH_KEY = "newsroom:broker-epoch"


def broker_epoch(now: datetime) -> datetime | None:
    """Since when the broker's current data set holds our messages (``now`` if it is new to us);
    None when Redis does not answer."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.set(EPOCH_KEY, repr(now.timestamp()), nx=True)
        raw = client.get(EPOCH_KEY)
    except (redis.RedisError, OSError):
        return None
    finally:
        client.close()
    if raw is None:
        return now
    return datetime.fromtimestamp(float(raw), tz=UTC)
