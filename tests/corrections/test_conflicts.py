"""The pipeline settles contradicting suggestions before an editor sees them (corrections.conflicts)."""

from __future__ import annotations

import pytest

from articles.audit import AuditEvent
from articles.models import Revision
from articles.tokens import create_api_token
from corrections import groups, pipeline, review
from corrections.conflicts import SET_ASIDE
from corrections.models import PipelineJob, Suggestion
from tests.articles.helpers import ingest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SENTENCE = "The minister said a adjacent summit would follow."
BODY = f"{SENTENCE} {SENTENCE}\n\nMehmet {'Doğan'.encode().decode('latin-1')} an took the floor."


@pytest.fixture
def processed():  # type: ignore[no-untyped-def]
    client = create_api_token("conflict-tests")[0]
    outcome = ingest(client, body=BODY, external_id="c-1")
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    return outcome.revision


def test_a_fix_inside_text_the_duplicate_pass_deletes_is_set_aside(processed) -> None:  # type: ignore[no-untyped-def]
    grammar = {s.start: s for s in Suggestion.objects.filter(revision=processed, pass_name="grammar")}
    kept, moot = grammar[BODY.index("a adjacent")], grammar[BODY.rindex("a adjacent")]
    assert kept.status == "pending"
    assert moot.status == "stale" and moot.status_note == f"{SET_ASIDE} the duplicate pass deletes the text around it"
    assert Suggestion.objects.get(revision=processed, pass_name="duplicate").status == "pending"
    assert AuditEvent.objects.filter(action="suggestions.settled", article_id=processed.article_id).count() == 1


def test_no_pending_suggestion_touches_the_misdecoded_name(processed) -> None:  # type: ignore[no-untyped-def]
    start = BODY.index("Mehmet ") + len("Mehmet ")
    word_end = BODY.index(" ", start)
    pending = Suggestion.objects.filter(revision=processed, status="pending")
    assert [s.replacement for s in pending if s.start < word_end and start < s.end] == ["ğ"]


def test_a_set_aside_suggestion_comes_back_when_what_made_it_moot_is_withdrawn(processed) -> None:  # type: ignore[no-untyped-def]
    Suggestion.objects.filter(revision=processed, pass_name="duplicate").update(
        status="stale", status_note="withdrawn: the story's copies no longer support it")
    assert pipeline.settle(processed) == 1
    moot = Suggestion.objects.get(revision=processed, pass_name="grammar", start=BODY.rindex("a adjacent"))
    assert (moot.status, moot.status_note) == ("pending", "")


def test_settling_twice_changes_nothing_the_second_time(processed) -> None:  # type: ignore[no-untyped-def]
    before = sorted(Suggestion.objects.filter(revision=processed).values_list("pk", "status", "status_note"))
    assert pipeline.settle(processed) == 0
    assert sorted(Suggestion.objects.filter(revision=processed).values_list("pk", "status", "status_note")) == before


def test_rejecting_what_set_a_suggestion_aside_brings_it_back(processed) -> None:  # type: ignore[no-untyped-def]
    editor = UserFactory(username="edna", roles=["editor"])
    moot = Suggestion.objects.get(revision=processed, pass_name="grammar", start=BODY.rindex("a adjacent"))
    duplicate = Suggestion.objects.get(revision=processed, pass_name="duplicate")
    assert moot.status == "stale"

    # The editor keeps the repeated sentence: the fix inside it is the editor's to decide again.
    outcome = review.reject_suggestion(suggestion_id=duplicate.pk, seen_revision=processed.number, actor=editor)

    moot.refresh_from_db()
    assert (moot.status, moot.status_note) == ("pending", "")
    assert "1 suggestion it had set aside back" in outcome.message
    assert AuditEvent.objects.filter(action="suggestions.settled", article_id=processed.article_id).count() == 2
    # Accepting it now works like any pending suggestion.
    review.accept_suggestion(suggestion_id=moot.pk, seen_revision=processed.number, actor=editor)
    fixed = Revision.objects.get(article_id=processed.article_id, number=processed.number + 1)
    assert fixed.text.count("an adjacent") == 1 and fixed.text.count("a adjacent") == 1


def test_undoing_the_rejection_sets_the_suggestion_aside_again(processed) -> None:  # type: ignore[no-untyped-def]
    editor = UserFactory(username="edna", roles=["editor"])
    duplicate = Suggestion.objects.get(revision=processed, pass_name="duplicate")
    review.reject_suggestion(suggestion_id=duplicate.pk, seen_revision=processed.number, actor=editor)

    outcome = review.undo_last_decision(article_id=processed.article_id, seen_revision=processed.number, actor=editor)

    moot = Suggestion.objects.get(revision=processed, pass_name="grammar", start=BODY.rindex("a adjacent"))
    assert Suggestion.objects.get(pk=duplicate.pk).status == "pending"
    assert moot.status == "stale" and moot.status_note.startswith(SET_ASIDE)
    assert "1 suggestion set aside again" in outcome.message


def test_rejecting_the_whole_group_brings_back_what_it_set_aside(processed) -> None:  # type: ignore[no-untyped-def]
    editor = UserFactory(username="edna", roles=["editor"])
    duplicate = Suggestion.objects.get(revision=processed, pass_name="duplicate")
    groups.reject_group(suggestion_id=duplicate.pk, seen_revision=processed.number, actor=editor)
    moot = Suggestion.objects.get(revision=processed, pass_name="grammar", start=BODY.rindex("a adjacent"))
    assert moot.status == "pending"
