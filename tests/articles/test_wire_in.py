"""Wire formats in: IPTC ninjs (1.x-3.x), NewsML-G2 and NITF through POST /api/v1/articles/ and the
batch, against IPTC's own conformance suite and examples in ../shared/wire (beside the project, in
CI too), plus hostile XML that must be refused without being expanded or read."""

from __future__ import annotations

import json
import os
import resource
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from articles.models import Article, IngestRequest, Revision
from corrections.models import PipelineJob

URL = "/api/v1/articles/"
BATCH_URL = "/api/v1/articles/batch/"
NINJS = "application/ninjs+json"
G2 = "application/vnd.iptc.g2.newsitem+xml"
NITF = "application/vnd.nitf+xml"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "wire"
SUITE = SHARED / "ninjs" / "validation" / "test_suite"
FIXTURES = Path(__file__).resolve().parent / "wire_fixtures"
# The development folders test drafts of unreleased versions: IPTC has published no schema for them.
UNRELEASED = {"1.x_dev", "2.x_dev"}

pytestmark = pytest.mark.django_db
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"IPTC reference files not found at {SHARED}")


def suite_files(kind: str) -> list[Any]:
    if not SUITE.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"ninjs test suite not found at {SUITE}"))]
    params = []
    for path in sorted(SUITE.glob(f"*/{kind}/*.json")):
        version = path.parent.parent.name
        marks = [pytest.mark.skip(reason=f"{version} tests an unreleased draft with no published schema")] \
            if version in UNRELEASED else []
        params.append(pytest.param(version, path, id=f"{version}/{path.name}", marks=marks))
    return params


def post(api: APIClient, raw: bytes, content_type: str, url: str = URL, **query: str) -> Any:
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return api.generic("POST", url, raw, content_type=content_type)


def assert_nothing_stored() -> None:
    assert (Article.objects.count(), Revision.objects.count(), IngestRequest.objects.count(),
            PipelineJob.objects.count()) == (0, 0, 0, 0)


def is_text_item(document: dict[str, Any]) -> bool:
    """The suite's own notion, independent of the parser: an item with a body that is not media."""
    kind = document.get("type", "text")
    has_body = any(isinstance(document.get(k), str) and document[k].strip()
                   for k in ("body_text", "body_html", "body_xhtml")) or any(
        isinstance(b, dict) and str(b.get("value", "")).strip() for b in document.get("bodies", []))
    return kind in ("text", "composite", "component") and has_body


# --- ninjs: IPTC's conformance suite ------------------------------------------------------------


@pytest.mark.parametrize(("version", "path"), suite_files("should_pass"))
def test_ninjs_suite_valid_items_are_accepted_or_refused_as_not_text(token_client: APIClient, version: str,
                                                                    path: Path) -> None:
    raw = path.read_bytes()
    document = json.loads(raw)

    response = post(token_client, raw, f"{NINJS}; version={version}", source="ninjs-suite")

    if is_text_item(document):
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["external_id"] == document["uri"] and body["source"] == "ninjs-suite"
        assert body["title"].strip() and body["text"].strip()
        stored = Revision.objects.get(article_id=body["id"], number=1)
        assert bytes(stored.ingest_request.body) == raw
    else:
        assert response.status_code == 422, response.content
        assert response.json()["errors"], "a refusal says why"
        assert_nothing_stored()


@pytest.mark.parametrize(("version", "path"), suite_files("should_fail"))
def test_ninjs_suite_invalid_items_are_refused_naming_the_field(token_client: APIClient, version: str,
                                                                path: Path) -> None:
    response = post(token_client, path.read_bytes(), f"{NINJS}; version={version}", source="ninjs-suite")

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors and all(key.startswith("/") for key in errors), errors
    assert any(key != "/" for key in errors), f"no field named: {errors}"
    assert_nothing_stored()


