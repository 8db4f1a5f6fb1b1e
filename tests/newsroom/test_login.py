"""Logging in: throttling per username, session rotation, logout that really ends the session."""

from __future__ import annotations

import pytest
from django.test import Client

from articles.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def login(client: Client, username: str, password: str, ip: str = "203.0.113.1"):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password},
                       HTTP_X_FORWARDED_FOR=ip, REMOTE_ADDR=ip)


def test_five_failures_from_five_addresses_lock_the_username_even_for_the_right_password() -> None:
    UserFactory(username="desk-chief", roles=["publisher"])
    for i in range(5):
        assert login(Client(), "desk-chief", f"wrong-{i}", ip=f"198.51.100.{i}").status_code == 200
    response = login(Client(), "desk-chief", PASSWORD, ip="192.0.2.77")
    assert response.status_code == 200  # the form again, not a redirect: refused
    assert "_auth_user_id" not in response.wsgi_request.session
    assert AuditEvent.objects.filter(action="auth.login_locked", detail__username="desk-chief").exists()


def test_a_successful_login_resets_the_failure_count() -> None:
    UserFactory(username="sub")
    for i in range(4):
        login(Client(), "sub", f"wrong-{i}")
    assert login(Client(), "sub", PASSWORD).status_code == 302
    for i in range(4):
        login(Client(), "sub", f"again-{i}")
    assert login(Client(), "sub", PASSWORD).status_code == 302


def test_the_session_key_changes_at_login_and_logout_ends_the_session() -> None:
    UserFactory(username="night-editor", roles=["editor"])
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    assert login(client, "night-editor", PASSWORD).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = after
    response = replay.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_session_and_csrf_cookies_are_httponly_and_samesite() -> None:
    UserFactory(username="cookie-check")
    client = Client()
    login(client, "cookie-check", PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
