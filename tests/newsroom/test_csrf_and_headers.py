"""CSRF on every state-changing desk POST (RELIABILITY C6) and the security headers of editor pages (C7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import AuditEvent, Publication, Revision, Story
from corrections.models import Alias, Suggestion
from tests.newsroom.access_world import CALLS, Call, World, build_world

pytestmark = pytest.mark.django_db

# The sample: (URL name, the request of the access matrix that makes it succeed).
STATE_CHANGING = [
    ("desk:decide", "desk:decide POST accept"),
    ("desk:decide", "desk:decide POST reject"),
    ("desk:decide", "desk:decide POST edit"),
    ("desk:accept-all", "desk:accept-all POST"),
    ("desk:undo", "desk:undo POST"),
    ("desk:edit", "desk:edit POST"),
    ("desk:revert", "desk:revert POST"),
    ("desk:publish", "desk:publish POST publish"),
    ("desk:publish", "desk:publish POST correct"),
    ("desk:story-canonical", "desk:story-canonical POST"),
    ("desk:alias-add", "desk:alias-add POST"),
    ("desk:decisions", "desk:decisions POST"),
    ("desk:decision-undo", "desk:decision-undo POST"),
    ("logout", "logout POST"),
    ("api:suggestion-accept", "api:suggestion-accept POST"),  # the API through a desk session
    ("api:article-publish", "api:article-publish POST publish"),
]
SAMPLE = [pytest.param(name, key, id=key) for name, key in STATE_CHANGING]


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("desk:queue"))  # sets the CSRF cookie, as a first page would
    return client


def state(world: World) -> tuple[Any, ...]:
    """Everything the sample could change, and whether the session still works."""
    return (
        AuditEvent.objects.count(), Revision.objects.count(), Publication.objects.count(),
        sorted(Suggestion.objects.values_list("id", "status")),
        Story.objects.get(pk=world.story.pk).canonical_article_id, Alias.objects.count(),
    )


def post(client: Client, name: str, call: Call, **extra: Any) -> Any:
    url = reverse(name, args=call.args)
    if call.is_json:
        return client.post(url, json.dumps(call.data), content_type="application/json", **extra)
    return client.post(url, call.data, **extra)


def session_alive(client: Client) -> bool:
    return client.get(reverse("desk:queue")).status_code == 200


def replay(client: Client, other: Client, how: str) -> dict[str, Any]:
    """The extra arguments of a forged or careless POST: (a) no token, (b) a token from another
    user's session, (c) the session's own token but a foreign Origin over HTTPS; "own" is the control."""
    own = client.cookies["csrftoken"].value
    return {
        "no token": {},
        "another session's token": {"headers": {"X-CSRFToken": other.cookies["csrftoken"].value}},
        "foreign origin": {"secure": True, "headers": {"X-CSRFToken": own, "Origin": "https://evil.example"}},
        "own": {"secure": True, "headers": {"X-CSRFToken": own, "Origin": "https://testserver"}},
    }[how]


@pytest.mark.parametrize("how", ["no token", "another session's token", "foreign origin", "own"])
@pytest.mark.parametrize(("name", "key"), SAMPLE)
def test_state_changing_post_needs_the_sessions_own_csrf_token(name: str, key: str, how: str) -> None:
    world = build_world()
    admin = world.users["admin"]
    client = signed_in(admin)
    extra = replay(client, signed_in(world.users["publisher"]), how)
    call = CALLS[key](world, admin)
    before = state(world)

    response = post(client, name, call, **extra)

    if how == "own":  # the control: the refusals are CSRF's, not the payload's
        assert response.status_code in (200, 201, 302), response.content[:300]
        assert state(world) != before or key == "logout POST"
    else:
        assert response.status_code == 403
        assert state(world) == before and session_alive(client)


@pytest.mark.parametrize(("name", "key"), [p for p in SAMPLE if p.values[0] != "logout"])
def test_get_on_a_state_changing_route_changes_nothing(name: str, key: str) -> None:
    world = build_world()
    admin = world.users["admin"]
    client = signed_in(admin)
    call = CALLS[key](world, admin)
    before = state(world)

    response = client.get(reverse(name, args=call.args), call.data)

    assert response.status_code in (200, 401, 405)  # a form page, or refused
    assert state(world) == before


def test_get_on_logout_is_refused_and_keeps_the_session() -> None:
    world = build_world()
    client = signed_in(world.users["editor"])
    assert client.get(reverse("logout")).status_code == 405
    assert session_alive(client)


def test_editor_pages_carry_frame_csp_nosniff_and_referrer_headers() -> None:
    world = build_world()
    client = signed_in(world.users["admin"])
    pages = [
        reverse("desk:queue"), reverse("desk:review", args=[world.article.pk]),
        reverse("desk:published", args=[world.published.pk]), reverse("desk:publish", args=[world.published.pk]),
        reverse("desk:audit"), reverse("desk:story", args=[world.story.pk]), reverse("desk:gazetteer"),
        reverse("login"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY", url
        csp = {d.split()[0]: d.split()[1:] for d in response["Content-Security-Policy"].split(";") if d.strip()}
        assert csp["frame-ancestors"] == ["'none'"], url
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), url
