"""Every role × every URL and action of the site answers as tests/newsroom/access_matrix.py says.

Each cell builds its own world inside the test's transaction (rolled back afterwards), sends one
request as one role, and checks the status. A refused cell also leaves no audit row behind: the
refusal changed nothing; an allowed action leaves at least one. A URL of the site with no row in
the matrix fails test_every_url_has_a_row_in_the_matrix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from articles.models import AuditEvent
from tests.newsroom.access_matrix import ADMIN_LOGIN, LOGIN, MATRIX, ROLES, Row
from tests.newsroom.access_world import CALLS, Call, World, build_world

REFUSED = {401, 403, 405, LOGIN, ADMIN_LOGIN}
UNAUDITED = {"logout POST"}  # ending a session changes no row of the newsroom's own


def http_client(world: World, role: str) -> Client:
    if role == "anonymous":
        return Client()
    if role == "client":
        return Client(headers={"Authorization": f"Token {world.key}"})
    client = Client()
    client.force_login(world.users[role])
    return client


def send(client: Client, row: Row, call: Call) -> Any:
    url = reverse(row.name, args=call.args)
    if row.method == "GET":
        return client.get(url, call.data, headers=call.headers)
    if call.is_json:
        return client.generic(row.method, url, json.dumps(call.data), content_type="application/json",
                              headers=call.headers)
    if row.method == "POST":
        return client.post(url, call.data, headers=call.headers)
    return client.generic(row.method, url, headers=call.headers)


def check(response: Any, expected: int | str) -> None:
    location = response.get("Location", "")
    if expected == LOGIN:
        assert (response.status_code, location.split("?")[0]) == (302, reverse("login"))
    elif expected == ADMIN_LOGIN:
        assert (response.status_code, location.split("?")[0]) == (302, reverse("admin:login"))
    else:
        assert response.status_code == expected, response.content[:500]
        if expected == 302:
            assert not location.startswith(reverse("login")) or location == reverse("login")


CELLS = [pytest.param(row, role, expected, id=f"{row.key}-{role}")
         for row in MATRIX for role, expected in zip(ROLES, row.expect, strict=True)]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role", "expected"), CELLS)
def test_role_gets_the_expected_answer(row: Row, role: str, expected: int | str) -> None:
    world = build_world()
    user = world.users.get(role)
    call = CALLS[row.key](world, user)
    client = http_client(world, role)  # a session login is itself an audit row: count after it
    audit_before = AuditEvent.objects.count()

    response = send(client, row, call)

    check(response, expected)
    if expected in REFUSED:
        assert AuditEvent.objects.count() == audit_before, "a refused request changed state"
        if row.name.startswith("api:") and expected in (401, 403):
            assert set(response.json()) == {"detail"}, "a refusal carries no data"
    elif row.method != "GET" and row.key not in UNAUDITED:
        assert AuditEvent.objects.count() > audit_before, "an allowed action did nothing (check its payload)"


# --- coverage: a URL with no row fails --------------------------------------------------------------


def site_url_names() -> Iterator[tuple[str, str]]:
    """(name with namespace, route) of every URL of the site, outside the Django admin."""

    def walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, inner, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield (f"{namespace}{p.name}" if p.name else "", prefix + str(p.pattern))

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_url_has_a_row_in_the_matrix() -> None:
    names = list(site_url_names())
    assert [route for name, route in names if not name] == [], "every URL needs a name to be in the matrix"
    covered = {row.name for row in MATRIX}
    assert sorted({name for name, _ in names} - covered) == []


def test_every_row_names_a_url_and_has_a_request() -> None:
    names = {name for name, _ in site_url_names()} | {"admin:index"}
    assert sorted({row.name for row in MATRIX} - names) == []
    keys = [row.key for row in MATRIX]
    assert len(keys) == len(set(keys)), "one row per (url name, method, variant)"
    assert sorted(set(keys) ^ set(CALLS)) == []


def test_every_role_is_distinct_in_the_matrix() -> None:
    # A role whose column equals another's everywhere would mean the matrix does not tell them apart.
    columns = list(zip(*(row.expect for row in MATRIX), strict=True))
    assert len(set(columns)) == len(ROLES)
