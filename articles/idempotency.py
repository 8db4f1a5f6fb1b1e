"""Idempotency-Key: the first answer to a keyed request is stored and replayed for repeats."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from articles.models import ApiClient, IdempotencyRecord


class IdempotencyKeyReused(Exception):
    """The key was used before with a different request body (the API answers 422)."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any
    is_replay: bool = False


def _lock_id(client_id: int, key: str) -> int:
    digest = hashlib.blake2b(f"{client_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def answer_once(client: ApiClient, key: str, body_sha256: str, produce: Callable[[], Answer]) -> Answer:
    """Run ``produce`` at most once per (client, key) and replay its answer afterwards.

    Runs ``produce`` inside this function's transaction; a concurrent twin waits on an advisory
    lock and then replays. An exception from ``produce`` stores nothing.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(client.pk, key)])
        record = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if record is not None:
            if record.request_sha256 != body_sha256:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used with a different request body; use a new key"
                )
            return Answer(status=record.response_status, body=record.response_body, is_replay=True)
        answer = produce()
        IdempotencyRecord.objects.create(
            client=client, key=key, request_sha256=body_sha256, response_status=answer.status,
            response_body=answer.body,
        )
        return answer
