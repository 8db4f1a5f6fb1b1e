"""Retention: remove what the policy lets go, never what the record stands on.

Removable classes, each kept ``settings.NEWSROOM_RETENTION_DAYS[name]`` days (0: for ever):

- ``idempotency_keys``: stored first answers to keyed requests (a re-send after that is still
  deduplicated by the article's natural key and body hash);
- ``raw_payloads``: the bytes of old ingestion requests; the row stays, with the bytes' SHA-256,
  its metadata and ``purged_at``;
- ``rejected_suggestions``: rejected suggestions on revisions that are neither current nor
  published;
- ``draft_revisions``: intermediate states made on the desk, with their suggestions and pass runs.

Never removed, whatever the policy: publications (and so corrections), the revisions they publish,
revision 1 and every revision a client sent, each article's current revision, audit rows and row
history (triggers refuse it anyway). Every batch removed leaves an audit row naming the ids (and,
for drafts, their numbers and text hashes), so the trail still points at what is gone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from articles.audit import SystemActor, record_event
from articles.models import IdempotencyRecord, IngestRequest, Revision
from corrections.intake import delete_suggestions, removable_rejected_suggestions

ACTOR = SystemActor("retention")
Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class RetentionClass:
    name: str
    candidates: Callable[[datetime], QuerySet]
    purge: Callable[[list[int], dict[str, object]], None]


def _idempotency_candidates(cutoff: datetime) -> QuerySet:
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff)


def _purge_idempotency(ids: list[int], detail: dict[str, object]) -> None:
    IdempotencyRecord.objects.filter(pk__in=ids).delete()
    record_event(action="retention.purged", actor=ACTOR, detail={**detail, "ids": ids})


def _raw_payload_candidates(cutoff: datetime) -> QuerySet:
    return IngestRequest.objects.filter(received_at__lt=cutoff, purged_at__isnull=True)


def _purge_raw_payloads(ids: list[int], detail: dict[str, object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_ingestrequest SET body_sha256 = encode(sha256(body), 'hex'), body = ''::bytea, "
            "purged_at = now() WHERE id = ANY(%s) AND purged_at IS NULL",
            [ids],
        )
    record_event(action="retention.purged", actor=ACTOR, detail={**detail, "ids": ids})


def _purge_rejected(ids: list[int], detail: dict[str, object]) -> None:
    rows = delete_suggestions(ids)
    by_article: dict[int, list[int]] = defaultdict(list)
    for pk, article_id in rows:
        by_article[article_id].append(pk)
    for article_id, pks in sorted(by_article.items()):
        record_event(action="retention.purged", actor=ACTOR, article_id=article_id, detail={**detail, "ids": pks})


def _draft_candidates(cutoff: datetime) -> QuerySet:
    return (
        Revision.objects.filter(created_at__lt=cutoff, number__gt=1, ingest_request__isnull=True,
                                created_by_client__isnull=True)
        .exclude(number=F("article__revision_number"))
        .exclude(publications__isnull=False)
    )


def _purge_drafts(ids: list[int], detail: dict[str, object]) -> None:
    drafts = list(Revision.objects.filter(pk__in=ids).values_list("pk", "article_id", "number", "text_sha256"))
    Revision.objects.filter(pk__in=ids).delete()  # the ORM, so SET_NULL references are honoured
    for pk, article_id, number, sha in sorted(drafts, key=lambda d: (d[1], d[2])):
        record_event(action="retention.purged", actor=ACTOR, article_id=article_id, revision_number=number,
                     detail={**detail, "ids": [pk], "revision_sha256": sha})


CLASSES = (
    RetentionClass("idempotency_keys", _idempotency_candidates, _purge_idempotency),
    RetentionClass("raw_payloads", _raw_payload_candidates, _purge_raw_payloads),
    RetentionClass("rejected_suggestions", removable_rejected_suggestions, _purge_rejected),
    RetentionClass("draft_revisions", _draft_candidates, _purge_drafts),
)


def run_retention(
    *,
    policy: dict[str, int] | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Remove what the policy allows, in batches of ``batch_size``; return the count per class.

    Each batch is one transaction with its audit row, so an interrupted run leaves nothing half
    done and the next run carries on. ``dry_run`` counts without removing.
    """
    policy = settings.NEWSROOM_RETENTION_DAYS if policy is None else policy
    unknown = set(policy) - {c.name for c in CLASSES}
    if unknown:
        raise ValueError(f"unknown retention classes {sorted(unknown)}; known: {[c.name for c in CLASSES]}")
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for cls in CLASSES:
        days = policy.get(cls.name, 0)
        if days <= 0:
            continue
        cutoff = now - timedelta(days=days)
        queryset = cls.candidates(cutoff)
        if dry_run:
            counts[cls.name] = queryset.count()
            continue
        counts[cls.name] = 0
        detail: dict[str, object] = {"class": cls.name, "days": days, "cutoff": cutoff.isoformat()}
        for ids in _batches(queryset, batch_size):
            with transaction.atomic():
                cls.purge(ids, detail)
            counts[cls.name] += len(ids)
            if progress is not None:
                progress(cls.name, counts[cls.name])
    return counts


def _batches(queryset: QuerySet, size: int) -> Iterable[list[int]]:
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]
