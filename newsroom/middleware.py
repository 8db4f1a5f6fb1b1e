"""Request ids, the database's view of who is acting, and a clean 503 when the database is down."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from articles.audit import row_actor
from newsroom import db_context, metrics
from newsroom.api_errors import database_unavailable
from newsroom.request_context import current_request_id

logger = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a safe X-Request-ID from the caller or makes one; echoes it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class MetricsMiddleware:
    """Counts every answered request by URL name, method and status, and times it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        metrics.count_request(match.view_name if match else "", request.method or "", response.status_code,
                              time.perf_counter() - started)
        return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection into a 503 (JSON, no traceback) instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.warning("database unavailable while serving %s", request.path)
            return database_unavailable()
        return None


class DatabaseContextMiddleware:
    """Tags the database connection with this request's id and user for the row-history triggers.

    The tag is set just before the view runs (outside any transaction, so no rollback undoes it)
    and cleared after the response, so a reused connection never carries a finished request's id.
    Requests that never reach a view (static files, redirects by CommonMiddleware) cost nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            if getattr(request, "_newsroom_db_bound", False):
                db_context.unbind()

    def process_view(self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object) -> None:
        request._newsroom_db_bound = db_context.bind(  # type: ignore[attr-defined]
            request_id=current_request_id.get(), actor=row_actor(getattr(request, "user", None)))
