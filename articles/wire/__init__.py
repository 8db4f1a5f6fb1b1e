"""Agency formats in: IPTC ninjs (1.x-3.x), NewsML-G2 news items and messages, and NITF.

Each format module turns one document into :class:`WireItem` rows, the same fields a client sends
to ``POST /api/v1/articles/`` as JSON (``ArticleIn``), so that a wire document goes through the
one validation and the one ingest path. A document that is well formed but holds no article text
(a picture, a video, a package) becomes a :class:`NotText` refusal; a document that breaks its
format (a ninjs schema failure, XML that is not well formed) raises :class:`WireFormatError`.

Media types: ``application/ninjs+json`` (``; version=1.0`` ... ``3.1`` optional),
``application/vnd.iptc.g2.newsitem+xml`` (also ``...newsmessage+xml``) and
``application/vnd.nitf+xml`` (also ``application/nitf+xml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict


class WireItem(TypedDict):
    """One article in ``ArticleIn``'s shape, from a wire document."""

    source: str
    external_id: str
    title: str
    body: str
    language: NotRequired[str]
    published_at: NotRequired[str]


class WireFormatError(Exception):
    """The document breaks its format (the API answers 400); ``errors`` by field or JSON pointer."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class NotText:
    """A well-formed item that is not an article text (the API answers 422, naming why)."""

    errors: dict[str, list[str]] = field(default_factory=dict)


class NotTextError(Exception):
    """A single document that holds no article text (the API answers 422)."""

    def __init__(self, refusal: NotText) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in refusal.errors.items()))
        self.errors = refusal.errors


@dataclass(frozen=True, slots=True)
class Defaults:
    """What the document itself may not say: the source the client asked for (``?source=``,
    which wins over the document's provider), and the slug to use when neither names one."""

    source: str | None = None
    fallback_source: str = "wire"


# The publishing statuses by which a supplier takes back an item it sent: canceled (a kill: never
# use it) and withheld (do not use it until a later version says it is usable again).
KILL_STATUSES = ("canceled", "withheld")


@dataclass(frozen=True, slots=True)
class KillNotice:
    """An item whose publishing status is a kill (``KILL_STATUSES``): not a new version of the
    article, but word that the article it names must not be used (articles.withdraw)."""

    source: str
    external_id: str
    pubstatus: str  # one of KILL_STATUSES
    said: str  # how the document said it, e.g. "ninjs pubstatus 'canceled'"


def kill_status(value: object) -> str | None:
    """``canceled`` or ``withheld`` from a status value (``stat:canceled``, a NewsCodes URI,
    ``Canceled``; ``cancelled`` too), else None (``usable``, ``embargoed``, nothing)."""
    if not isinstance(value, str):
        return None
    word = value.strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower().replace("cancelled", "canceled")
    return word if word in KILL_STATUSES else None


WireResult = WireItem | NotText | KillNotice

NINJS = "application/ninjs+json"
G2 = "application/vnd.iptc.g2.newsitem+xml"
G2_MESSAGE = "application/vnd.iptc.g2.newsmessage+xml"
NITF = "application/vnd.nitf+xml"
NITF_ALIAS = "application/nitf+xml"
