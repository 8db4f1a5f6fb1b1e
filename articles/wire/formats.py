"""One entry for every wire format: a document's bytes and media type in, its items out.

Used by the API's parsers (``articles.wire.parsers``) and by feed polling (``articles.feeds``).
How a document carries several items: a G2 ``newsMessage`` (its ``itemSet``), a JSON array of ninjs
items or ``{"articles": [...]}`` of them. A newsItem, a single ninjs object or a NITF document is
one item.
"""

from __future__ import annotations

import json
from typing import Any

from articles.parsers import _no_duplicate_keys, _reject_constant
from articles.wire import (
    G2,
    G2_MESSAGE,
    NINJS,
    NITF,
    NITF_ALIAS,
    Defaults,
    WireFormatError,
    WireResult,
)
from articles.wire.g2 import items_from_g2
from articles.wire.ninjs import check_version, items_from_ninjs, pointer_at
from articles.wire.nitf import item_from_nitf
from articles.wire.xml import parse_xml

MEDIA_TYPES = (NINJS, G2, G2_MESSAGE, NITF, NITF_ALIAS)

Results = list[WireResult | WireFormatError]


def media_type_parameters(media_type: str) -> tuple[str, dict[str, str]]:
    """(``type/subtype`` lower-cased, parameters) of a Content-Type value."""
    main, *params = media_type.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        name, _, value = param.strip().partition("=")
        if name:
            parsed[name.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), parsed


def decode_json(raw: bytes) -> Any:
    """JSON from ``raw`` (UTF-8, no duplicate keys, no NaN); a syntax error names its field by JSON
    pointer, like a schema error."""
    if not raw.strip():
        raise WireFormatError({"/": ["The body is empty; send a ninjs item."]})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise WireFormatError({"/": [f"Not valid UTF-8: byte {ex.object[ex.start]:#04x} at offset {ex.start}."]}) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as ex:
        raise WireFormatError({pointer_at(text, ex.pos): [
            f"Not valid JSON: {ex.msg} (line {ex.lineno}, column {ex.colno})."
        ]}) from None
    except RecursionError:
        raise WireFormatError({"/": ["Nested too deeply to be a ninjs item."]}) from None
    except ValueError as ex:
        raise WireFormatError({"/": [f"Not valid JSON: {ex}."]}) from None


def ninjs_documents(document: Any) -> list[Any]:
    """The items of a ninjs batch: a JSON array of items, or ``{"articles": [...]}``."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and set(document) == {"articles"} and isinstance(document["articles"], list):
        return list(document["articles"])
    return [document]


def read_document(media_type: str, raw: bytes, defaults: Defaults) -> Results:
    """The items of one wire document (see the module docstring for how one carries several).

    Raises WireFormatError when the document as a whole is broken (XML not well formed or with a
    DOCTYPE, JSON that does not parse, an unknown ninjs version, an unknown media type); an item
    that breaks its schema is a WireFormatError in the list, one that holds no text a NotText.
    """
    kind, params = media_type_parameters(media_type)
    if kind == NINJS:
        version = check_version(params.get("version"))
        return items_from_ninjs(ninjs_documents(decode_json(raw)), version, defaults)
    if kind in (G2, G2_MESSAGE):
        return list(items_from_g2(parse_xml(raw), defaults))
    if kind in (NITF, NITF_ALIAS):
        return [item_from_nitf(parse_xml(raw), defaults)]
    raise WireFormatError({"Content-Type": [f"{kind} is not a wire format newsroom reads."]})
