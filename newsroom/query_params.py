"""Strict query parameters: each given at most once, in exactly the form the OpenAPI schema says.

A filter that silently ignored a malformed value would answer a different question than the one
asked, so a bad value is a 400 naming the parameter. The schema helpers describe the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.db import models
from rest_framework import exceptions
from rest_framework.request import Request

# The largest id PostgreSQL's bigint holds; larger ids cannot exist.
MAX_ID = 2**63 - 1
NUL_FREE = r"^[^\x00]*$"


def _values(params: Any, name: str) -> list[str]:
    return list(params.getlist(name)) if hasattr(params, "getlist") else [params[name]] if name in params else []


def str_param(params: Mapping[str, str], name: str) -> str | None:
    """The parameter's value, or None when absent. Refuses repeats and NUL characters."""
    values = _values(params, name)
    if not values:
        return None
    if len(values) > 1:
        raise exceptions.ValidationError({name: ["Give this parameter once."]})
    if "\x00" in values[0]:
        raise exceptions.ValidationError({name: ["May not contain NUL characters."]})
    return values[0]


def int_param(params: Mapping[str, str], name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A whole number in [minimum, maximum] written in ASCII digits, or None when absent."""
    raw = str_param(params, name)
    if raw is None:
        return None
    # isdigit() alone admits '²' and other digits int() refuses; bound the length before int().
    if not (raw.isascii() and raw.isdigit()) or len(raw.lstrip("0")) > len(str(maximum)) or not (
        minimum <= int(raw) <= maximum
    ):
        raise exceptions.ValidationError({name: [f"Must be a whole number from {minimum} to {maximum}."]})
    return int(raw)


def page_size_param(params: Mapping[str, str], name: str, *, default: int, maximum: int) -> int:
    """A positive page size, clamped to ``maximum``; ``default`` when absent."""
    raw = str_param(params, name)
    if raw is None:
        return min(default, maximum)
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        raise exceptions.ValidationError({name: ["Must be a positive whole number."]})
    # Any number longer than the maximum's digits is over it; int() never sees a huge string.
    return maximum if len(digits) > len(str(maximum)) else min(int(digits), maximum)


def enum_param(params: Mapping[str, str], name: str, choices: list[str]) -> str | None:
    raw = str_param(params, name)
    if raw is not None and raw not in choices:
        raise exceptions.ValidationError({name: [f"Must be one of {', '.join(choices)}."]})
    return raw


RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def parse_rfc3339(value: str) -> datetime | None:
    """An RFC 3339 date-time (what OpenAPI's format: date-time means), else None.

    Stricter than Django's parse_datetime, which also takes times without an offset or seconds.
    """
    if RFC3339.fullmatch(value) is None:
        return None
    try:
        # Python keeps microseconds: drop digits past the sixth.
        return datetime.fromisoformat(re.sub(r"(\.[0-9]{6})[0-9]+", r"\1", value.upper()))
    except ValueError:  # well formed but impossible, e.g. 2026-02-30 or 25:00
        return None


def datetime_param(params: Mapping[str, str], name: str) -> datetime | None:
    """An RFC 3339 time ('+' may arrive as a space: an unencoded query string), in UTC."""
    raw = str_param(params, name)
    if raw is None:
        return None
    moment = parse_rfc3339(raw.replace(" ", "+"))
    if moment is None:
        raise exceptions.ValidationError(
            {name: ["Must be an RFC 3339 date and time with an offset, e.g. 2026-11-24T08:00:00Z."]}
        )
    # In UTC: PostgreSQL refuses offsets beyond +-15:59, which ISO 8601 allows. A time that falls
    # off either end of Python's range in UTC is earlier (later) than anything stored.
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if moment.year == 1 else datetime.max.replace(tzinfo=UTC)


# --- OpenAPI descriptions of the same rules -----------------------------------------------------


def int_schema(minimum: int = 1, maximum: int = MAX_ID) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def page_size_schema(maximum_setting: str = "NEWSROOM_MAX_PAGE_SIZE") -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "description": f"Clamped to {maximum_setting} (200 by default)."}


STR_SCHEMA: dict[str, Any] = {"type": "string", "pattern": NUL_FREE}
DATETIME_SCHEMA: dict[str, Any] = {"type": "string", "format": "date-time"}


def keyset_page[T: models.Model](request: Request, rows: list[T], size: int, cursor: str) -> tuple[list[T], str | None]:
    """The first ``size`` of ``rows`` (fetched as ``size + 1``) and the URL of the next page: the
    same query with ``cursor`` set to the last row's id, or None when this is the last page."""
    if len(rows) <= size:
        return rows, None
    page = rows[:size]
    params = request.query_params.copy()
    params[cursor] = str(page[-1].pk)
    return page, request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
