"""GET /healthz and the API schema."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.support import free_port

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_postgresql_and_redis_answer() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgresql": "ok", "redis": "ok"}


def test_healthz_is_503_naming_redis_when_it_does_not_answer() -> None:
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["postgresql"] == "ok" and checks["redis"].startswith("failed")


def test_openapi_schema_describes_the_ingestion_api() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/articles/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/articles/"]
    assert "/api/v1/articles/{article_id}/suggestions/" in schema["paths"]


def test_api_docs_page_loads_without_inline_scripts() -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b"<script>" not in response.content
