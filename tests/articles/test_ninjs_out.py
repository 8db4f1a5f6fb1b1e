"""ninjs out: the canonical text and the published feed in IPTC ninjs 2.2 on request, valid against
IPTC's schema, with a correction's note in ninjs's own fields and no staff identifier."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from articles.publish import publish_revision
from articles.tokens import create_api_token
from articles.wire.ninjs import validator
from corrections.review import edit_text
from tests.corrections.desk import article_with_text
from tests.factories import UserFactory

NINJS = "application/ninjs+json"
pytestmark = pytest.mark.django_db


def assert_valid_ninjs_2(item: dict[str, Any]) -> None:
    errors = sorted(validator("2.2").iter_errors(item), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    # Formats the schema names but jsonschema only checks with optional packages: check them here.
    assert urlsplit(item["uri"]).scheme in ("http", "https") and urlsplit(item["uri"]).netloc
    for key in ("versioncreated", "firstcreated"):
        assert datetime.fromisoformat(item[key]).tzinfo is not None


@pytest.fixture
def corrected() -> Any:
    """An article published, edited, and published again as a correction with a public note."""
    publisher = UserFactory(username="chief-publisher", roles=["publisher"])
    editor = UserFactory(username="night-editor", roles=["editor"])
    article = article_with_text("The mayor met the council on Tusday.", source="gazette", title="Mayor meets council")
    publish_revision(article_id=article.pk, revision_number=1, actor=publisher)
    edit_text(article_id=article.pk, seen_revision=1, actor=editor, text="The mayor met the council on Tuesday.",
              reason="typo")
    publish_revision(article_id=article.pk, revision_number=2, actor=publisher,
                     correction_note="An earlier version misspelt Tuesday.")
    return article


def reader() -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token(f'downstream-{uuid.uuid4().hex[:8]}')[1]}")
    return api


def test_canonical_in_ninjs_is_valid_and_carries_the_correction(corrected: Any) -> None:
    response = reader().get(f"/api/v1/articles/{corrected.pk}/canonical/", HTTP_ACCEPT=NINJS)

    assert response.status_code == 200 and response["Content-Type"].startswith(NINJS)
    item = response.json()
    assert_valid_ninjs_2(item)
    assert item["uri"].endswith(f"/api/v1/articles/{corrected.pk}/canonical/")
    assert (item["version"], item["pubstatus"], item["type"]) == ("2", "usable", "text")
    assert item["headlines"][0]["value"] == "Mayor meets council"
    assert item["bodies"][0]["value"] == "The mayor met the council on Tuesday."
    assert item["ednote"] == "An earlier version misspelt Tuesday."
    assert item["descriptions"] == [{"role": "correction", "contenttype": "text/plain",
                                     "value": "Correction 2: An earlier version misspelt Tuesday."}]
    assert item["firstcreated"] <= item["versioncreated"]


def test_format_parameter_asks_for_ninjs_too(corrected: Any) -> None:
    api = reader()
    by_parameter = api.get(f"/api/v1/articles/{corrected.pk}/canonical/?format=ninjs")
    by_default = api.get(f"/api/v1/articles/{corrected.pk}/canonical/")
    assert by_parameter.status_code == 200 and by_parameter.json()["version"] == "2"
    assert "version" not in by_default.json() and by_default.json()["number"] == 2  # plain JSON unchanged


def test_first_publication_in_ninjs_has_no_correction(corrected: Any) -> None:
    item = reader().get(f"/api/v1/articles/{corrected.pk}/publications/1/", HTTP_ACCEPT=NINJS).json()
    assert_valid_ninjs_2(item)
    assert item["version"] == "1" and "ednote" not in item and "descriptions" not in item
    assert item["bodies"][0]["value"] == "The mayor met the council on Tusday."  # as published then


def test_published_feed_in_ninjs_is_valid_item_by_item(corrected: Any) -> None:
    other = article_with_text("Rain is expected.", source="weather", title="Rain")
    publish_revision(article_id=other.pk, revision_number=1, actor=UserFactory(username="p2", roles=["publisher"]))

    response = reader().get("/api/v1/published/?page_size=2", HTTP_ACCEPT=NINJS)

    assert response.status_code == 200
    page = response.json()
    assert [i["version"] for i in page["results"]] == ["1", "2"] and page["next"]
    for item in page["results"]:
        assert_valid_ninjs_2(item)
    rest = reader().get(page["next"], HTTP_ACCEPT=NINJS).json()
    assert [i["headlines"][0]["value"] for i in rest["results"]] == ["Rain"]
    assert_valid_ninjs_2(rest["results"][0])


def test_ninjs_out_names_no_staff(corrected: Any) -> None:
    api = reader()
    bodies = [api.get(f"/api/v1/articles/{corrected.pk}/canonical/?format=ninjs").content,
              api.get("/api/v1/published/?format=ninjs").content]
    for body in bodies:
        assert b"chief-publisher" not in body and b"night-editor" not in body


def test_unpublished_article_in_ninjs_is_404(db: None) -> None:
    article = article_with_text("Draft.", source="gazette")
    response = reader().get(f"/api/v1/articles/{article.pk}/canonical/", HTTP_ACCEPT=NINJS)
    assert response.status_code == 404 and "detail" in response.json()


def test_the_schema_offers_ninjs_for_the_published_endpoints(client: Any) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/published/", "/api/v1/articles/{article_id}/canonical/"):
        operation = schema["paths"][path]["get"]
        assert NINJS in operation["responses"]["200"]["content"]
        formats = [p for p in operation["parameters"] if p["name"] == "format"]
        assert formats and "ninjs" in formats[0]["schema"]["enum"]


@pytest.mark.parametrize("query", ["format=", "format=xml", "format=json&format=ninjs"])
def test_a_bad_format_parameter_is_refused(corrected: Any, query: str) -> None:
    response = reader().get(f"/api/v1/published/?{query}")
    assert response.status_code == 400 and "format" in response.json()["errors"]
