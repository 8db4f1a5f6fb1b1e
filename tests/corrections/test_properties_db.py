"""Properties over arbitrary text, through the real database and pipeline (RELIABILITY A11).

(a) ingest then fetch gives back the same text; (b) every stored suggestion's original is exactly
``text[start:end]`` of the text or title it addresses; (c) accepting suggestions and publishing gives
exactly the text and title the accepted suggestions make. Text mixes damage the passes look for with arbitrary Unicode: astral characters,
combining marks, CRLF, no-break spaces, bidi controls.
"""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from articles.models import Revision
from articles.publish import publish_revision
from articles.tokens import create_api_token
from corrections import pipeline
from corrections.models import PipelineJob, Suggestion
from corrections.review import accept_all
from corrections.revisions import apply_to_text, field_text
from tests.articles.helpers import ingest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("NEWSROOM_PROPERTY_EXAMPLES", "200"))

FRAGMENTS = st.sampled_from([
    "CafÃ© ", "â€™", "Â ", "Â\n", "\n\n\n", "\u00a0\n", "  ", "\t", " \n", "Post a Comment\n", "0 Comments\n",
    "number of number of ", "Kiev ", "Zelanski ", "President Volodymyr Zelensky ", "a adjacent ", "oogre ",
    "“quote” ", "\u202e", "\u200b", "e\u0301", "\U0001f600", "\U00020000", "\r\n", "Putin said. ", "مرحبا ",
    "שלום ", "👨‍👩‍👧 ", "<script>alert(1)</script>", "{{ x }}", "&amp;",
])
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(min_size=1, max_size=12)), min_size=1, max_size=25).map("".join).filter(
    lambda t: t.strip() and "\x00" not in t and not any(0xD800 <= ord(c) <= 0xDFFF for c in t)
)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])


@pytest.fixture
def client_row():  # type: ignore[no-untyped-def]
    return create_api_token(f"props-{uuid.uuid4().hex[:6]}")


@SETTINGS
@given(text=TEXT, title=TEXT)
def test_ingest_then_fetch_gives_back_the_same_text(client_row, text: str, title: str) -> None:  # type: ignore[no-untyped-def]
    _, key = client_row
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post("/api/v1/articles/", {"source": "props", "external_id": uuid.uuid4().hex, "title": title,
                                             "body": text}, format="json")
    assert created.status_code == 201, created.content
    fetched = api.get(f"/api/v1/articles/{created.json()['id']}/").json()
    assert fetched["text"] == text and fetched["title"] == title


def headline(text: str) -> str:
    """A title made of the text's first line, as copies often have it (damage included)."""
    return "Headline: " + text.split("\n", 1)[0][:120]


@SETTINGS
@given(text=TEXT)
def test_every_stored_suggestion_matches_its_revision_text(client_row, text: str) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row[0], external_id=uuid.uuid4().hex, title=headline(text), body=text)
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    for s in Suggestion.objects.filter(revision__article=outcome.article).select_related("revision"):
        assert field_text(s.revision, s.field)[s.start : s.end] == s.original


@SETTINGS
@given(text=TEXT)
def test_accepting_and_publishing_gives_exactly_the_accepted_text(client_row, text: str) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row[0], external_id=uuid.uuid4().hex, title=headline(text), body=text)
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    chief = UserFactory(username="props-chief", roles=["publisher"])
    article = outcome.article
    article.refresh_from_db()
    seen = article.revision_number
    if Suggestion.objects.filter(revision__article=article, revision__number=seen, status="pending").exists():
        seen = accept_all(article_id=article.pk, seen_revision=seen, actor=chief, min_confidence=0.0).revision.number
    accepted = list(Suggestion.objects.filter(revision__article=article, revision__number=1, status="accepted"))
    base = Revision.objects.get(article=article, number=1)
    publication = publish_revision(article_id=article.pk, revision_number=seen, actor=chief, confirm_pending=True)
    for field in ("body", "title"):
        applied = [Suggestion(start=s.start, end=s.end, original=s.original, replacement=s.applied_replacement)
                   for s in accepted if s.field == field]
        assert field_text(publication.revision, field) == apply_to_text(field_text(base, field), applied)
