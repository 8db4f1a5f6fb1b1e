"""Roles are Django groups, ordered: a publisher may do what an editor may, and so on."""

from __future__ import annotations

from typing import Any

ROLES = ("viewer", "editor", "publisher", "admin")


def has_role(user: Any, role: str) -> bool:
    """True when ``user`` (a Django user; anything else is never a user) holds ``role`` or a higher one."""
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "groups"):
        return False
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    wanted = ROLES[ROLES.index(role):]
    cached = getattr(user, "_newsroom_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._newsroom_roles = cached
    return any(r in cached for r in wanted)


def check_role(user: Any, role: str) -> None:
    from django.core.exceptions import PermissionDenied

    if not has_role(user, role):
        raise PermissionDenied(f"this needs the {role} role")
