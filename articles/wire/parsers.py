"""DRF parsers for the wire formats: the adapters between a request and ``read_document``.

On ``POST /api/v1/articles/`` a wire parser answers the dict ``ArticleIn`` validates, so the JSON
path stays the only ingest path; on the batch it answers a :class:`WireBatch` whose items are such
dicts, kill notices (``KillNotice``, which withdraw an article instead) or the errors of items that
are not articles. The exact bytes are kept on the request
(``raw_body``) like the JSON parser keeps them. ``?source=<slug>`` names the source, winning over
the document's provider or copyright holder; when neither names one, the API client's name does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any, ClassVar

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser

from articles.parsers import RequestTooLarge, read_body
from articles.serializers import SOURCE_PATTERN
from articles.wire import (
    G2,
    G2_MESSAGE,
    NINJS,
    NITF,
    NITF_ALIAS,
    Defaults,
    KillNotice,
    NotText,
    WireFormatError,
)
from articles.wire.formats import read_document
from articles.wire.text import source_slug
from newsroom.query_params import str_param


class WireUnprocessable(exceptions.ValidationError):
    """A well-formed document that holds no article text: 422 with the reason by field."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


@dataclass(frozen=True, slots=True)
class ItemErrors:
    """A batch item that is not an article: its errors, answered at its index."""

    errors: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class WireBatch:
    """A wire batch, parsed: ``ArticleIn`` dicts, kill notices, or the errors of the items that
    are none."""

    items: list[dict[str, Any] | ItemErrors | KillNotice]


def source_param(params: Mapping[str, str]) -> str | None:
    """``?source=``, checked like ArticleIn's source (400 naming it). The ingest views check it
    for every body, so that a request the schema calls invalid is refused whatever its format."""
    value = str_param(params, "source")
    if value is not None and (len(value) > 100 or re.fullmatch(SOURCE_PATTERN, value) is None):
        raise exceptions.ValidationError({"source": [
            "Use at most 100 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."
        ]})
    return value


def _defaults(parser_context: Mapping[str, Any] | None) -> Defaults:
    request = (parser_context or {}).get("request")
    if request is None:
        return Defaults()
    client = getattr(request, "auth", None)
    fallback = source_slug(str(getattr(client, "name", ""))) or "wire"
    return Defaults(source=source_param(request.query_params), fallback_source=fallback)


class WireParser(BaseParser):
    """Reads a wire document (within the view's size limit) into one article or a batch."""

    is_batch: ClassVar[bool] = False

    def parse(self, stream: IO[bytes], media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = read_body(stream, parser_context)
        try:
            results = read_document(media_type or self.media_type, raw, _defaults(parser_context))
        except WireFormatError as ex:
            raise exceptions.ValidationError(ex.errors) from None
        if self.is_batch:
            limit = settings.NEWSROOM_MAX_BATCH_ITEMS
            if len(results) > limit:
                raise RequestTooLarge(f"The batch has {len(results)} articles; the maximum is {limit}. Split it.")
            return WireBatch([
                ItemErrors(r.errors) if isinstance(r, (WireFormatError, NotText)) else r if isinstance(r, KillNotice)
                else dict(r) for r in results
            ])
        if len(results) != 1:
            raise exceptions.ValidationError({"document": [
                f"The document carries {len(results)} items; send it to /api/v1/articles/batch/."
            ]})
        result = results[0]
        if isinstance(result, WireFormatError):
            raise exceptions.ValidationError(result.errors)
        if isinstance(result, NotText):
            raise WireUnprocessable(result.errors)
        if isinstance(result, KillNotice):
            return result  # the view withdraws the article it names (articles.withdraw)
        return dict(result)


def _parsers(is_batch: bool) -> list[type[WireParser]]:
    suffix = "Batch" if is_batch else ""
    return [
        type(f"{name}{suffix}Parser", (WireParser,), {"media_type": media_type, "is_batch": is_batch})
        for name, media_type in (("Ninjs", NINJS), ("G2Item", G2), ("G2Message", G2_MESSAGE), ("Nitf", NITF),
                                 ("NitfAlias", NITF_ALIAS))
    ]


WIRE_PARSERS = _parsers(is_batch=False)
WIRE_BATCH_PARSERS = _parsers(is_batch=True)

# The OpenAPI description of the wire request bodies (README "Wire formats" has the mapping).
WIRE_REQUEST_SCHEMAS: dict[str, Any] = {
    NINJS: {
        "type": "object",
        "description": (
            "An IPTC ninjs item, version 1.0 to 3.1 (`; version=` in the media type, else the item's "
            "`standard`, else the newest that validates), checked against IPTC's schemas "
            "(https://iptc.org/std/ninjs/). On the batch: a JSON array of items or {\"articles\": [...]}."
        ),
        "required": ["uri"],
    },
    G2: {"type": "string", "description": "A NewsML-G2 newsItem (text in inlineXML as NITF or XHTML, or "
                                          "inlineData); on the batch also a newsMessage."},
    G2_MESSAGE: {"type": "string", "description": "A NewsML-G2 newsMessage; on the single endpoint it "
                                                  "must carry exactly one item."},
    NITF: {"type": "string", "description": "A NITF document (head/docdata/doc-id is the external_id)."},
    NITF_ALIAS: {"type": "string", "description": "The same as application/vnd.nitf+xml."},
}
