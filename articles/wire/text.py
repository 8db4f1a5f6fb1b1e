"""Markup to the plain text ingestion stores (paragraphs separated by a blank line), and the small
conversions every wire format shares: source slugs, times, a title when the item has none."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.utils.text import slugify
from lxml import etree, html

from articles.wire.xml import local_name

# Elements that start and end a paragraph: XHTML's blocks and NITF's (hl2, block, bq, list items).
BLOCKS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre", "section",
    "article", "header", "footer", "figcaption", "caption", "tr", "table", "ul", "ol", "dl", "address",
    "hl1", "hl2", "block", "bq", "credit", "note", "tagline", "nitf-table", "br", "hr",
})
SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template", "object", "media", "img", "figure"})
_SPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def paragraphs_from_element(root: etree._Element) -> list[str]:
    """The text under ``root``, one paragraph per block element, whitespace collapsed as markup
    collapses it. Scripts, styles and embedded media are skipped; their tails are kept."""
    found: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = normalise_space("".join(pending))
        pending.clear()
        if text:
            found.append(text)

    def walk(element: etree._Element) -> None:
        if not isinstance(element.tag, str):  # a comment or processing instruction
            return
        name = local_name(element)
        if name in SKIPPED:
            return
        is_block = name in BLOCKS
        if is_block:
            flush()
        if element.text:
            pending.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                pending.append(child.tail)
        if is_block:
            flush()

    walk(root)
    flush()
    return found


_HTML_PARSER = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False,
                               default_doctype=False)


def paragraphs_from_html(markup: str) -> list[str]:
    """Paragraphs of an HTML or XHTML fragment (ninjs ``body_html``, a body with contenttype
    text/html). lxml's HTML parser loads nothing from outside and expands no entities of its own."""
    if not markup.strip():
        return []
    try:
        fragment = html.fragment_fromstring(markup, create_parent="div", parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return paragraphs_from_plain(markup)
    return paragraphs_from_element(fragment)


def paragraphs_from_plain(text: str) -> list[str]:
    """Paragraphs of plain text: blocks separated by blank lines; a text with no blank line but
    several lines (as agencies send ``body_text``) has one paragraph per line. Each paragraph keeps
    its own characters (passes look at spacing); only line ends and the ends are trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    blocks = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [b.strip() for b in blocks if b.strip()]


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def title_from_body(paragraphs: list[str], limit: int = 120) -> str:
    """A title for an item that has no headline: the start of its first paragraph, cut at a word."""
    first = normalise_space(paragraphs[0]) if paragraphs else ""
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0] or first[:limit]
    return cut.rstrip(" ,;:-") + "\u2026"


def source_slug(value: str) -> str:
    """A source slug from what a document names its provider by: a QCode (``nprov:REUTERS`` ->
    ``reuters``), a URI (its host, without ``www.``) or a name (slugified). Empty when nothing
    usable is left."""
    value = value.strip()
    if not value:
        return ""
    if "://" in value:
        host = urlsplit(value).hostname or ""
        slug = host.removeprefix("www.")
    elif re.fullmatch(r"[A-Za-z][\w.-]*:[^\s/]+", value):
        slug = value.split(":", 1)[1].lower().removeprefix("www.")
    else:
        slug = slugify(value)
    slug = re.sub(r"[^A-Za-z0-9._:-]", "-", slug.lower()).strip("-._:")[:100]
    return slug


def parse_time(value: str | None) -> str | None:
    """An RFC 3339 time for ``published_at`` from a wire date: ISO 8601 extended (a missing offset
    is read as UTC) or NITF's basic form (``20181019T114500-0400``, ``20181019``). None for
    anything else: an unreadable date is left out rather than refused."""
    if not value:
        return None
    value = value.strip()
    basic = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{4})?", value)
    if basic:
        year, month, day, hour, minute, second, zone = basic.groups()
        value = f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}"
        if zone and zone != "Z":
            value += f"{zone[:3]}:{zone[3:]}"
        elif zone == "Z":
            value += "+00:00"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 1000 <= moment.year <= 9998:
        return None
    return moment.isoformat()