@needs_shared
@pytest.mark.parametrize(("name", "version", "pointer"), [
    ("1.0/should_fail/001_no_uri_declared.json", "1.0", "/uri"),
    ("1.0/should_fail/002_type_invalid.json", "1.0", "/type"),
    ("1.0/should_fail/003_malformed_property.json", "1.0", "/mime_type"),
    ("1.0/should_fail/009_body_text_with_cr.json", "1.0", "/body_text"),  # not even JSON: a raw CR
    ("1.0/should_fail/010_body_must_be_string.json", "1.0", "/body_invalid/newprop1"),
    ("1.2/should_fail/004_infosource_bad_type.json", "1.2", "/infosource/0/scheme"),
    ("2.0/should_fail/001_bad_toplevel.json", "2.0", "/random"),
    ("2.1/should_fail/002_good_association_but_no_name.json", "2.1", "/associations/0/name"),
    ("3.0/should_fail/006_bad_urgency.json", "3.0", "/urgency"),
    ("3.1/should_fail/001_bad_digital_source.json", "3.1", "/digitalSourceType"),
])
def test_ninjs_errors_point_at_the_field(token_client: APIClient, name: str, version: str, pointer: str) -> None:
    response = post(token_client, (SUITE / name).read_bytes(), f"{NINJS}; version={version}")
    assert response.status_code == 400
    assert pointer in response.json()["errors"], response.json()


@needs_shared
def test_ninjs_version_is_found_without_a_declaration(token_client: APIClient) -> None:
    raw = (SHARED / "ninjs/examples/2.1/dpa_text.json").read_bytes()
    response = post(token_client, raw, NINJS)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "dpa"  # the copyright holder
    assert body["title"].startswith("Faktencheck Derby-Elfmeter")
    assert body["language"] == "de"
    assert body["published_at"] == "2019-05-10T14:02:28Z"  # versioncreated, in UTC
    assert "<p>" not in body["text"] and "\n\n" in body["text"]


def test_an_unknown_ninjs_version_is_refused(token_client: APIClient) -> None:
    response = post(token_client, b'{"uri": "x"}', f"{NINJS}; version=9.9")
    assert response.status_code == 400 and "version" in response.json()["errors"]
    assert_nothing_stored()


@needs_shared
@pytest.mark.parametrize(("name", "reason"), [
    ("ninjs/examples/2.1/ap_image.json", "picture"),
    ("ninjs/examples/2.1/ap_video.json", "video"),
    ("ninjs/examples/3.0/ap_audio.json", "audio"),
])
def test_ninjs_media_items_are_refused_as_not_text(token_client: APIClient, name: str, reason: str) -> None:
    response = post(token_client, (SHARED / name).read_bytes(), NINJS)
    assert response.status_code == 422, response.content
    assert reason in response.json()["errors"]["/type"][0]
    assert_nothing_stored()


def ninjs_item(**overrides: Any) -> dict[str, Any]:
    item = {"uri": "urn:example:wire:42", "version": "1", "type": "text", "headline": "Council  passes budget",
            "body_html": "<p>The council passed the budget.</p><p>It takes effect in <b>May</b>.</p>",
            "copyrightholder": "Example Wire Service", "language": "en-GB",
            "firstcreated": "2026-12-07T09:00:00+01:00"}
    item.update(overrides)
    return item


def test_ninjs_item_maps_to_the_article(token_client: APIClient) -> None:
    response = post(token_client, json.dumps(ninjs_item()).encode(), f"{NINJS}; version=1.6")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["external_id"], body["title"], body["language"], body["published_at"]) == (
        "example-wire-service", "urn:example:wire:42", "Council passes budget", "en-GB", "2026-12-07T08:00:00Z")
    assert body["text"] == "The council passed the budget.\n\nIt takes effect in May."


def test_a_new_ninjs_version_is_a_new_revision_of_the_same_article(token_client: APIClient) -> None:
    first = post(token_client, json.dumps(ninjs_item()).encode(), NINJS).json()
    again = post(token_client, json.dumps(ninjs_item()).encode(), NINJS)
    second = post(token_client, json.dumps(ninjs_item(
        version="2", body_html="<p>The council passed the budget on Monday.</p>")).encode(), NINJS)

    assert again.status_code == 200 and again.json()["new_revision"] is False
    assert second.status_code == 200 and second.json()["id"] == first["id"]
    assert second.json()["revision"] == 2 and second.json()["text"] == "The council passed the budget on Monday."


def test_the_source_parameter_wins_over_the_copyright_holder(token_client: APIClient) -> None:
    response = post(token_client, json.dumps(ninjs_item()).encode(), NINJS, source="desk-feed")
    assert response.status_code == 201 and response.json()["source"] == "desk-feed"


