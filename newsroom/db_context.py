"""Who is changing the database, told to PostgreSQL so that its row-history triggers record it.

The row-history triggers (articles migrations 0009 and 0011) write one ``RowChange`` per inserted,
updated or deleted row of the tracked tables, whatever made the change: the ORM,
``QuerySet.update()``, ``bulk_create`` or raw SQL; they run once per statement. They read two
settings of the connection, ``newsroom.request_id`` and ``newsroom.actor``, which ``bind()`` sets
and ``unbind()`` clears: the request middleware around each request, the Celery tasks around each
job. PostgreSQL's ``application_name`` (set per process in settings) says which program made a
change that no request or job claims.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

from newsroom.request_context import current_job_id, current_request_id

logger = logging.getLogger(__name__)

_MAX = 200
_SET = "SELECT set_config('newsroom.request_id', %s, false), set_config('newsroom.actor', %s, false)"
_SET_ACTOR = "SELECT set_config('newsroom.actor', %s, false)"


def bind(*, request_id: str, actor: str = "") -> bool:
    """Tag this connection's later changes with the request (or job) and actor.

    Call it outside a transaction: a setting made inside one is undone if it rolls back. Returns
    False, having logged why, when the database cannot be reached (the caller carries on; whatever
    it then tries will fail and be reported on its own terms).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute(_SET, [request_id[:_MAX], actor[:_MAX]])
    except DatabaseError:
        logger.warning("could not tag the database connection with request %s", request_id, exc_info=True)
        return False
    return True


def set_actor(actor: str) -> None:
    """Name the actor once it is known (after authentication), keeping the request id."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(_SET_ACTOR, [actor[:_MAX]])
    except DatabaseError:
        logger.warning("could not tag the database connection with actor %s", actor, exc_info=True)


def unbind() -> None:
    """Clear the tags, so that a reused connection never lends them to someone else's change."""
    bind(request_id="", actor="")


@contextmanager
def bound(*, request_id: str, actor: str = "") -> Iterator[None]:
    bind(request_id=request_id, actor=actor)
    try:
        yield
    finally:
        unbind()


@contextmanager
def job_context(request_id: str, actor: str) -> Iterator[None]:
    """A background job's id on its audit rows, its log lines and, through the connection, on its
    row history."""
    token = current_request_id.set(request_id)
    job_token = current_job_id.set(actor)
    try:
        with bound(request_id=request_id, actor=actor):
            yield
    finally:
        current_job_id.reset(job_token)
        current_request_id.reset(token)
