"""XML from outside, parsed safely.

lxml with a hardened parser: no entity substitution, no DTD loading or validation, no network, no
huge trees (libxml2's limits on depth and text size stay on). A document with a DOCTYPE is refused
outright: a news document needs no DTD, and a DTD is where entity bombs and external entities
live. Nothing is ever read from a file or URL named in the document.
"""

from __future__ import annotations

import re

from lxml import etree

from articles.wire import WireFormatError

DOCTYPE_REFUSED = "XML with a DOCTYPE is refused: DTDs and entity declarations are not accepted in wire documents."
# The prolog (a BOM, the XML declaration, comments, processing instructions) and then a DOCTYPE.
_DOCTYPE = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<!DOCTYPE", re.DOTALL | re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # A parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(raw: bytes, field: str = "document") -> etree._Element:
    """The root element of ``raw``. Raises WireFormatError (naming ``field``) for XML that is not
    well formed or that carries a DOCTYPE (a DTD, entity declarations)."""
    if not raw.strip():
        raise WireFormatError({field: ["The body is empty; send an XML document."]})
    if _DOCTYPE.match(raw):
        raise WireFormatError({field: [DOCTYPE_REFUSED]})
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as ex:
        raise WireFormatError({field: [f"Not well-formed XML: {ex}."]}) from None
    info = root.getroottree().docinfo
    # Also after parsing: a prolog in another encoding (UTF-16) escapes the byte check above.
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise WireFormatError({field: [DOCTYPE_REFUSED]})
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """The child elements called ``name``, in any namespace (documents differ in theirs)."""
    return [c for c in element if isinstance(c.tag, str) and local_name(c) == name]


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down ``path`` (local names), or None."""
    current = element
    for name in path:
        if current is None:
            return None
        found = children(current, name)
        current = found[0] if found else None
    return current


def text_of(element: etree._Element | None) -> str:
    """All text under ``element``, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