def test_a_bad_source_parameter_is_refused(token_client: APIClient) -> None:
    response = post(token_client, json.dumps(ninjs_item()).encode(), NINJS, source="-bad slug")
    assert response.status_code == 400 and "source" in response.json()["errors"]
    assert_nothing_stored()


def test_a_ninjs_batch_answers_each_item(token_client: APIClient) -> None:
    items = [ninjs_item(), ninjs_item(uri="urn:example:pic", type="picture", body_html=None),
             ninjs_item(uri="urn:example:bad", urgency="high")]
    items[1].pop("body_html")

    response = post(token_client, json.dumps({"articles": items}).encode(), f"{NINJS}; version=1.6", BATCH_URL)

    assert response.status_code == 207, response.content
    results = response.json()["results"]
    assert results[0]["created"] is True
    assert "/type" in results[1]["errors"]
    assert "/urgency" in results[2]["errors"]
    assert Article.objects.count() == 1


def test_a_ninjs_array_is_a_batch_and_too_many_items_for_one_post(token_client: APIClient) -> None:
    raw = json.dumps([ninjs_item(), ninjs_item(uri="urn:example:wire:43")]).encode()
    assert post(token_client, raw, NINJS).status_code == 400
    response = post(token_client, raw, NINJS, BATCH_URL)
    assert response.status_code == 200 and [r["created"] for r in response.json()["results"]] == [True, True]


# --- NewsML-G2 ----------------------------------------------------------------------------------


def g2_file(name: str) -> bytes:
    return (SHARED / "newsml-g2" / name).read_bytes()


@needs_shared
def test_g2_text_item_with_nitf_ingests_headline_and_body(token_client: APIClient) -> None:
    raw = g2_file("LISTING_2_NewsML-G2_Text_Document.xml")
    response = post(token_client, raw, G2)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "urn:newsml:acmenews.com:20161121:US-FINANCE-FED"
    assert body["title"] == 'Fed to halt QE to avert "bubble"'
    assert body["source"] == "acmenews.com"  # the provider's URI
    assert body["language"] == "en-US"
    assert body["published_at"] == "2018-11-21T21:25:32Z"  # versionCreated: the item has no firstCreated
    paragraphs = body["text"].split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("(New York, NY - October 21) Et, sent luptat luptat, commy Nim zzriureet")
    assert paragraphs[1].endswith("esto cons dolutpat, si.")
    assert bytes(Revision.objects.get(article_id=body["id"]).ingest_request.body) == raw


@needs_shared
def test_g2_sports_story_takes_the_body_not_the_abstract(token_client: APIClient) -> None:
    response = post(token_client, g2_file("LISTING_22_Sports_story_in_NewsML-G2NITF.xml"), G2)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05 p.m."
    assert body["source"] == "xmlteam.com"
    paragraphs = body["text"].split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("(Sports Network) - A pair of teams")
    assert paragraphs[-1].endswith("0-2 over his last six starts.")


@needs_shared
@pytest.mark.parametrize(("name", "field", "reason"), [
    ("LISTING_3_Photo_in_NewsML-G2.xml", "itemMeta/itemClass", "picture"),
    ("ap_metadata_example.xml", "itemMeta/itemClass", "video"),  # declared ISO-8859-1
    ("LISTING_1_A_NewsML-G2_News_Item.xml", "contentSet", "no text"),  # its inlineXML holds only a comment
    ("LISTING_29_Hop_History.xml", "contentSet", "no text"),
])
def test_g2_items_without_text_are_refused(token_client: APIClient, name: str, field: str, reason: str) -> None:
    response = post(token_client, g2_file(name), G2)
    assert response.status_code == 422, response.content
    assert reason in response.json()["errors"][field][0]
    assert_nothing_stored()


@needs_shared
def test_g2_news_message_with_a_package_answers_each_item(token_client: APIClient) -> None:
    raw = g2_file("LISTING_24_News_Message_conveying_a_complete_News_Package.xml")
    single = post(token_client, raw, G2)
    assert single.status_code == 400 and "batch" in single.json()["errors"]["document"][0]

    response = post(token_client, raw, G2, BATCH_URL)

    assert response.status_code == 207, response.content
    results = response.json()["results"]
    assert "package" in results[0]["errors"]["packageItem"][0]
    assert all("contentSet" in r["errors"] for r in results[1:]) and len(results) == 5
    assert (Article.objects.count(), Revision.objects.count()) == (0, 0)


