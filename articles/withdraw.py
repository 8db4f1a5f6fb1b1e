"""Kill notices: a supplier taking back an article it sent (articles.wire.KillNotice).

A wire item whose publishing status is ``canceled`` (a kill) or ``withheld`` is no new version of
the article: storing it as a revision would put a killed story back in the queue (or, unchanged,
lose the kill as an identical re-send). It marks the article ``withdrawn`` instead, with the reason
in ``status_detail``, and changes no text: no revision, no pipeline job. A withdrawn article is off
the queue's default view and cannot be published (articles.publish); the pipeline leaves its status
alone (corrections.jobs). Publications made before the kill stay as they are (they are immutable):
taking a published story down is the desk's to decide.

A later copy of the article that is usable again (``withheld`` lifted, or a kill reversed) brings
it back: a changed copy as a new revision like any other, an unchanged one by returning the
article to the state its current revision had reached (``reinstate``).
"""

from __future__ import annotations

from dataclasses import dataclass

from articles.audit import record_event
from articles.models import ApiClient, Article, IngestRequest
from articles.wire import KillNotice
from corrections.intake import review_status
from newsroom import metrics

WHAT = {"canceled": "killed (canceled)", "withheld": "withheld"}


class NothingToWithdraw(Exception):
    """A kill notice for an article newsroom does not hold (the API answers 422; nothing is stored)."""


class NotYours(Exception):
    """The article belongs to another client (the API answers 409)."""


@dataclass(frozen=True, slots=True)
class WithdrawOutcome:
    article: Article
    changed: bool  # False: it was withdrawn for the same reason already


def withdraw_article(*, client: ApiClient, notice: KillNotice, request: IngestRequest,
                     index: int | None = None) -> WithdrawOutcome:
    """Mark the article ``notice`` names as withdrawn by its supplier. Must run in a transaction.

    Raises NothingToWithdraw when no such article exists, NotYours when another client sent it.
    """
    article = (Article.objects.select_for_update()
               .filter(source__slug=notice.source, external_id=notice.external_id).first())
    if article is None:
        raise NothingToWithdraw(
            f"A kill notice ({notice.said}) for {notice.source}/{notice.external_id}, an article newsroom never "
            "received: there is nothing to withdraw, and nothing was stored."
        )
    if article.client_id != client.pk and not (client.user_id and client.user and client.user.is_staff):
        raise NotYours(f"article {notice.source}/{notice.external_id} was ingested by another client")
    detail = f"{WHAT[notice.pubstatus]} by its supplier: {notice.said}"
    if article.status == Article.Status.WITHDRAWN and article.status_detail == detail:
        return WithdrawOutcome(article=article, changed=False)
    was = article.status
    article.status = Article.Status.WITHDRAWN
    article.status_detail = detail
    article.save(update_fields=["status", "status_detail", "updated_at"])
    record_event(action="article.withdrawn", actor=client, obj=article, article_id=article.pk,
                 revision_number=article.revision_number,
                 detail={"pubstatus": notice.pubstatus, "said": notice.said, "was": was,
                         "ingest_request": request.pk, **({"index": index} if index is not None else {})})
    metrics.count_ingested(notice.source, request.content_type, "withdrawn")
    return WithdrawOutcome(article=article, changed=True)


def reinstate(article: Article, client: ApiClient) -> None:
    """A usable copy, unchanged, of a withdrawn article: back to where its current revision was
    (published, in review, failed, or still in the pipeline). Must run in a transaction."""
    published = article.publications.order_by("-number").first()
    status: str
    if published is not None and published.revision.number == article.revision_number:
        status, detail = Article.Status.PUBLISHED, ""
    else:
        status, detail = review_status(article.revisions.get(number=article.revision_number))
    previous = article.status_detail
    article.status, article.status_detail = status, detail
    article.save(update_fields=["status", "status_detail", "updated_at"])
    record_event(action="article.reinstated", actor=client, obj=article, article_id=article.pk,
                 revision_number=article.revision_number, detail={"status": status, "was": previous})
