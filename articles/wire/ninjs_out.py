"""Publications out as IPTC ninjs 2.2, for downstream systems that speak it.

One publication is one ninjs item: ``uri`` is the article's canonical URL (the same for every
publication of the article) and ``version`` the publication's number, so a correction is a new
version of the same item. The public correction notes are in ninjs's own fields: ``ednote`` holds
this publication's note, ``descriptions`` every note up to it (role ``correction``, newest first).
No staff identifier is given: who published is for the desk, not for readers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from articles.models import Publication

VERSION = "2.2"
STANDARD = {"name": "ninjs", "version": VERSION, "schema": f"http://www.iptc.org/std/ninjs/ninjs-schema_{VERSION}.json"}


class NinjsRenderer(JSONRenderer):
    """``Accept: application/ninjs+json`` or ``?format=ninjs``; the view gives ninjs data."""

    media_type = "application/ninjs+json"
    format = "ninjs"


class FormatNegotiation(DefaultContentNegotiation):
    """``?format=`` names one of the view's formats (json, ninjs), once; empty, unknown or repeated
    it is refused with 400, as the schema's enum says (DRF alone ignores an empty one)."""

    def select_renderer(self, request: Request, renderers: Iterable[BaseRenderer],
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:
        values = request.query_params.getlist("format")
        renderers = list(renderers)
        formats = [str(r.format) for r in renderers]
        if values and (len(values) > 1 or values[0] not in formats):
            raise exceptions.ValidationError({"format": [f"Give one of {', '.join(formats)}, once."]})
        return super().select_renderer(request, renderers, format_suffix)


def wants_ninjs(request: Request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", None) == NinjsRenderer.format


def _moment(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class History:
    """What a ninjs item says of the publications before it."""

    first_published_at: datetime
    notes: list[tuple[int, str]]  # (number, note) of the corrections up to it, newest first


def publication_ninjs(publication: Publication, request: Request, history: History) -> dict[str, Any]:
    """``publication`` as a ninjs 2.2 item (``history`` from ``publication_histories``)."""
    article = publication.article
    item: dict[str, Any] = {
        "uri": request.build_absolute_uri(reverse("api:article-canonical", args=[article.pk])),
        "type": "text",
        "representationtype": "full",
        "version": str(publication.number),
        "firstcreated": _moment(history.first_published_at),
        "versioncreated": _moment(publication.published_at),
        "pubstatus": "usable",
        "language": article.language,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": article.title}],
        "bodies": [{"role": "main", "contenttype": "text/plain", "value": publication.revision.text,
                    "charcount": len(publication.revision.text)}],
        "infosources": [{"name": article.source.slug, "role": "source"}],
        "altids": [{"role": "newsroom-article", "value": str(article.pk)},
                   {"role": "source-external-id", "value": article.external_id}],
        "standard": STANDARD,
    }
    if publication.correction_note:
        item["ednote"] = publication.correction_note
    if history.notes:
        item["descriptions"] = [{"role": "correction", "contenttype": "text/plain", "value": f"Correction {n}: {note}"}
                                for n, note in history.notes]
    return item


def publication_histories(publications: list[Publication]) -> dict[int, History]:
    """``History`` of each publication (by id), read in one query for the whole page."""
    rows = list(Publication.objects.filter(article_id__in={p.article_id for p in publications})
                .order_by("-number").values_list("article_id", "number", "published_at", "correction_note"))
    histories = {}
    for p in publications:
        mine = [(number, at, note) for article_id, number, at, note in rows if article_id == p.article_id]
        first = next((at for number, at, _ in mine if number == 1), p.published_at)
        histories[p.pk] = History(first, [(number, note) for number, _, note in mine if 1 < number <= p.number])
    return histories


def ninjs_items(publications: list[Publication], request: Request) -> list[dict[str, Any]]:
    """Each publication as a ninjs 2.2 item, in order."""
    histories = publication_histories(publications)
    return [publication_ninjs(p, request, histories[p.pk]) for p in publications]


NINJS_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "The publication as an IPTC ninjs 2.2 item (https://www.iptc.org/std/ninjs/ninjs-schema_2.2.json): "
        "uri (the article's canonical URL), version (the publication number), headlines, bodies (text/plain), "
        "ednote (this correction's public note), descriptions (role correction: every note so far)."
    ),
    "required": ["uri", "version", "type", "pubstatus", "headlines", "bodies"],
}
NINJS_FEED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"results": {"type": "array", "items": NINJS_ITEM_SCHEMA}, "next": {"type": "string", "nullable": True}},
    "required": ["results", "next"],
}
