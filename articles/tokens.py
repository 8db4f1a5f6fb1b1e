"""API tokens: created once, shown once, stored as a SHA-256 hash with a short prefix."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from articles.audit import record_event
from articles.models import ApiClient

KEY_PREFIX = "nr_"


class InvalidToken(Exception):
    """The presented key is unknown, revoked or expired."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def create_api_token(name: str, user: User | None = None) -> tuple[ApiClient, str]:
    """Create a client named ``name`` and return it with its key; the key is not stored anywhere.

    Raises ValueError if the name is taken.
    """
    if ApiClient.objects.filter(name=name).exists():
        raise ValueError(f"an API client named {name!r} exists already; choose another name or revoke it")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient.objects.create(name=name, key_prefix=key[:10], key_hash=hash_key(key), user=user)
    record_event(action="token.created", actor=None, obj=client, detail={"client": name, "prefix": client.key_prefix})
    return client, key


@transaction.atomic
def revoke_api_token(client: ApiClient, actor: User | None = None) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        record_event(action="token.revoked", actor=actor, obj=client, detail={"client": client.name})
    return client


def authenticate_key(key: str) -> ApiClient:
    """Return the active client holding ``key``. Raises InvalidToken."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        raise InvalidToken("malformed token")
    client = ApiClient.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if client is None or not secrets.compare_digest(client.key_hash, hash_key(key)):
        raise InvalidToken("unknown token")
    if client.revoked_at is not None:
        raise InvalidToken("revoked token")
    if client.expires_at is not None and client.expires_at <= timezone.now():
        raise InvalidToken("expired token")
    if client.user is not None and not client.user.is_active:
        raise InvalidToken("the token's user is inactive")
    return client
