"""Login throttling per username, counted from the audit trail.

After NEWSROOM_LOGIN_MAX_FAILURES failed logins for one username (from any address) since its last
successful login, further attempts are refused — even with the right password — until the
cool-off has passed since the last failure. The refusal is itself an audit row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from articles.audit import record_event
from articles.models import AuditEvent


def is_locked(username: str) -> bool:
    """True when ``username`` has too many recent failures since its last successful login."""
    window_start = timezone.now() - settings.NEWSROOM_LOGIN_COOLOFF
    last_success = (
        AuditEvent.objects.filter(action="auth.logged_in", actor_type="user", actor_label=username)
        .order_by("-id").values_list("id", flat=True).first()
    )
    failures = AuditEvent.objects.filter(action="auth.login_failed", detail__username=username, at__gte=window_start)
    if last_success is not None:
        failures = failures.filter(id__gt=last_success)
    return failures.count() >= settings.NEWSROOM_LOGIN_MAX_FAILURES


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing usernames that are locked out."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username and is_locked(username):
            record_event(action="auth.login_locked", actor=None, detail={"username": username[:150]})
            # PermissionDenied stops Django trying other backends; it reports a failed login.
            raise PermissionDenied(f"too many failed logins for {username}")
        return super().authenticate(request, username=username, password=password, **kwargs)
