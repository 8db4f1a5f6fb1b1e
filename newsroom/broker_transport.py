"""kombu's Redis transport, made to survive a broker outage while a task is in flight.

Celery 5.7's consumer, on losing the broker, first ``collect()``s the connection (which detaches
the transport: ``transport.client = None``) and then ``close()``s it. When Redis went away while a
message was delivered and not yet acknowledged (``acks_late``: any task running at that moment),
the second close reaches ``restore_unacked``, which builds a connection pool from the detached
transport and raises ``AttributeError: 'NoneType' object has no attribute 'hostname'``. That is
neither a connection nor a channel error, so Celery treats it as unrecoverable and the worker
exits with code 1 instead of reconnecting (the chaos run's "redis stopped during ingest"). The
task's acknowledgement, sent later on the same closed channel, takes the same path.

Here a channel whose transport is detached raises the broker's own ``ConnectionError`` instead:
kombu and Celery ignore or retry that (the close goes on, the acknowledgement is logged as failed),
and the worker reconnects when Redis is back. Nothing is lost by skipping the restore: the message
stays in Redis's unacked set (restored after the visibility timeout), and the job's lease and the
sweep take the job back within seconds whatever became of its message (corrections/lease.py).

Selected with ``CELERY_BROKER_TRANSPORT`` (newsroom/settings.py); the URL stays ``redis://``.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection is closed (Redis was lost); not reconnecting here")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel
