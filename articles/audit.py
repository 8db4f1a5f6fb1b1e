"""The audit trail: one append-only row per state change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from articles.models import ApiClient, AuditEvent
from newsroom.request_context import current_request_id


@dataclass(frozen=True, slots=True)
class SystemActor:
    """The system acting on its own: a pass and version, the sweep, auto-apply."""

    label: str


Actor = AbstractBaseUser | AnonymousUser | ApiClient | SystemActor | None


def sha256_text(text: str | None) -> str:
    return "" if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _actor_fields(actor: Actor) -> dict[str, Any]:
    if isinstance(actor, ApiClient):
        if actor.user is not None:
            return {"actor_type": "user", "actor_id": actor.user_id,
                    "actor_label": f"{actor.user.get_username()} (token {actor.name})"}
        return {"actor_type": "client", "actor_id": actor.pk, "actor_label": actor.name}
    if isinstance(actor, SystemActor):
        return {"actor_type": "system", "actor_id": None, "actor_label": actor.label}
    if actor is None or not actor.is_authenticated:
        return {"actor_type": "anonymous", "actor_id": None, "actor_label": "anonymous"}
    return {"actor_type": "user", "actor_id": actor.pk, "actor_label": actor.get_username()}


def row_actor(actor: Actor) -> str:
    """The actor as the row-history triggers record it ("user:7 alice", "client:3 wire"); "" for
    anonymous and system actors (a job names itself through newsroom.db_context.job_context)."""
    fields = _actor_fields(actor)
    return "" if fields["actor_id"] is None else f"{fields['actor_type']}:{fields['actor_id']} {fields['actor_label']}"


class EventFields(TypedDict, total=False):
    """What an audit row says besides its action and actor (see ``audit_event``)."""

    obj: models.Model | None
    article_id: int | None
    revision_number: int | None
    before: str | None
    after: str | None
    detail: dict[str, Any] | None


def record_event(*, action: str, actor: Actor, **fields: Unpack[EventFields]) -> AuditEvent:
    """Append one audit row. Call inside the transaction that makes the change it records."""
    event = audit_event(action=action, actor=actor, **fields)
    event.save()
    return event


def audit_event(
    *,
    action: str,
    actor: Actor,
    obj: models.Model | None = None,
    article_id: int | None = None,
    revision_number: int | None = None,
    before: str | None = None,
    after: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit row ``record_event`` appends, unsaved: for appending many in one statement
    (``AuditEvent.objects.bulk_create``), inside the transaction that makes the changes."""
    return AuditEvent(
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        article_id=article_id,
        revision_number=revision_number,
        before_sha256=sha256_text(before),
        after_sha256=sha256_text(after),
        request_id=current_request_id.get(),
        detail=detail or {},
        **_actor_fields(actor),
    )