@needs_shared
def test_g2_fragment_is_refused_as_not_a_news_item(token_client: APIClient) -> None:
    response = post(token_client, g2_file("LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml"), G2)
    assert response.status_code == 400 and "contentSet" in response.json()["errors"]["document"][0]


G2_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{guid}" version="1" standard="NewsML-G2"
          standardversion="2.35" xml:lang="fr">
  <rightsInfo><copyrightHolder><name>Agence Exemple</name></copyrightHolder></rightsInfo>
  <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:EXEMPLE"/>
    <versionCreated>2026-12-07T10:00:00+01:00</versionCreated>
    <firstCreated>2026-12-07T09:30:00+01:00</firstCreated></itemMeta>
  <contentMeta><headline>Le pont rouvre</headline></contentMeta>
  <contentSet>{content}</contentSet>
</newsItem>"""


def test_g2_xhtml_and_inline_data_bodies(token_client: APIClient) -> None:
    xhtml = ('<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><head>'
             '<title>x</title></head><body><h1>Le pont</h1><p>Le pont a rouvert <em>lundi</em>.</p>'
             '<ul><li>Bus 4</li><li>Bus 12</li></ul></body></html></inlineXML>')
    plain = '<inlineData contenttype="text/plain">Premier paragraphe.\n\nSecond paragraphe.</inlineData>'

    first = post(token_client, G2_ITEM.format(guid="urn:ex:1", content=xhtml).encode(), G2)
    second = post(token_client, G2_ITEM.format(guid="urn:ex:2", content=plain).encode(), G2, source="exemple-fr")

    assert first.status_code == 201, first.content
    assert first.json()["text"] == "Le pont\n\nLe pont a rouvert lundi.\n\nBus 4\n\nBus 12"
    assert (first.json()["source"], first.json()["language"]) == ("exemple", "fr")
    assert first.json()["published_at"] == "2026-12-07T08:30:00Z"  # firstCreated wins
    assert second.status_code == 201 and second.json()["text"] == "Premier paragraphe.\n\nSecond paragraphe."
    assert second.json()["source"] == "exemple-fr"


def test_g2_text_only_by_reference_is_refused(token_client: APIClient) -> None:
    remote = '<remoteContent href="http://example.com/story.txt" contenttype="text/plain"/>'
    response = post(token_client, G2_ITEM.format(guid="urn:ex:3", content=remote).encode(), G2)
    assert response.status_code == 422 and "remoteContent" in response.json()["errors"]["contentSet"][0]


def test_g2_news_message_of_text_items_is_a_batch(token_client: APIClient) -> None:
    inline = '<inlineData contenttype="text/plain">Texte {n}.</inlineData>'
    items = "".join(G2_ITEM.format(guid=f"urn:ex:m{n}", content=inline.format(n=n)).split("?>", 1)[1] for n in (1, 2))
    message = (f'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sent>2026-12-07T10:00:00Z</sent>'
               f'</header><itemSet>{items}</itemSet></newsMessage>').encode()

    response = post(token_client, message, "application/vnd.iptc.g2.newsmessage+xml", BATCH_URL)

    assert response.status_code == 200, response.content
    assert [r["created"] for r in response.json()["results"]] == [True, True]
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["urn:ex:m1", "urn:ex:m2"]
    assert bytes(IngestRequest.objects.get().body) == message


# --- NITF ------------------------------------------------------------------------------------------


def test_nitf_document_ingests_headline_body_and_metadata(token_client: APIClient) -> None:
    raw = (FIXTURES / "harbour.nitf.xml").read_bytes()
    response = post(token_client, raw, NITF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["external_id"], body["source"], body["language"], body["published_at"]) == (
        "nwsr-2026-1207-harbour-bridge", "coastal-press-agency", "en-GB", "2026-12-07T08:15:00Z")
    assert body["title"] == "Harbour bridge reopens after storm repairs"
    assert body["text"] == (
        "The harbour bridge reopened to traffic on Monday morning, three weeks earlier than the council had"
        " forecast.\n\nEngineers replaced two expansion joints and resurfaced the eastern approach, the council"
        " said in a statement.\n\nBuses back on route\n\nBus routes 4 and 12 return to the bridge from Tuesday."
        '\n\n"We are grateful for the patience of everyone who lives here," the mayor said.'
    )
    assert bytes(Revision.objects.get(article_id=body["id"]).ingest_request.body) == raw


def test_nitf_without_a_doc_id_is_refused(token_client: APIClient) -> None:
    raw = b"<nitf><head><title>T</title></head><body><body.content><p>Text.</p></body.content></body></nitf>"
    response = post(token_client, raw, "application/nitf+xml")
    assert response.status_code == 400 and "head/docdata/doc-id/@id-string" in response.json()["errors"]
    assert_nothing_stored()


def test_nitf_without_body_text_is_refused(token_client: APIClient) -> None:
    raw = b'<nitf><head><docdata><doc-id id-string="x1"/></docdata></head><body><body.content/></body></nitf>'
    response = post(token_client, raw, NITF)
    assert response.status_code == 422 and "body/body.content" in response.json()["errors"]


def test_xml_that_is_not_well_formed_is_refused(token_client: APIClient) -> None:
    response = post(token_client, b"<nitf><head>", NITF)
    assert response.status_code == 400 and "Not well-formed XML" in response.json()["errors"]["document"][0]
    assert_nothing_stored()


# --- hostile XML -------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE nitf [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<nitf><head><title>&lol9;</title><docdata><doc-id id-string="bomb"/></docdata></head>
<body><body.content><p>&lol9;</p></body.content></body></nitf>"""


