"""A JSON parser that is strict about what it accepts and answers bad input with a clear 4xx."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "request_too_large"


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def read_body(stream: IO[bytes] | None, parser_context: Mapping[str, Any] | None) -> bytes:
    """The request body, at most the view's ``max_request_setting`` bytes (a setting name) or
    NEWSROOM_MAX_REQUEST_BYTES (413 beyond it), kept on the request as ``raw_body`` for ingestion
    to store verbatim (articles.api)."""
    parser_context = parser_context or {}
    view = parser_context.get("view")
    request = parser_context.get("request")
    setting_name = getattr(view, "max_request_setting", "NEWSROOM_MAX_REQUEST_BYTES")
    limit: int = getattr(settings, setting_name)
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    too_large = (
        f"Request body is larger than the limit of {limit} bytes ({setting_name}); "
        "send smaller articles or split the batch."
    )
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(too_large)
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise RequestTooLarge(too_large)
    if request is not None:
        request.raw_body = raw
    return raw


class StrictJSONParser(BaseParser):
    """Reads at most the configured number of bytes, decodes UTF-8 strictly, parses JSON.

    The limit is the view's ``max_request_bytes`` (a setting name) or NEWSROOM_MAX_REQUEST_BYTES.
    """

    media_type = "application/json"

    def parse(self, stream: IO[bytes], media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = read_body(stream, parser_context)
        if not raw.strip():
            raise exceptions.ParseError("Request body is empty; send a JSON object.")
        charset = "utf-8"
        if media_type:
            for param in media_type.split(";")[1:]:
                name, _, value = param.strip().partition("=")
                if name.lower() == "charset":
                    charset = value.strip().strip('"').lower()
        if charset not in ("utf-8", "utf8"):
            raise exceptions.UnsupportedMediaType(media_type or "", detail=f"Unsupported charset {charset!r}: send UTF-8 JSON.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as ex:
            raise exceptions.ParseError(
                f"Request body is not valid UTF-8: byte {ex.object[ex.start]:#04x} at offset {ex.start} ({ex.reason})."
            ) from None
        try:
            return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
        except RecursionError:
            raise exceptions.ParseError("Request body is nested too deeply to be an article.") from None
        except ValueError as ex:
            raise exceptions.ParseError(f"Request body is not valid JSON: {ex}") from None
