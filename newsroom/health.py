"""GET /healthz: 200 when PostgreSQL and Redis answer, 503 naming what failed."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as ex:  # any failure means "not healthy"; the name is enough for an operator
        return f"{type(ex).__name__}"
    return None


def check_redis() -> str | None:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as ex:  # as above
        return f"{type(ex).__name__}"
    return None


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"postgresql": check_database(), "redis": check_redis()}
    failed = {name: error for name, error in checks.items() if error}
    body = {"status": "ok" if not failed else "unavailable",
            "checks": {name: ("ok" if not error else f"failed: {error}") for name, error in checks.items()}}
    return JsonResponse(body, status=503 if failed else 200)