def external_entity(path: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file://{path}">]>\n'
            '<nitf><head><docdata><doc-id id-string="xxe"/></docdata></head>'
            '<body><body.content><p>&xxe;</p></body.content></body></nitf>').encode()


def utf16(document: bytes) -> bytes:
    """The document in UTF-16: a DOCTYPE no byte pattern finds, so lxml's own hardening must hold."""
    return document.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")


@pytest.mark.parametrize("encode", [bytes, utf16], ids=["utf-8", "utf-16"])
@pytest.mark.parametrize("content_type", [NITF, G2])
def test_an_entity_bomb_is_refused_without_expanding(token_client: APIClient, content_type: str, encode: Any) -> None:
    post(token_client, b"<nitf>", content_type)  # warm up: the first request loads the views and lxml
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    response = post(token_client, encode(BILLION_LAUGHS), content_type)

    assert response.status_code == 400, response.content
    assert response.json()["errors"]["document"], "the refusal says why"
    assert b"lollol" not in response.content
    # Expanded, it is 3 GB of "lol" (and would outlast the test's timeout).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 50 * 1024
    assert_nothing_stored()


@pytest.mark.parametrize("encode", [bytes, utf16], ids=["utf-8", "utf-16"])
def test_an_external_entity_is_refused_without_reading_the_file(token_client: APIClient, tmp_path: Path,
                                                                encode: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-7f3a9c the file's contents")

    response = post(token_client, encode(external_entity(str(secret))), NITF)

    assert response.status_code == 400, response.content
    assert b"MARKER-7f3a9c" not in response.content
    assert_nothing_stored()


@pytest.mark.parametrize("encode", [bytes, utf16], ids=["utf-8", "utf-16"])
def test_an_external_entity_never_opens_its_file(token_client: APIClient, tmp_path: Path, encode: Any) -> None:
    """The entity names a FIFO: opening it for reading would release the writer below."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer() -> None:
        with open(fifo, "w") as pipe:  # blocks until someone opens the FIFO for reading
            opened.set()
            pipe.write("MARKER-fifo")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        response = post(token_client, encode(external_entity(str(fifo))), NITF)
        time.sleep(0.2)
        assert not opened.is_set(), "the parser opened the file an entity named"
        assert response.status_code == 400
    finally:
        release = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # let the writer finish
        thread.join(timeout=5)
        os.close(release)


def test_the_schema_lists_the_wire_media_types(client: Any) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/articles/", "/api/v1/articles/batch/"):
        content = schema["paths"][path]["post"]["requestBody"]["content"]
        assert {"application/json", NINJS, G2, NITF} <= set(content)
