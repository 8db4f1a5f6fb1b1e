"""Ingestion: one transaction writes the article, its revision and the pipeline job."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from articles.audit import record_event, sha256_text
from articles.models import ApiClient, Article, IngestRequest, Revision, Source
from articles.withdraw import reinstate
from corrections.intake import accept_revision, count_invisible
from newsroom import metrics

logger = logging.getLogger(__name__)


class IngestConflict(Exception):
    """The natural key belongs to another client's article (the API answers 409)."""


class NoMainText(Exception):
    """An HTML body held no extractable article text (the API answers 400 on ``body``)."""


@dataclass(frozen=True, slots=True)
class ArticleData:
    source: str
    external_id: str
    title: str
    body: str
    content_type: str = Article.ContentType.PLAIN
    language: str = "en"
    url: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    article: Article
    revision: Revision
    created: bool  # a new article
    new_revision: bool  # a new revision (new article, or a changed body)


def extract_main_text(html: str) -> str:
    """The article text of an HTML page (trafilatura), paragraphs separated by blank lines.

    Raises NoMainText when the page holds none.
    """
    import trafilatura  # slow to import; only HTML ingestion needs it

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text or not text.strip():
        raise NoMainText("no article text found in the HTML body")
    return "\n\n".join(p.strip() for p in text.split("\n") if p.strip())


def _get_source(slug: str) -> Source:
    source, _ = Source.objects.get_or_create(slug=slug, defaults={"name": slug})
    return source


def ingest_article(
    *,
    client: ApiClient,
    data: ArticleData,
    request: IngestRequest,
    index: int | None = None,
) -> IngestOutcome:
    """Store one article copy as received and queue the pipeline for it.

    An identical re-send (same source, external id, title and text as the client's last copy)
    changes nothing. A changed title or text becomes a new revision with its own pipeline job;
    pending suggestions on the older revision turn stale. Must be called inside a transaction. Raises IngestConflict
    when the natural key belongs to another client, NoMainText for an HTML page without text.

    Only what must happen in the request happens here: what is derived from the text (the story
    the article joins, the suggestions) is the pipeline job's work (corrections.pipeline).
    """
    text = data.body if data.content_type == Article.ContentType.PLAIN else extract_main_text(data.body)
    source = _get_source(data.source)
    article = (
        Article.objects.select_for_update().filter(source=source, external_id=data.external_id).first()
    )
    if article is None:
        try:
            with transaction.atomic():
                article = Article.objects.create(
                    source=source,
                    external_id=data.external_id,
                    client=client,
                    title=data.title,
                    content_type=data.content_type,
                    language=data.language,
                    url=data.url,
                    published_at=data.published_at,
                    invisible_chars=count_invisible(text) + count_invisible(data.title),
                )
        except IntegrityError:
            # A concurrent twin created it first: continue as a re-send.
            article = Article.objects.select_for_update().get(source=source, external_id=data.external_id)
        else:
            revision = Revision.objects.create(
                article=article,
                number=1,
                title=data.title,
                text=text,
                text_sha256=sha256_text(text),
                created_by_client=client,
                reason="received",
                ingest_request=request,
                ingest_index=index,
            )
            record_event(action="article.ingested", actor=client, obj=article, article_id=article.pk,
                         revision_number=1, after=text,
                         detail={"source": source.slug, "external_id": data.external_id})
            accept_revision(revision)
            metrics.count_ingested(source.slug, request.content_type, "created")
            return IngestOutcome(article=article, revision=revision, created=True, new_revision=True)

    if article.client_id != client.pk and not (client.user_id and client.user and client.user.is_staff):
        raise IngestConflict(
            f"article {data.source}/{data.external_id} was ingested by another client; use your own external_id"
        )
    last_from_client = (
        article.revisions.filter(ingest_request__isnull=False).order_by("-number")
        .only("number", "title", "text_sha256").first()
    )
    digest = sha256_text(text)
    current = article.revisions.get(number=article.revision_number)
    if last_from_client is not None and last_from_client.text_sha256 == digest and last_from_client.title == data.title:
        if article.status == Article.Status.WITHDRAWN:
            reinstate(article, client)  # a usable copy again, after a kill notice (articles.withdraw)
        metrics.count_ingested(source.slug, request.content_type, "unchanged")
        return IngestOutcome(article=article, revision=current, created=False, new_revision=False)

    number = article.revision_number + 1
    changed = " and ".join(name for name, is_changed in (
        ("title", last_from_client is None or last_from_client.title != data.title),
        ("body", last_from_client is None or last_from_client.text_sha256 != digest)) if is_changed)
    revision = Revision.objects.create(
        article=article,
        number=number,
        title=data.title,
        text=text,
        text_sha256=digest,
        created_by_client=client,
        reason=f"re-sent by the client with a changed {changed}",
        ingest_request=request,
        ingest_index=index,
    )
    article.revision_number = number
    article.status = Article.Status.RECEIVED
    article.status_detail = ""
    article.title = data.title
    article.invisible_chars = count_invisible(text) + count_invisible(data.title)
    article.save(update_fields=["revision_number", "status", "status_detail", "title", "invisible_chars", "updated_at"])
    record_event(action="revision.created", actor=client, obj=revision, article_id=article.pk,
                 revision_number=number, before=current.text, after=text,
                 detail={"reason": revision.reason})
    accept_revision(revision, superseded=current)
    metrics.count_ingested(source.slug, request.content_type, "revision")
    return IngestOutcome(article=article, revision=revision, created=False, new_revision=True)
