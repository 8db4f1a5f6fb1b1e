"""IPTC NewsML-G2 in: a ``newsItem``, or a ``newsMessage`` whose ``itemSet`` carries several.

Mapping: ``@guid`` -> external_id (``@version`` is not part of it: a new version is a new revision
of the same article); ``contentMeta/headline``, else the NITF ``hl1`` -> title; the text of
``contentSet`` -> body: ``inlineXML`` as NITF (``application/nitf+xml``) or XHTML
(``application/xhtml+xml``, ``text/html``), or ``inlineData`` as plain text; ``contentMeta/language
/@tag``, else ``@xml:lang`` -> language; ``itemMeta/firstCreated``, else ``versionCreated`` ->
published_at; ``itemMeta/provider`` (QCode, URI or name), else ``rightsInfo/copyrightHolder`` ->
source unless the client gave one. Items whose ``itemClass`` is not text (pictures, video,
graphics), packages, concept and planning items, and text held only by reference
(``remoteContent``) are refused, naming why.
"""

from __future__ import annotations

from lxml import etree

from articles.wire import (
    Defaults,
    KillNotice,
    NotText,
    WireFormatError,
    WireItem,
    WireResult,
    kill_status,
)
from articles.wire.nitf import body_paragraphs, headline
from articles.wire.text import (
    join_paragraphs,
    paragraphs_from_element,
    paragraphs_from_plain,
    parse_time,
    source_slug,
    title_from_body,
)
from articles.wire.xml import XML_LANG, child, children, local_name, text_of

NOT_NEWS_ITEMS = {
    "packageItem": "a package (packageItem): it groups other items and carries no text of its own",
    "conceptItem": "a concept item (a term of a controlled vocabulary), not an article",
    "knowledgeItem": "a knowledge item (a set of concepts), not an article",
    "planningItem": "a planning item, not an article",
    "catalogItem": "a catalogue item, not an article",
}


def items_from_g2(root: etree._Element, defaults: Defaults) -> list[WireResult]:
    """The items of a G2 document: one for a ``newsItem``, one per item of a ``newsMessage``'s
    ``itemSet``. Raises WireFormatError for another root element."""
    name = local_name(root)
    if name == "newsMessage":
        item_set = child(root, "itemSet")
        members = [c for c in item_set if isinstance(c.tag, str)] if item_set is not None else []
        if not members:
            raise WireFormatError({"itemSet": ["The newsMessage carries no items."]})
        return [item_from_g2(member, defaults) for member in members]
    if name == "newsItem" or name in NOT_NEWS_ITEMS:
        return [item_from_g2(root, defaults)]
    raise WireFormatError({"document": [
        f"The root element is <{name}>; a NewsML-G2 document is a <newsItem> or a <newsMessage>."
    ]})


def _body(content_set: etree._Element | None) -> tuple[list[str], bool]:
    """(paragraphs, whether the text is only by reference) of a ``contentSet``."""
    if content_set is None:
        return [], False
    for inline in children(content_set, "inlineXML"):
        kind = (inline.get("contenttype") or "").lower()
        nitf = child(inline, "nitf")
        if nitf is not None:
            paragraphs = body_paragraphs(nitf)
        elif "html" in kind or child(inline, "html") is not None:
            body = child(inline, "html", "body")
            paragraphs = paragraphs_from_element(body if body is not None else inline)
        else:
            paragraphs = paragraphs_from_element(inline)
        if paragraphs:
            return paragraphs, False
    for data in children(content_set, "inlineData"):
        kind = (data.get("contenttype") or "text/plain").lower()
        if kind.startswith("text/") and (data.get("encoding") or "").lower() != "base64":
            paragraphs = paragraphs_from_plain(data.text or "")
            if paragraphs:
                return paragraphs, False
    return [], bool(children(content_set, "remoteContent"))


def _source(item: etree._Element) -> str:
    provider = child(item, "itemMeta", "provider")
    holder = child(item, "rightsInfo", "copyrightHolder")
    for party in (provider, holder):
        if party is None:
            continue
        for value in (text_of(child(party, "name")), party.get("qcode", ""), party.get("uri", ""), party.get("literal", "")):
            slug = source_slug(value)
            if slug:
                return slug
    return ""


def item_from_g2(item: etree._Element, defaults: Defaults) -> WireResult:
    """One G2 item as an article, or NotText naming why it is none."""
    name = local_name(item)
    if name in NOT_NEWS_ITEMS:
        return NotText({name: [f"This is {NOT_NEWS_ITEMS[name]}; newsroom takes in article text only."]})
    if name != "newsItem":
        return NotText({name: [f"<{name}> is not a news item; newsroom takes in article text only."]})
    guid = (item.get("guid") or "").strip()
    if not guid:
        return NotText({"guid": ["The newsItem has no guid: newsroom uses it as the article's external_id."]})
    pub_status = child(item, "itemMeta", "pubStatus")
    if pub_status is not None:
        code = pub_status.get("qcode") or pub_status.get("uri") or ""
        killed = kill_status(code)
        if killed is not None:
            return KillNotice(source=defaults.source or _source(item) or defaults.fallback_source, external_id=guid,
                              pubstatus=killed, said=f"NewsML-G2 pubStatus {code!r}")
    item_class = child(item, "itemMeta", "itemClass")
    nature = (item_class.get("qcode") or "").split(":")[-1].lower() if item_class is not None else ""
    if nature and nature != "text":
        return NotText({"itemMeta/itemClass": [
            f"This is a {nature} item ({item_class.get('qcode') if item_class is not None else ''}), "
            "not text; newsroom takes in article text only."
        ]})
    paragraphs, by_reference = _body(child(item, "contentSet"))
    if not paragraphs:
        why = ("The text is only referenced (remoteContent), not inline; newsroom does not fetch it."
               if by_reference else "The item holds no text (no inlineXML or inlineData with text).")
        return NotText({"contentSet": [why]})
    nitf = child(item, "contentSet", "inlineXML", "nitf")
    title = text_of(child(item, "contentMeta", "headline")) or (headline(nitf) if nitf is not None else "")
    result: WireItem = {
        "source": defaults.source or _source(item) or defaults.fallback_source,
        "external_id": guid,
        "title": title or title_from_body(paragraphs),
        "body": join_paragraphs(paragraphs),
    }
    language = child(item, "contentMeta", "language")
    tag = (language.get("tag") if language is not None else None) or item.get(XML_LANG)
    if tag:
        result["language"] = tag.strip()
    item_meta = child(item, "itemMeta")
    for name in ("firstCreated", "versionCreated"):
        published = parse_time(text_of(child(item_meta, name)))
        if published is not None:
            result["published_at"] = published
            break
    return result
