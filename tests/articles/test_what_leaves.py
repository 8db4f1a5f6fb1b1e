"""What leaves the building: no API response an ingestion client can read names a staff account.

The world: a client's article through the real pipeline, decided on by a staff editor (on the desk
and through the editor's own token), published and corrected by a staff publisher. Then every GET
operation of the OpenAPI schema, with its ids filled from that world and its list filters varied,
is read with the client's token, following ``next`` links, and no body may hold a staff username,
e-mail address, token name or token prefix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from articles.models import Article, Publication, Revision
from articles.publish import publish_revision
from articles.tokens import create_api_token
from corrections import pipeline, review
from corrections.gazetteer import load_starter_gazetteer, load_starter_style_rules
from corrections.models import PipelineJob, Suggestion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SEED = next((Path(__file__).resolve().parents[2] / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
# What a client may not read at all: the audit trail and cross-article decisions (the desk's), the
# feeds (an admin's). A new GET operation fails the test until it is read here or listed.
FORBIDDEN_STATUS = {"/api/v1/audit/": 403, "/api/v1/decisions/{decision_id}/": 403, "/api/v1/feeds/": 403,
                    "/api/v1/feeds/{feed_id}/": 403}


def build_world(token_client: APIClient) -> dict[str, Any]:
    load_starter_gazetteer()
    load_starter_style_rules()
    editor = UserFactory(username="edna-q7staff", email="edna.q7@staff.example", roles=["editor"])
    publisher = UserFactory(username="pia-k3staff", email="pia.k3@staff.example", roles=["publisher"])
    admin = UserFactory(username="root-z9staff", email="root.z9@staff.example", roles=["admin"])
    editor_client, editor_key = create_api_token("edna-q7staff-laptop", user=editor)
    publisher_client, _ = create_api_token("pia-k3staff-phone", user=publisher)

    response = token_client.post("/api/v1/articles/", {"source": "wire", "external_id": "leak-1",
                                                        "title": SEED.split("\n")[0], "body": SEED}, format="json")
    assert response.status_code == 201
    article = Article.objects.get(pk=response.json()["id"])
    pipeline.run_job(PipelineJob.objects.get(article=article).pk)
    pending = list(Suggestion.objects.filter(revision__article=article, status="pending").exclude(kind="notice"))
    assert len(pending) >= 4

    desk_token = APIClient()
    desk_token.credentials(HTTP_AUTHORIZATION=f"Token {editor_key}")
    accepted = desk_token.post(f"/api/v1/suggestions/{pending[0].pk}/accept/", {"revision": 1}, format="json")
    assert accepted.status_code == 200, accepted.content
    current = Article.objects.get(pk=article.pk).revision_number
    pending = list(Suggestion.objects.filter(revision__article=article, revision__number=current, status="pending")
                   .exclude(kind="notice"))
    review.reject_suggestion(suggestion_id=pending[0].pk, seen_revision=current, actor=editor, note="keep it")
    review.accept_suggestion(suggestion_id=pending[1].pk, seen_revision=current, actor=editor)
    current += 1
    text = Revision.objects.get(article=article, number=current).text
    review.edit_text(article_id=article.pk, seen_revision=current, actor=editor, text=text + "\nAn added line.",
                     reason="add a line")
    current += 1
    publish_revision(article_id=article.pk, revision_number=current, actor=publisher, confirm_pending=True)
    review.edit_text(article_id=article.pk, seen_revision=current, actor=editor, text=text, reason="drop the line")
    publish_revision(article_id=article.pk, revision_number=current + 1, actor=publisher, confirm_pending=True,
                     correction_note="We removed a line added in error.")
    staff = [editor, publisher, admin]
    forbidden = [u.username for u in staff] + [u.email for u in staff] + [
        c.name for c in (editor_client, publisher_client)] + [c.key_prefix for c in (editor_client, publisher_client)]
    return {"article": article, "forbidden": forbidden, "editor": editor, "editor_key": editor_key}


def fill(path: str, article: Article) -> list[str]:
    """Every concrete URL for a schema path in this world (each revision, each publication)."""
    if "{number}" in path:
        numbers = (Revision if "revisions" in path else Publication).objects.filter(
            article=article).values_list("number", flat=True)
        return [path.replace("{article_id}", str(article.pk)).replace("{number}", str(n)) for n in numbers]
    return [re.sub(r"\{\w+\}", "1", path.replace("{article_id}", str(article.pk)))]  # other ids: refused first


def variants(url: str, parameters: list[str], article: Article) -> list[str]:
    """The URL with its list filters varied, so that filtered and paged answers are read too."""
    queries = [""]
    if "status" in parameters and "suggestions" in url:
        queries += [f"status={s}" for s in Suggestion.Status.values]
    if "revision" in parameters:
        queries += [f"revision={n}" for n in range(1, article.revision_number + 1)]
    if "kind" in parameters:
        queries += ["kind=entity", "kind=spelling", "kind=notice"]
    if "status" in parameters and url.endswith("/articles/"):
        queries += ["status=published", "status=in_review"]
    if "since" in parameters:
        queries += ["since=2000-01-01T00:00:00Z"]
    if "page_size" in parameters:
        queries += ["page_size=1"]
    if "canonical" in url or "publications" in url or "published" in url:
        queries += ["format=ninjs"]  # IPTC ninjs out (articles.wire.ninjs_out), as downstream reads it
    return [url + ("?" + q if q else "") for q in queries]


def read_all(api: APIClient, url: str) -> list[tuple[int, str]]:
    """The response, and every page after it through ``next``."""
    bodies = []
    while url:
        response = api.get(url)
        bodies.append((response.status_code, response.content.decode()))
        data = response.json() if response.status_code == 200 and response["Content-Type"].startswith(
            "application/json") else {}
        url = data.get("next") if isinstance(data, dict) else None
        if url and len(bodies) > 200:
            raise AssertionError(f"{url}: more than 200 pages")
    return bodies


def test_no_api_response_a_client_can_read_names_a_staff_account(token_client: APIClient) -> None:
    world = build_world(token_client)
    article, forbidden = world["article"], world["forbidden"]
    schema = json.loads(token_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    operations = [(path, [p["name"] for p in op.get("parameters", [])])
                  for path, ops in schema["paths"].items() for method, op in ops.items() if method == "get"]
    assert len(operations) >= 9

    read: dict[str, list[tuple[int, str]]] = {}
    for path, parameters in operations:
        for url in fill(path, article):
            for variant in variants(url, parameters, article):
                read[variant] = read_all(token_client, variant)
    read["/api/schema/"] = [(200, json.dumps(schema))]

    for path, _ in operations:
        statuses = {status for url, answers in read.items() if url.split("?")[0] in fill(path, article)
                    for status, _ in answers}
        assert statuses == {FORBIDDEN_STATUS.get(path, 200)}, (path, statuses)
    pattern = re.compile("|".join(re.escape(word) for word in forbidden), re.IGNORECASE)
    leaks = [(url, m.group()) for url, answers in read.items() for _, body in answers
             for m in [pattern.search(body)] if m]
    assert leaks == []
    assert sum(len(answers) for answers in read.values()) > 40


def test_publications_carry_the_desk_byline_and_revisions_the_role(token_client: APIClient) -> None:
    world = build_world(token_client)
    article = world["article"]
    canonical = token_client.get(f"/api/v1/articles/{article.pk}/canonical/").json()
    assert canonical["published_by"] == "newsroom desk" and canonical["number"] == 2
    feed = token_client.get("/api/v1/published/").json()["results"]
    assert {p["published_by"] for p in feed} == {"newsroom desk"}
    authors = [r["created_by"] for r in token_client.get(f"/api/v1/articles/{article.pk}/revisions/").json()["results"]]
    assert authors[0].startswith("client:test-client-") and set(authors[1:]) == {"desk:editor"}
    with override_settings(NEWSROOM_PUBLISHER_BYLINE="The Courier copy desk"):
        assert token_client.get(f"/api/v1/articles/{article.pk}/canonical/").json()["published_by"] == \
            "The Courier copy desk"


def test_editors_reading_the_api_still_see_who_on_the_desk_made_a_revision(token_client: APIClient) -> None:
    world = build_world(token_client)
    editor_api = APIClient()
    editor_api.force_authenticate(world["editor"])
    authors = {r["created_by"] for r in
               editor_api.get(f"/api/v1/articles/{world['article'].pk}/revisions/").json()["results"]}
    assert "user:edna-q7staff" in authors  # the desk and the editor's own token alike
