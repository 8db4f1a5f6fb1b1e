"""One error shape for the API: ``{"errors": {field: [messages]}}`` or ``{"detail": message}``."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response({"detail": DATABASE_UNAVAILABLE}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": RETRY_AFTER_S})
    if isinstance(exc, DatabaseError):
        return None  # a bug: let it be a 500 and be logged
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail
        if isinstance(data, list):
            data = {"non_field_errors": data}
        response.data = {"errors": data}
    return response


# --- OpenAPI: the errors every operation can answer with --------------------------------------


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField()


# Not a class: a field named "errors" would shadow Serializer.errors.
ValidationErrorsOut = inline_serializer(
    "ValidationErrorsOut",
    {"errors": serializers.DictField(help_text="Messages by field name (or non_field_errors).")},
)


BAD_REQUEST = PolymorphicProxySerializer(
    component_name="BadRequest",
    serializers=[ValidationErrorsOut, ErrorOut],
    resource_type_field_name=None,
)


class NewsroomAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the 4xx answers each operation gives (the operation's own
    declarations win): a client, and Schemathesis, can then tell a documented refusal from a bug."""

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> tuple[Any, bool]:
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A schema given as a dict describes a body of another format (articles.wire): still a body.
        return schema, required or isinstance(serializer, dict)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_query = has_body or bool(_query_parameters(self))
        errors: dict[str, tuple[Any, str]] = {
            "401": (ErrorOut, "No valid token or session."),
            "403": (ErrorOut, "Authenticated, but this needs another role or client."),
            "404": (ErrorOut, "No such object visible to the caller (or no such page)."),
            "429": (ErrorOut, "Over the client's rate; see Retry-After."),
            "503": (ErrorOut, "The database is unavailable; see Retry-After."),
        }
        if has_query:
            errors["400"] = (BAD_REQUEST, "Invalid input: `errors` by field, or `detail` for a body that is not JSON.")
        if has_body:
            errors["413"] = (ErrorOut, "The body is over the configured limit.")
            errors["415"] = (ErrorOut, "Not application/json in UTF-8.")
        for code, (serializer, description) in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(serializer, code, direction=direction)
                responses[code]["description"] = description
        return dict(sorted(responses.items()))


def _query_parameters(schema: AutoSchema) -> list[Any]:
    """The operation's query parameters (its own and the paginator's)."""
    declared = [p for p in schema.get_override_parameters()
                if isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY]
    return declared + list(schema._get_pagination_parameters())


DATABASE_UNAVAILABLE = "The database is unavailable; retry shortly."
RETRY_AFTER_S = "5"


def database_unavailable() -> JsonResponse:
    """The answer to any request the database failed under: 503, JSON, Retry-After, no traceback."""
    return JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503, headers={"Retry-After": RETRY_AFTER_S})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. Django calls it for an exception no view handled, also one raised in a
    middleware (loading the session or the user for the desk) or while rendering: when that was
    the database going away, the answer is a 503 like the views'; anything else stays a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.warning("database unavailable while serving %s (%s)", request.path, type(error).__name__)
        return database_unavailable()
    return defaults.server_error(request)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no route matches: JSON under /api/ (like every other API answer), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
