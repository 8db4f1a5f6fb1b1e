"""Receivers that record authentication events in the audit trail (adapters only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from articles.audit import record_event


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django already strips the password from ``credentials``; keep only the username.
    record_event(action="auth.login_failed", actor=None,
                 detail={"username": str(credentials.get("username", ""))[:150]})


@receiver(user_logged_in)
def audit_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record_event(action="auth.logged_in", actor=user, obj=user)
