"""Retention removes only what the policy allows; the published record and the trail stay whole.

RELIABILITY G5: over old drafts, rejected suggestions, raw payloads, published versions and audit
rows, only the allowed classes go; publications, corrections and audit rows are unchanged; audit
rows that point to deleted drafts still carry their identifiers and hashes.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.audit import sha256_text
from articles.models import (
    AuditEvent,
    IdempotencyRecord,
    IngestRequest,
    Publication,
    Revision,
    RowChange,
)
from articles.publish import publish_revision
from articles.retention import run_retention
from corrections.models import Suggestion
from corrections.review import accept_suggestion, edit_text, reject_suggestion
from tests.corrections.desk import article_with_text, ingest_client, suggest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Teh minister met the mayor in Kiev on Monday."
LATER = timezone.now() + timedelta(days=400)  # "now" for the runs: everything made in the test is old
ALL = {"idempotency_keys": 30, "raw_payloads": 30, "rejected_suggestions": 30, "draft_revisions": 30}


def current_number(article_id: int) -> int:
    return Revision.objects.filter(article_id=article_id).order_by("-number").values_list("number", flat=True)[0]


@pytest.fixture
def history() -> dict[str, object]:
    """r1 as received; r2 published; r3 a draft; r4 a published correction; r5 current, unpublished."""
    editor = UserFactory(username="retention-editor", roles=["publisher"])
    client = ingest_client()
    article = article_with_text(TEXT, client=client)
    a = suggest(article, "Teh", "The")
    b = suggest(article, "Kiev", "Kyiv", kind="style")
    reject_suggestion(suggestion_id=b.pk, seen_revision=1, actor=editor)
    accept_suggestion(suggestion_id=a.pk, seen_revision=1, actor=editor)  # -> r2
    d = suggest(article, "minister", "Minister")
    reject_suggestion(suggestion_id=d.pk, seen_revision=2, actor=editor)
    publish_revision(article_id=article.pk, revision_number=2, actor=editor, confirm_pending=True)
    edit_text(article_id=article.pk, seen_revision=2, actor=editor, text="The minister met the mayor on Monday.")
    e = suggest(article, "mayor", "Mayor")
    reject_suggestion(suggestion_id=e.pk, seen_revision=3, actor=editor)
    edit_text(article_id=article.pk, seen_revision=3, actor=editor, text="The minister met the city's mayor on Monday.")
    f = suggest(article, "city's", "city")
    reject_suggestion(suggestion_id=f.pk, seen_revision=4, actor=editor)
    publish_revision(article_id=article.pk, revision_number=4, actor=editor, confirm_pending=True,
                     correction_note="An earlier version misplaced the meeting.")
    edit_text(article_id=article.pk, seen_revision=4, actor=editor, text="The minister met the city's mayor on Tuesday.")
    assert current_number(article.pk) == 5
    old_key = IdempotencyRecord.objects.create(client=client, key="old", request_sha256="0" * 64,
                                               response_status=201, response_body={})
    fresh_key = IdempotencyRecord.objects.create(client=client, key="fresh", request_sha256="1" * 64,
                                                 response_status=201, response_body={})
    IdempotencyRecord.objects.filter(pk=fresh_key.pk).update(created_at=LATER)
    return {"article": article, "suggestions": {"a": a, "b": b, "d": d, "e": e, "f": f},
            "keys": (old_key, fresh_key)}


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {
        "publications": list(Publication.objects.order_by("id").values_list()),
        "audit": list(AuditEvent.objects.order_by("id").values_list()),
        "row_history": list(RowChange.objects.order_by("id").values_list()),
    }


def test_only_the_allowed_classes_go_and_the_record_stays(history: dict[str, object]) -> None:
    article = history["article"]
    s = history["suggestions"]
    draft = Revision.objects.get(article=article, number=3)
    raw = IngestRequest.objects.get(revisions__article=article, revisions__number=1)
    raw_sha = hashlib.sha256(bytes(raw.body)).hexdigest()
    before = snapshot()

    counts = run_retention(policy=ALL, now=LATER)

    assert counts == {"idempotency_keys": 1, "raw_payloads": 1, "rejected_suggestions": 2, "draft_revisions": 1}
    # what the record stands on is all still there, unchanged
    after = snapshot()
    for name in ("publications", "audit", "row_history"):
        assert after[name][: len(before[name])] == before[name], name
    assert sorted(Revision.objects.filter(article=article).values_list("number", flat=True)) == [1, 2, 4, 5]
    assert list(Suggestion.objects.filter(pk__in=[x.pk for x in s.values()]).order_by("pk")
                .values_list("pk", flat=True)) == sorted([s["a"].pk, s["d"].pk, s["f"].pk])
    assert Revision.objects.get(article=article, number=1).text == TEXT
    # the raw request row stays with the hash of the bytes it held
    raw.refresh_from_db()
    assert bytes(raw.body) == b"" and raw.purged_at is not None and raw.body_sha256 == raw_sha
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"fresh"}
    # the trail still points at the draft that is gone, with its identifiers and hashes
    created = AuditEvent.objects.get(action="revision.created", object_id=draft.pk)
    assert (created.article_id, created.revision_number, created.after_sha256) == (
        article.pk, 3, sha256_text(draft.text))
    purged = AuditEvent.objects.get(action="retention.purged", detail__class="draft_revisions")
    assert purged.detail["ids"] == [draft.pk] and purged.detail["revision_sha256"] == draft.text_sha256
    assert purged.actor_label == "retention" and purged.article_id == article.pk
    # the deletions are in the row history too
    assert RowChange.objects.filter(table_name="articles_revision", operation="DELETE", row_id=draft.pk).exists()
    # and a second run finds nothing more
    assert run_retention(policy=ALL, now=LATER) == dict.fromkeys(ALL, 0)


def test_a_dry_run_counts_and_removes_nothing(history: dict[str, object]) -> None:
    before = snapshot()
    revisions = Revision.objects.count()
    counts = run_retention(policy=ALL, now=LATER, dry_run=True)
    assert counts == {"idempotency_keys": 1, "raw_payloads": 1, "rejected_suggestions": 2, "draft_revisions": 1}
    assert snapshot() == before and Revision.objects.count() == revisions


def test_the_default_policy_lets_only_idempotency_keys_go(history: dict[str, object]) -> None:
    suggestions, revisions = Suggestion.objects.count(), Revision.objects.count()
    assert run_retention(now=LATER) == {"idempotency_keys": 1}
    assert (Suggestion.objects.count(), Revision.objects.count()) == (suggestions, revisions)
    assert not IngestRequest.objects.filter(purged_at__isnull=False).exists()


def test_nothing_younger_than_the_policy_goes(history: dict[str, object]) -> None:
    assert run_retention(policy=ALL) == {"idempotency_keys": 0, "raw_payloads": 0, "rejected_suggestions": 0,
                                         "draft_revisions": 0}


def test_an_unknown_class_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown retention classes"):
        run_retention(policy={"publications": 1})


def test_the_command_reports_and_refuses_bad_overrides(history: dict[str, object],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    call_command("retention", "--dry-run", "--days", "raw_payloads=1")
    out = capsys.readouterr().out
    assert "raw_payloads: older than 1 days goes" in out and "Retention would remove" in out
    with pytest.raises(CommandError, match="expected CLASS=DAYS"):
        call_command("retention", "--days", "publications=1")
