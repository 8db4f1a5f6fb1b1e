"""Who did something, as the API says it: the desk, never a staff account's name.

Published versions leave the building: the feed, the canonical text and every publication name
the publisher by the desk's byline (``NEWSROOM_PUBLISHER_BYLINE``, "newsroom desk" by default),
whoever pressed Publish. A revision made on the desk reads ``desk:<role>`` ("desk:editor") to API
readers who are not editors themselves (ingestion clients, viewers); editors, who read the audit
trail anyway, see ``user:<name>``. Usernames, e-mail addresses and token names or prefixes of
staff accounts stay inside: the desk pages, the audit trail and the row history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from articles.models import Revision
from newsroom.roles import ROLES, has_role


def publisher_byline() -> str:
    return str(settings.NEWSROOM_PUBLISHER_BYLINE)


def staff_role(user: Any) -> str:
    """The user's highest role ("editor", "publisher", ...), from prefetched groups when there are."""
    if getattr(user, "is_superuser", False):
        return "admin"
    names = {group.name for group in user.groups.all()}
    return next((role for role in reversed(ROLES) if role in names), "staff")


def may_see_staff_names(user: Any) -> bool:
    """Editors (and above) see who on the desk made a revision; other API readers see the role."""
    return has_role(user, "editor")


def revision_author(revision: Revision, *, show_staff_names: bool) -> str:
    """``revision.created_by``, with a staff account (a user, or a token acting for one) named by its
    role unless ``show_staff_names``."""
    if show_staff_names:
        return revision.created_by
    client = revision.created_by_client
    user = revision.created_by_user or (client.user if client is not None else None)
    if user is not None:
        return f"desk:{staff_role(user)}"
    return revision.created_by
