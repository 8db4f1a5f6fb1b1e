"""Ingestion: one transaction writes the article, its revision and the pipeline job."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

from articles.audit import audit_event, record_event, sha256_text
from articles.models import ApiClient, Article, AuditEvent, IngestRequest, Revision, Source
from articles.wire import KillNotice
from articles.withdraw import (
    NothingToWithdraw,
    NotYours,
    WithdrawOutcome,
    reinstate,
    withdraw_article,
)
from corrections.intake import accept_revision, accept_revisions, count_invisible
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


def _get_sources(slugs: Iterable[str]) -> dict[str, Source]:
    """The sources by slug, those missing created (all at once: at most three statements)."""
    wanted = set(slugs)
    sources = {s.slug: s for s in Source.objects.filter(slug__in=wanted)}
    missing = wanted - set(sources)
    if missing:
        Source.objects.bulk_create([Source(slug=slug, name=slug) for slug in sorted(missing)], ignore_conflicts=True)
        sources.update((s.slug, s) for s in Source.objects.filter(slug__in=missing))
    return sources


NATURAL_KEY = ("source", "external_id")  # an article's, unique


def insert_rows[M: Model](objs: Sequence[M], *, skip_existing_by: tuple[str, ...] = ()) -> list[M]:
    """INSERT the unsaved ``objs`` (of one model) in one statement and set their ids, as
    ``bulk_create`` does, with the values sent apart from the SQL (PostgreSQL's server-side
    binding). Django's own cursors bind client-side: they spell megabytes of text and bytes (as hex,
    twice their size) into the statement for the server to parse back, which took a third of a
    batch's time. Only the ids are read back.

    ``skip_existing_by``: the fields of a unique constraint (an article's source and external id);
    rows whose values are stored already are left out (``ON CONFLICT DO NOTHING``) and keep no id.
    ``objs`` must then differ in those values. Returns the objects inserted.
    """
    if not objs:
        return []
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert_rows")  # type: ignore[attr-defined]
    keys = [f for f in meta.concrete_fields if f.name in skip_existing_by]
    query = InsertQuery(meta.model, on_conflict=OnConflict.IGNORE if keys else None)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    compiler.returning_fields = [meta.pk, *keys]
    [(sql, params)] = compiler.as_sql()
    connection.ensure_connection()
    # Django's cursor wrapper still runs: its error translation, execute_wrapper hooks, logging.
    with CursorWrapper(psycopg.Cursor(connection.connection), connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if keys:
        by_key = {tuple(getattr(obj, f.attname) for f in keys): obj for obj in objs}
        inserted = [by_key[tuple(row[1:])] for row in rows]
    else:
        inserted = list(objs)
    for obj, row in zip(inserted, rows, strict=True):
        obj.pk = row[0]
    for obj in inserted:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
    return inserted


def received_text(data: ArticleData) -> str:
    """The text revision 1 keeps: the body as sent, or an HTML page's main text (NoMainText)."""
    return data.body if data.content_type == Article.ContentType.PLAIN else extract_main_text(data.body)


def _new_article(client: ApiClient, data: ArticleData, source: Source, text: str) -> Article:
    return Article(
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


def _first_revision(article: Article, client: ApiClient, data: ArticleData, text: str, request: IngestRequest,
                    index: int | None) -> Revision:
    return Revision(
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


def _ingested_event(client: ApiClient, article: Article, data: ArticleData, text: str) -> AuditEvent:
    return audit_event(action="article.ingested", actor=client, obj=article, article_id=article.pk,
                       revision_number=1, after=text,
                       detail={"source": data.source, "external_id": data.external_id})


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
    text = received_text(data)
    source = _get_source(data.source)
    article = _new_article(client, data, source, text)
    if insert_rows([article], skip_existing_by=NATURAL_KEY):
        revision = insert_rows([_first_revision(article, client, data, text, request, index)])[0]
        _ingested_event(client, article, data, text).save()
        accept_revision(revision)
        metrics.count_ingested(source.slug, request.content_type, "created")
        return IngestOutcome(article=article, revision=revision, created=True, new_revision=True)

    # Stored already (by this client before, or by a concurrent twin that committed first).
    article = Article.objects.select_for_update().get(source=source, external_id=data.external_id)
    article.source = source
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
    revision = Revision(
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
    insert_rows([revision])
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


BatchOutcome = IngestOutcome | WithdrawOutcome | IngestConflict | NoMainText | NothingToWithdraw | NotYours


def ingest_batch(
    *,
    client: ApiClient,
    items: Sequence[tuple[int, ArticleData | KillNotice]],
    request: IngestRequest,
) -> dict[int, BatchOutcome]:
    """Store a batch's items, ``(index in the batch, article or kill notice)`` each; the outcome of
    each, or the error it met, by index. Must be called inside a transaction.

    The same as sending the items one by one in batch order (``ingest_article``,
    ``articles.withdraw.withdraw_article``), written in bulk: the new articles take one INSERT per
    table (sources missing, articles, revisions, audit rows, pipeline jobs, published to the broker
    together after the commit), whatever their number. The rest go one by one afterwards, in batch
    order, each in a savepoint of its own: an article stored already (a re-send, a second copy of
    one external id in the batch, a concurrent twin's), a kill notice, and every item of an article
    a kill notice in the batch names (so that their order still tells).
    """
    outcomes: dict[int, BatchOutcome] = {}
    killed = {(item.source, item.external_id) for _, item in items if isinstance(item, KillNotice)}
    texts: dict[int, str] = {}
    for index, item in items:
        if isinstance(item, ArticleData) and (item.source, item.external_id) not in killed:
            try:
                texts[index] = received_text(item)
            except NoMainText as ex:
                outcomes[index] = ex
    sources = _get_sources(item.source for index, item in items if index in texts)
    fresh: dict[tuple[int, str], tuple[int, ArticleData, Article]] = {}
    for index, item in items:
        if index not in texts or not isinstance(item, ArticleData):
            continue
        key = (sources[item.source].pk, item.external_id)
        if key not in fresh:  # a later copy of the key is a re-send of this one
            fresh[key] = (index, item, _new_article(client, item, sources[item.source], texts[index]))
    insert_rows([article for _, _, article in fresh.values()], skip_existing_by=NATURAL_KEY)
    new = [(index, data, article) for index, data, article in fresh.values() if article.pk is not None]
    revisions = insert_rows([_first_revision(article, client, data, texts[index], request, index)
                             for index, data, article in new])
    AuditEvent.objects.bulk_create([_ingested_event(client, article, data, texts[index])
                                    for index, data, article in new])
    accept_revisions(revisions)
    for (index, data, article), revision in zip(new, revisions, strict=True):
        metrics.count_ingested(data.source, request.content_type, "created")
        outcomes[index] = IngestOutcome(article=article, revision=revision, created=True, new_revision=True)
    for index, item in items:
        if index in outcomes:
            continue
        try:
            with transaction.atomic():
                if isinstance(item, KillNotice):
                    outcomes[index] = withdraw_article(client=client, notice=item, request=request, index=index)
                else:
                    outcomes[index] = ingest_article(client=client, data=item, request=request, index=index)
        except (IngestConflict, NoMainText, NothingToWithdraw, NotYours) as ex:
            outcomes[index] = ex
    return outcomes
