"""While PostgreSQL is unreachable every answer is a 503 with Retry-After (JSON, no traceback),
whichever part of the request met the failure first: a view, the API's authentication, or a
middleware loading the desk's session and user. The connection really fails: it is pointed at a
loopback port where nothing listens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import Client

from articles.tokens import create_api_token
from tests.factories import UserFactory
from tests.support import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clients() -> dict[str, Client]:
    editor = Client(raise_request_exception=False)
    editor.force_login(UserFactory(username="down-editor", roles=["editor"]))
    key = create_api_token("down-client")[1]
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}")
    return {"editor": editor, "api": api, "anonymous": Client(raise_request_exception=False)}


@pytest.fixture
def database_down(clients: dict[str, Client]) -> Iterator[None]:
    connection = connections["default"]
    saved = (connection.settings_dict["HOST"], connection.settings_dict["PORT"])
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", str(free_port())
    yield
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved


def assert_unavailable(response: object) -> None:
    assert response.status_code == 503, response.content[:300]  # type: ignore[attr-defined]
    assert response["Retry-After"] == "5"  # type: ignore[index]
    assert response.json() == {"detail": "The database is unavailable; retry shortly."}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/", "/articles/1/", "/audit/", "/gazetteer/"])
def test_desk_pages_answer_503_when_the_session_cannot_be_loaded(clients: dict[str, Client], database_down: None,
                                                                 path: str) -> None:
    assert_unavailable(clients["editor"].get(path))


def test_the_api_answers_503_for_reads_and_ingest(clients: dict[str, Client], database_down: None) -> None:
    api = clients["api"]
    assert_unavailable(api.get("/api/v1/articles/"))
    assert_unavailable(api.get("/api/v1/published/"))
    assert_unavailable(api.post("/api/v1/articles/", {"source": "s", "external_id": "1", "title": "T", "body": "B"},
                                content_type="application/json"))


def test_healthz_names_postgresql(clients: dict[str, Client], database_down: None) -> None:
    response = clients["anonymous"].get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["postgresql"].startswith("failed")


def test_a_500_that_is_not_the_database_stays_a_500(clients: dict[str, Client]) -> None:
    from newsroom.api_errors import server_error

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(clients["anonymous"].get("/healthz").wsgi_request)  # type: ignore[attr-defined]
    assert response.status_code == 500
