"""Building articles with suggestions for the desk's tests, as ingestion and a pass would."""

from __future__ import annotations

import uuid

from articles.models import ApiClient, Article, Revision
from articles.tokens import create_api_token
from corrections.models import Suggestion
from tests.articles.helpers import ingest


def ingest_client() -> ApiClient:
    client, _ = create_api_token(f"desk-client-{uuid.uuid4().hex[:8]}")
    return client


def article_with_text(text: str, *, source: str = "wire", title: str = "Title",
                      client: ApiClient | None = None) -> Article:
    outcome = ingest(client or ingest_client(), source=source, external_id=uuid.uuid4().hex[:12], title=title,
                     body=text)
    return outcome.article


def current_revision(article: Article) -> Revision:
    article.refresh_from_db()
    return Revision.objects.get(article=article, number=article.revision_number)


def suggest(article: Article, original: str, replacement: str, *, kind: str = "spelling", confidence: float = 0.9,
            occurrence: int = 0, pass_name: str = "test", explanation: str = "A test suggestion.",
            evidence: list[str] | None = None) -> Suggestion:
    """A pending suggestion on the current revision, at the ``occurrence``-th place ``original`` appears."""
    revision = current_revision(article)
    start = -1
    for _ in range(occurrence + 1):
        start = revision.text.index(original, start + 1)
    return Suggestion.objects.create(
        revision=revision, pass_name=pass_name, kind=kind, start=start, end=start + len(original),
        original=original, replacement=replacement, confidence=confidence, explanation=explanation,
        evidence=evidence or [],
    )


def current_text(article: Article) -> str:
    return current_revision(article).text
