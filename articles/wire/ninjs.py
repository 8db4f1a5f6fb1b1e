"""IPTC ninjs (News in JSON) 1.x, 2.x and 3.x in: validated against IPTC's own schemas (copied
into ``schemas/``), then mapped to an article.

Which version: the media type's ``version`` parameter (``application/ninjs+json; version=2.1``),
else the document's own ``standard.version`` (2.x/3.x) or ``$standard.version`` (1.3-1.6), else
the newest of 3.x, 2.x and 1.x that the document is valid against. Schema failures name the field
by JSON pointer (``/headline``, ``/associations/0/uri``).

Mapping: ``uri`` -> external_id (``version`` is not part of it: a new version is a new revision of
the same article); ``headline`` / the main of ``headlines`` -> title; the body (``body_html``,
``body_xhtml``, ``body_text`` or ``bodies``, markup to paragraphs) -> body; ``language``;
``firstcreated``, else ``versioncreated`` -> published_at; ``copyrightholder`` -> source unless
the client gave one. Pictures, video, audio, graphics and packages without a body are refused.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft3Validator, Draft4Validator, Draft7Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from articles.wire import (
    Defaults,
    KillNotice,
    NotText,
    WireFormatError,
    WireItem,
    WireResult,
    kill_status,
)
from articles.wire.text import (
    join_paragraphs,
    normalise_space,
    paragraphs_from_html,
    paragraphs_from_plain,
    parse_time,
    source_slug,
    title_from_body,
)

SCHEMAS = Path(__file__).resolve().parent / "schemas"
VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.0", "2.1", "2.2", "3.0", "3.1")
NEWEST_FIRST = ("3.1", "2.2", "1.6")
GEOJSON = "https://geojson.org/schema/GeoJSON.json"
MAX_ERRORS = 20
# Items that may carry an article: text, and a package or component that has a body of its own.
CARRIES_TEXT = frozenset({"text", "composite", "component"})
NOT_TEXT_TYPES = {
    "picture": "a picture",
    "video": "a video",
    "audio": "an audio item",
    "graphic": "a graphic",
    "composite": "a package (composite)",
    "component": "a component of a package",
    "event": "an event",
    "planning": "a planning item",
}


def _refuse_remote(uri: str) -> Resource:
    # Schemas reference each other by URL: only what is registered from schemas/ resolves.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs classes: the stubs miss their fields


@cache
def _registry() -> Registry:
    geojson = json.loads((SCHEMAS / "GeoJSON-schema.json").read_text())
    return Registry(retrieve=_refuse_remote).with_resource(  # type: ignore[call-arg]
        GEOJSON, Resource.from_contents(geojson, default_specification=DRAFT202012)
    )


@cache
def validator(version: str) -> Validator:
    """The schema of ninjs ``version`` (one of VERSIONS), with its own draft's validator."""
    schema = json.loads((SCHEMAS / f"ninjs-schema_{version}.json").read_text())
    draft = schema.get("$schema", "")
    cls: Any = (
        Draft3Validator if "draft-03" in draft else Draft4Validator if "draft-04" in draft
        else Draft7Validator if "draft-07" in draft else Draft202012Validator
    )
    return cls(schema, registry=_registry())


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _field_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(JSON pointer, message) for one schema error, pointing at the offending field itself: the
    missing property for ``required``, each unexpected property for additional/unevaluated ones."""
    base = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        if isinstance(error.validator_value, list):
            missing = [p for p in error.validator_value if p not in instance]
        else:  # draft 3: "required": true on the property itself
            named = re.match(r"'(.+)' is a required property", error.message)
            missing = [named.group(1)] if named else []
            base = [p for p in base if p not in missing]
        return [(_pointer([*base, p]), f"'{p}' is required.") for p in missing] or [(_pointer(base), error.message)]
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        extra = [k for k in instance if repr(k) in error.message]
        if extra:
            return [(_pointer([*base, k]), f"'{k}' is not a property of this ninjs version.") for k in extra]
    return [(_pointer(base), error.message)]


def schema_errors(document: Any, version: str) -> dict[str, list[str]]:
    """Errors of ``document`` against ninjs ``version`` by JSON pointer; empty when it is valid."""
    found: dict[str, list[str]] = {}
    for error in sorted(validator(version).iter_errors(document), key=relevance)[:MAX_ERRORS]:
        for pointer, message in _field_errors(error):
            found.setdefault(pointer, []).append(f"{message[:300]} (ninjs {version})")
    return found


def _declared_version(document: Any) -> str | None:
    if not isinstance(document, dict):
        return None
    for key in ("standard", "$standard"):
        standard = document.get(key)
        if isinstance(standard, dict) and standard.get("version") in VERSIONS:
            return str(standard["version"])
    return None


def check_version(version: str | None) -> str | None:
    """``version`` from the media type, checked; raises WireFormatError for an unknown one."""
    if version is None:
        return None
    if version not in VERSIONS:
        raise WireFormatError({"version": [f"Unknown ninjs version {version!r}; use one of {', '.join(VERSIONS)}."]})
    return version


def validate(document: Any, version: str | None) -> str:
    """The ninjs version ``document`` is valid against (see the module's docstring for which is
    tried). Raises WireFormatError with the errors by JSON pointer."""
    if not isinstance(document, dict):
        raise WireFormatError({"/": ["A ninjs item is a JSON object."]})
    wanted = version or _declared_version(document)
    if wanted is not None:
        errors = schema_errors(document, wanted)
        if errors:
            raise WireFormatError(errors)
        return wanted
    attempts = {v: schema_errors(document, v) for v in NEWEST_FIRST}
    for v, errors in attempts.items():
        if not errors:
            return v
    closest = min(attempts.values(), key=len)
    raise WireFormatError(closest)


def _get(document: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in document:
            return document[name]
    return None


def _main(entries: Any) -> dict[str, Any] | None:
    """The main entry of a 2.x/3.x array (``bodies``, ``headlines``): role main, else the first."""
    if not isinstance(entries, list):
        return None
    objects = [e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)]
    for entry in objects:
        if entry.get("role") in ("main", "body", "headline"):
            return entry
    return objects[0] if objects else None


def _body_paragraphs(document: dict[str, Any]) -> tuple[str, list[str]]:
    """(pointer, paragraphs) of the item's body: markup before plain text, which drops structure."""
    for key in ("body_html", "body_xhtml", "body_richhtml"):
        if isinstance(document.get(key), str):
            return f"/{key}", paragraphs_from_html(document[key])
    if isinstance(document.get("body_text"), str):
        return "/body_text", paragraphs_from_plain(document["body_text"])
    bodies = document.get("bodies")
    if isinstance(bodies, list):
        ranked = sorted(
            (e for e in bodies if isinstance(e, dict) and isinstance(e.get("value"), str)),
            key=lambda e: (e.get("role") not in (None, "main", "body"),
                           "html" not in str(e.get("contenttype") or e.get("contentType") or "")),
        )
        for entry in ranked:
            kind = str(entry.get("contenttype") or entry.get("contentType") or "")
            paragraphs = (paragraphs_from_html(entry["value"]) if "html" in kind or "xml" in kind
                          else paragraphs_from_plain(entry["value"]))
            if paragraphs:
                return f"/bodies/{bodies.index(entry)}", paragraphs
        return "/bodies", []
    return "/bodies", []


