"""NITF (News Industry Text Format) in, as a document of its own or inside a NewsML-G2 inlineXML.

Mapping: ``head/docdata/doc-id/@id-string`` -> external_id; ``body/body.head/hedline/hl1``, else
``head/title`` -> title; ``body/body.content`` (paragraphs, subheads, block quotes, list items)
-> body; ``@xml:lang`` of ``nitf`` or ``body`` -> language; ``head/docdata/date.issue/@norm``,
else ``date.release/@norm`` -> published_at; ``doc.copyright/@holder``, else
``head/pubdata/@name`` -> source unless the client gave one.
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
from articles.wire.text import (
    join_paragraphs,
    paragraphs_from_element,
    parse_time,
    source_slug,
    title_from_body,
)
from articles.wire.xml import XML_LANG, child, local_name, text_of


def body_paragraphs(nitf: etree._Element) -> list[str]:
    """The paragraphs of a ``nitf`` element's ``body/body.content``."""
    content = child(nitf, "body", "body.content")
    return paragraphs_from_element(content) if content is not None else []


def headline(nitf: etree._Element) -> str:
    return text_of(child(nitf, "body", "body.head", "hedline", "hl1")) or text_of(child(nitf, "head", "title"))


def item_from_nitf(root: etree._Element, defaults: Defaults) -> WireResult:
    """A NITF document as an article. Raises WireFormatError when the root is not ``nitf`` or the
    document has no id; NotText when its body holds no text."""
    if local_name(root) != "nitf":
        raise WireFormatError({"document": [f"The root element is <{local_name(root)}>, not <nitf>."]})
    docdata = child(root, "head", "docdata")
    doc_id = child(docdata, "doc-id")
    external_id = (doc_id.get("id-string") or "").strip() if doc_id is not None else ""
    if not external_id:
        raise WireFormatError({"head/docdata/doc-id/@id-string": [
            "NITF needs head/docdata/doc-id with an id-string: newsroom uses it as the article's external_id."
        ]})
    copyright_ = child(docdata, "doc.copyright")
    pubdata = child(root, "head", "pubdata")
    holder = (copyright_.get("holder", "") if copyright_ is not None else "") or (
        pubdata.get("name", "") if pubdata is not None else "")
    source = defaults.source or source_slug(holder) or defaults.fallback_source
    status = docdata.get("management-status") if docdata is not None else None
    killed = kill_status(status)
    if killed is not None:
        return KillNotice(source=source, external_id=external_id, pubstatus=killed,
                          said=f"NITF management-status {status!r}")
    paragraphs = body_paragraphs(root)
    if not paragraphs:
        return NotText({"body/body.content": ["The document holds no body text; newsroom takes in article text only."]})
    item: WireItem = {
        "source": source,
        "external_id": external_id,
        "title": headline(root) or title_from_body(paragraphs),
        "body": join_paragraphs(paragraphs),
    }
    body = child(root, "body")
    language = root.get(XML_LANG) or (body.get(XML_LANG) if body is not None else None)
    if language:
        item["language"] = language.strip()
    for name in ("date.issue", "date.release"):
        date = child(docdata, name)
        published = parse_time(date.get("norm")) if date is not None else None
        if published is not None:
            item["published_at"] = published
            break
    return item
