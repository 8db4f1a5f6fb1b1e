"""Kill notices on the wire (articles.withdraw): a ninjs ``pubstatus`` / ``pubStatus``, a
NewsML-G2 ``pubStatus`` or a NITF ``management-status`` of ``canceled`` or ``withheld`` is no new
version of the article but word that it must not be used: the article is withdrawn, no revision is
made, it cannot be published, and a later usable copy brings it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from articles.audit import AuditEvent
from articles.models import Article, IngestRequest, Revision
from articles.publish import Withdrawn, publish_revision
from articles.wire import Defaults, KillNotice, kill_status
from articles.wire.formats import read_document
from corrections import pipeline
from corrections.models import PipelineJob
from tests.factories import UserFactory

URL = "/api/v1/articles/"
BATCH_URL = "/api/v1/articles/batch/"
NINJS = "application/ninjs+json"
G2 = "application/vnd.iptc.g2.newsitem+xml"
NITF = "application/vnd.nitf+xml"
FIXTURES = Path(__file__).resolve().parent / "wire_fixtures"
SHARED_G2 = Path(__file__).resolve().parents[2].parent / "shared" / "wire" / "newsml-g2"

pytestmark = pytest.mark.django_db


def ninjs(**overrides: Any) -> bytes:
    item = {"uri": "urn:example:wire:42", "type": "text", "headline": "Council passes budget",
            "body_html": "<p>The council passed the budget.</p>", "copyrightholder": "Example Wire Service"}
    item.update(overrides)
    return json.dumps(item).encode()


NINJS3_KILL = json.dumps({
    "uri": "urn:example:wire:42", "type": "text", "headlines": [{"value": "Council passes budget"}],
    "bodies": [{"value": "Kill: this story has been withdrawn.", "contentType": "text/plain"}],
    "copyrightHolder": "Example Wire Service", "pubStatus": "canceled",
}).encode()


def nitf(status: str | None) -> bytes:
    raw = (FIXTURES / "harbour.nitf.xml").read_bytes()
    return raw if status is None else raw.replace(b"<docdata>", f'<docdata management-status="{status}">'.encode(), 1)


def g2_listing(status: str) -> bytes:
    path = SHARED_G2 / "LISTING_2_NewsML-G2_Text_Document.xml"
    if not path.is_file():
        pytest.skip(f"IPTC reference files not found at {SHARED_G2}")
    return path.read_bytes().replace(b'<pubStatus qcode="stat:usable" />', f'<pubStatus qcode="{status}" />'.encode())


def post(api: APIClient, raw: bytes, content_type: str, url: str = URL) -> Any:
    return api.generic("POST", url, raw, content_type=content_type)


def process(article_id: int) -> None:
    for job in PipelineJob.objects.filter(article_id=article_id, state=PipelineJob.State.QUEUED):
        pipeline.run_job(job.pk)


# --- reading them --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("canceled", "canceled"), ("stat:canceled", "canceled"), ("Cancelled", "canceled"),
    ("http://cv.iptc.org/newscodes/pubstatusg2/withheld", "withheld"), ("stat:withheld", "withheld"),
    ("usable", None), ("stat:usable", None), ("embargoed", None), ("", None), (None, None),
])
def test_kill_statuses_are_read_in_any_spelling_of_the_code(value: object, expected: str | None) -> None:
    assert kill_status(value) == expected


@pytest.mark.parametrize(("media_type", "raw", "pubstatus", "said"), [
    (NINJS, ninjs(pubstatus="canceled"), "canceled", "ninjs pubstatus 'canceled'"),
    (f"{NINJS}; version=1.6", ninjs(pubstatus="withheld"), "withheld", "ninjs pubstatus 'withheld'"),
    (NINJS, NINJS3_KILL, "canceled", "ninjs pubStatus 'canceled'"),
    (NITF, nitf("canceled"), "canceled", "NITF management-status 'canceled'"),
])
def test_a_kill_is_read_as_a_notice_not_an_article(media_type: str, raw: bytes, pubstatus: str, said: str) -> None:
    [notice] = read_document(media_type, raw, Defaults())
    assert isinstance(notice, KillNotice)
    assert (notice.pubstatus, notice.said) == (pubstatus, said)
    assert notice.source in ("example-wire-service", "coastal-press-agency")


def test_a_g2_kill_is_read_as_a_notice() -> None:
    [notice] = read_document(G2, g2_listing("stat:canceled"), Defaults())
    assert notice == KillNotice(source="acmenews.com", external_id="urn:newsml:acmenews.com:20161121:US-FINANCE-FED",
                                pubstatus="canceled", said="NewsML-G2 pubStatus 'stat:canceled'")


def test_usable_and_embargoed_items_are_articles() -> None:
    for media_type, raw in [(NINJS, ninjs(pubstatus="usable")), (NITF, nitf("embargoed")), (NITF, nitf(None))]:
        [item] = read_document(media_type, raw, Defaults())
        assert isinstance(item, dict) and item["body"]


# --- through the API -----------------------------------------------------------------------------------


def test_a_kill_withdraws_the_article_without_a_revision(token_client: APIClient) -> None:
    first = post(token_client, ninjs(), NINJS).json()
    process(first["id"])

    killed = post(token_client, ninjs(pubstatus="canceled", body_html="<p>Kill: withdrawn.</p>"), NINJS)

    assert killed.status_code == 200, killed.content
    body = killed.json()
    assert (body["id"], body["status"], body["revision"], body["new_revision"]) == (first["id"], "withdrawn", 1, False)
    assert body["status_detail"] == "killed (canceled) by its supplier: ninjs pubstatus 'canceled'"
    assert body["text"] == "The council passed the budget."  # no text changed
    assert Revision.objects.filter(article_id=first["id"]).count() == 1
    assert PipelineJob.objects.filter(article_id=first["id"]).count() == 1
    # The notice is kept byte for byte, and audited with it.
    event = AuditEvent.objects.get(action="article.withdrawn", article_id=first["id"])
    kept = IngestRequest.objects.get(pk=event.detail["ingest_request"])
    assert bytes(kept.body) == ninjs(pubstatus="canceled", body_html="<p>Kill: withdrawn.</p>")
    assert (event.detail["pubstatus"], event.detail["was"]) == ("canceled", "in_review")
    # Sent again: nothing new.
    again = post(token_client, ninjs(pubstatus="canceled", body_html="<p>Kill: withdrawn.</p>"), NINJS)
    assert again.status_code == 200 and AuditEvent.objects.filter(action="article.withdrawn").count() == 1


def test_a_withdrawn_article_cannot_be_published_and_the_pipeline_leaves_it_withdrawn(token_client: APIClient) -> None:
    article_id = post(token_client, nitf(None), NITF).json()["id"]
    post(token_client, nitf("withheld"), NITF)
    process(article_id)  # the job still queued when the notice came finishes: it moves nothing

    article = Article.objects.get(pk=article_id)
    assert article.status == "withdrawn"
    publisher = UserFactory(username="chief", roles=["publisher"])
    with pytest.raises(Withdrawn, match="withheld by its supplier"):
        publish_revision(article_id=article_id, revision_number=1, actor=publisher, confirm_pending=True)
    api = APIClient()
    api.force_authenticate(publisher)
    refused = api.post(f"/api/v1/articles/{article_id}/publish/", {"revision": 1, "confirm_pending": True},
                       format="json")
    assert refused.status_code == 409 and "withheld" in refused.json()["detail"]


def test_a_usable_copy_after_a_withhold_brings_the_article_back(token_client: APIClient) -> None:
    article_id = post(token_client, nitf(None), NITF).json()["id"]
    process(article_id)
    post(token_client, nitf("withheld"), NITF)

    # unchanged: back to review, where its revision was
    back = post(token_client, nitf("usable"), NITF)
    assert back.status_code == 200 and (back.json()["status"], back.json()["revision"]) == ("in_review", 1)
    assert AuditEvent.objects.filter(action="article.reinstated", article_id=article_id).count() == 1

    # changed, after another kill: a new revision like any other
    post(token_client, nitf("canceled"), NITF)
    changed = post(token_client, nitf(None).replace(b"Harbour bridge reopens", b"Harbour bridge reopens again"), NITF)
    assert changed.status_code == 200 and (changed.json()["status"], changed.json()["revision"]) == ("received", 2)


def test_a_kill_for_an_article_never_received_is_refused_and_stores_nothing(token_client: APIClient) -> None:
    response = post(token_client, ninjs(pubstatus="canceled"), NINJS)
    assert response.status_code == 422
    assert "never received" in response.json()["errors"]["external_id"][0]
    assert (Article.objects.count(), IngestRequest.objects.count()) == (0, 0)


def test_another_clients_article_is_not_withdrawn(token_client: APIClient) -> None:
    from articles.tokens import create_api_token

    post(token_client, ninjs(), NINJS)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token('other-client')[1]}")
    assert post(other, ninjs(pubstatus="canceled"), NINJS).status_code == 409
    assert Article.objects.get().status != "withdrawn"


def test_a_batch_answers_a_kill_at_its_index(token_client: APIClient) -> None:
    post(token_client, ninjs(), NINJS)
    items = [json.loads(ninjs(pubstatus="canceled")), json.loads(ninjs(uri="urn:example:wire:43")),
             json.loads(ninjs(uri="urn:example:wire:44", pubstatus="withheld"))]

    response = post(token_client, json.dumps(items).encode(), NINJS, BATCH_URL)

    assert response.status_code == 207, response.content
    first, second, third = response.json()["results"]
    assert (first["withdrawn"], first["new_revision"]) == (True, False)
    assert second["created"] is True
    assert "never received" in third["errors"]["external_id"][0]
    assert Article.objects.get(external_id="urn:example:wire:42").status == "withdrawn"


def test_the_review_page_says_the_article_is_withdrawn_and_offers_no_publish(token_client: APIClient) -> None:
    from django.test import Client

    article_id = post(token_client, nitf(None), NITF).json()["id"]
    post(token_client, nitf("canceled"), NITF)
    desk = Client()
    desk.force_login(UserFactory(username="chief", roles=["publisher"]))

    html = desk.get(f"/articles/{article_id}/").content.decode()

    assert "<strong>Withdrawn:</strong> killed (canceled) by its supplier: NITF management-status &#x27;canceled&#x27;" in html
    assert 'name="publish"' not in html
    refused = desk.post(f"/articles/{article_id}/publish/", {"revision": 1, "confirm_pending": "on"})
    assert refused.status_code == 409 and "cannot be published" in refused.content.decode()
    assert Article.objects.get(pk=article_id).publications.count() == 0


def test_a_batch_keeps_the_order_of_a_kill_and_the_copies_it_names(token_client: APIClient) -> None:
    """New articles are written in bulk before the rest of a batch; an article a kill notice in the
    batch names is not, so that the batch still does what its items one by one would."""
    items = [json.loads(ninjs(uri="urn:example:wire:45", pubstatus="canceled")),  # before the copy: nothing yet
             json.loads(ninjs(uri="urn:example:wire:45")), json.loads(ninjs(uri="urn:example:wire:46")),
             json.loads(ninjs(uri="urn:example:wire:46", pubstatus="withheld")),
             json.loads(ninjs(uri="urn:example:wire:47"))]

    response = post(token_client, json.dumps(items).encode(), NINJS, BATCH_URL)

    assert response.status_code == 207, response.content
    results = response.json()["results"]
    assert "never received" in results[0]["errors"]["external_id"][0]
    assert [results[i].get("created") for i in (1, 2, 4)] == [True, True, True]
    assert results[3]["withdrawn"] is True and results[3]["id"] == results[2]["id"]
    statuses = dict(Article.objects.values_list("external_id", "status"))
    assert statuses == {"urn:example:wire:45": "received", "urn:example:wire:46": "withdrawn",
                        "urn:example:wire:47": "received"}