def _headline(document: dict[str, Any]) -> str:
    headline = document.get("headline")
    if isinstance(headline, str) and headline.strip():
        return normalise_space(headline)
    main = _main(document.get("headlines"))
    if main is not None:
        value = main["value"]
        kind = str(main.get("contenttype") or main.get("contentType") or "")
        text = " ".join(paragraphs_from_html(value)) if "html" in kind else normalise_space(value)
        if text:
            return text
    for key in ("title", "slugline"):
        value = document.get(key)
        if isinstance(value, str) and value.strip():
            return normalise_space(value)
    return ""


def _source(document: dict[str, Any], defaults: Defaults) -> str:
    holder = _get(document, "copyrightholder", "copyrightHolder")
    return defaults.source or (source_slug(holder) if isinstance(holder, str) else "") or defaults.fallback_source


def item_from_ninjs(document: dict[str, Any], defaults: Defaults) -> WireResult:
    """A validated ninjs item as an article, a KillNotice when its ``pubstatus`` (3.x:
    ``pubStatus``) takes it back, or NotText naming why it is none."""
    for key in ("pubstatus", "pubStatus"):
        killed = kill_status(document.get(key))
        if killed is not None:
            return KillNotice(source=_source(document, defaults), external_id=document["uri"], pubstatus=killed,
                              said=f"ninjs {key} {document[key]!r}")
    kind = document.get("type", "text")
    pointer, paragraphs = _body_paragraphs(document)
    if kind not in CARRIES_TEXT or (kind != "text" and not paragraphs):
        what = NOT_TEXT_TYPES.get(str(kind), f"a {kind} item")
        without = "" if kind not in CARRIES_TEXT else " without body text"
        return NotText({"/type": [f"This is {what}{without}; newsroom takes in article text only."]})
    if not paragraphs:
        return NotText({pointer: ["The item holds no body text (no body_text, body_html or bodies); "
                                  "newsroom takes in article text only."]})
    item: WireItem = {
        "source": _source(document, defaults),
        "external_id": document["uri"],
        "title": _headline(document) or title_from_body(paragraphs),
        "body": join_paragraphs(paragraphs),
    }
    language = document.get("language")
    if isinstance(language, str) and language.strip():
        item["language"] = language.strip()
    published = parse_time(_get(document, "firstcreated", "firstCreated") or _get(document, "versioncreated", "versionCreated"))
    if published is not None:
        item["published_at"] = published
    return item


def items_from_ninjs(documents: list[Any], version: str | None, defaults: Defaults) -> list[WireResult | WireFormatError]:
    """Each document validated and mapped on its own (a batch: one bad item sinks no other)."""
    results: list[WireResult | WireFormatError] = []
    for document in documents:
        try:
            validate(document, version)
        except WireFormatError as ex:
            results.append(ex)
            continue
        results.append(item_from_ninjs(document, defaults))
    return results


# --- JSON syntax errors, named by where they are --------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def pointer_at(text: str, position: int) -> str:
    """The JSON pointer of the value being read at ``position`` of (possibly broken) JSON ``text``:
    so that a syntax error names its field like a schema error does."""
    stack: list[list[Any]] = []  # [kind, key or index]
    index = 0
    expecting_key = False
    last_string: str | None = None
    while index < min(position, len(text)):
        char = text[index]
        if char == '"':
            match = _STRING.match(text, index)
            end = match.end() if match else len(text)
            raw = text[index:end]
            try:
                last_string = json.loads(raw, strict=False)
            except ValueError:
                last_string = raw.strip('"')
            if end > position:
                break
            index = end
            continue
        if char == "{":
            stack.append(["object", None])
            expecting_key = True
        elif char == "[":
            stack.append(["array", 0])
        elif char in "}]":
            if stack:
                stack.pop()
        elif char == ":" and stack and stack[-1][0] == "object" and expecting_key:
            stack[-1][1] = last_string
            expecting_key = False
        elif char == ",":
            if stack and stack[-1][0] == "array":
                stack[-1][1] += 1
            elif stack:
                expecting_key = True
        index += 1
    return _pointer([entry[1] for entry in stack if entry[1] is not None])
