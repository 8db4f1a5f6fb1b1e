"""Editors' decisions (corrections.review): each makes at most one new revision, never at shifted offsets,
and refuses a stale view."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from articles.models import AuditEvent, Revision
from articles.tokens import create_api_token
from corrections import pipeline, review
from corrections.models import Alias, Entity, PipelineJob, StyleRule, Suggestion, Suppression
from tests.articles.helpers import ingest
from tests.corrections.desk import article_with_text, current_revision, current_text, suggest
from tests.factories import UserFactory

TEXT = "Teh president of Ukriane met the the mayor in Kiev on Monday."


@pytest.fixture
def editor(db: None) -> object:
    return UserFactory(username="edna", roles=["editor"])


@pytest.fixture
def other_editor(db: None) -> object:
    return UserFactory(username="otto", roles=["editor"])


def test_accept_applies_change_as_new_revision_by_editor(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")

    outcome = review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    assert outcome.revision.number == 2
    assert outcome.revision.text == TEXT.replace("Teh", "The", 1)
    assert outcome.revision.created_by_user == editor
    s.refresh_from_db()
    assert (s.status, s.decided_by, s.result_revision_id) == ("accepted", editor, outcome.revision.pk)
    assert AuditEvent.objects.filter(action="suggestion.accepted", object_id=s.pk, actor_id=editor.pk).count() == 1


def test_accept_carries_untouched_pending_suggestions_to_new_revision(editor: object) -> None:
    article = article_with_text(TEXT)
    first = suggest(article, "Teh", "The")
    later = suggest(article, "Ukriane", "Ukraine")

    review.accept_suggestion(suggestion_id=first.pk, seen_revision=1, actor=editor)

    carried = Suggestion.objects.get(carried_from=later)
    revision = current_revision(article)
    assert carried.revision == revision and carried.status == "pending"
    assert revision.text[carried.start : carried.end] == "Ukriane"
    later.refresh_from_db()
    assert later.status == "stale"


def test_accept_marks_overlapping_suggestion_stale_not_shifted(editor: object) -> None:
    article = article_with_text(TEXT)
    word = suggest(article, "the the", "the")
    overlapping = suggest(article, "the mayor", "the Mayor", kind="style", occurrence=0)

    review.accept_suggestion(suggestion_id=word.pk, seen_revision=1, actor=editor)

    overlapping.refresh_from_db()
    assert overlapping.status == "stale"
    assert not Suggestion.objects.filter(carried_from=overlapping).exists()
    assert "met the mayor" in current_text(article)


def test_accept_on_stale_revision_is_refused_with_current_state(editor: object, other_editor: object) -> None:
    article = article_with_text(TEXT)
    a = suggest(article, "Teh", "The")
    b = suggest(article, "Ukriane", "Ukraine")
    review.accept_suggestion(suggestion_id=a.pk, seen_revision=1, actor=other_editor)

    with pytest.raises(review.StaleRevision) as caught:
        review.accept_suggestion(suggestion_id=b.pk, seen_revision=1, actor=editor)

    assert caught.value.current.revision == 2
    assert "otto" in caught.value.current.created_by
    assert current_revision(article).number == 2


def test_accept_of_decided_suggestion_is_refused(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")
    review.reject_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    with pytest.raises(review.AlreadyDecided):
        review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)
    assert current_revision(article).number == 1


def test_reject_keeps_revision_text_and_suppresses_pair(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")

    outcome = review.reject_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    assert outcome.revision.number == 1 and current_text(article) == TEXT
    suppression = Suppression.objects.get(original="Kiev", replacement="Kyiv")
    assert suppression.created_by == editor and suppression.suggestion_id == s.pk


def test_reject_of_layout_kind_suppresses_nothing(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "the the", "the", kind="duplicate")

    review.reject_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    assert not Suppression.objects.exists()


def test_edit_applies_editors_replacement_and_keeps_pass_proposal(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")

    review.edit_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor, replacement="Kyiv city")

    assert current_text(article) == TEXT.replace("Kiev", "Kyiv city")
    s.refresh_from_db()
    assert s.status == "accepted" and s.replacement == "Kyiv" and "Kyiv city" in s.status_note


def test_undo_accept_restores_text_and_reopens_suggestion(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")
    review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    outcome = review.undo_last_decision(article_id=article.pk, seen_revision=2, actor=editor)

    assert outcome.revision.number == 3 and outcome.revision.text == TEXT
    reopened = Suggestion.objects.get(revision=outcome.revision, status="pending", original="Teh")
    assert (reopened.start, reopened.replacement, reopened.carried_from_id) == (0, "The", s.pk)
    assert AuditEvent.objects.filter(action="suggestion.undone", object_id=s.pk).count() == 1


def test_undo_edited_accept_restores_original_text(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")
    review.edit_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor, replacement="the capital, Kyiv,")

    review.undo_last_decision(article_id=article.pk, seen_revision=2, actor=editor)

    assert current_text(article) == TEXT


def test_undo_twice_steps_back_two_decisions(editor: object) -> None:
    article = article_with_text(TEXT)
    a = suggest(article, "Teh", "The")
    b = suggest(article, "Ukriane", "Ukraine")
    review.accept_suggestion(suggestion_id=a.pk, seen_revision=1, actor=editor)
    b2 = Suggestion.objects.get(carried_from=b)
    review.accept_suggestion(suggestion_id=b2.pk, seen_revision=2, actor=editor)

    review.undo_last_decision(article_id=article.pk, seen_revision=3, actor=editor)
    assert current_text(article) == TEXT.replace("Teh", "The")
    review.undo_last_decision(article_id=article.pk, seen_revision=4, actor=editor)

    assert current_text(article) == TEXT
    assert Suggestion.objects.filter(revision=current_revision(article), status="pending").count() == 2


def test_undo_reject_makes_suggestion_pending_and_forgets_suppression(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")
    review.reject_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    review.undo_last_decision(article_id=article.pk, seen_revision=1, actor=editor)

    s.refresh_from_db()
    assert s.status == "pending" and s.decided_by is None
    assert not Suppression.objects.exists()


def test_undo_refuses_when_text_was_edited_over(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")
    review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)
    review.edit_text(article_id=article.pk, seen_revision=2, actor=editor, text=TEXT.replace("Teh", "A"))

    with pytest.raises(review.InvalidDecision):
        review.undo_last_decision(article_id=article.pk, seen_revision=3, actor=editor)
    assert current_revision(article).number == 3


def test_undo_with_nothing_decided_is_refused(editor: object) -> None:
    article = article_with_text(TEXT)
    with pytest.raises(review.InvalidDecision):
        review.undo_last_decision(article_id=article.pk, seen_revision=1, actor=editor)


def test_accept_all_of_kind_makes_one_revision(editor: object) -> None:
    article = article_with_text(TEXT)
    suggest(article, "Teh", "The")
    suggest(article, "Ukriane", "Ukraine")
    style = suggest(article, "Kiev", "Kyiv", kind="style")

    outcome = review.accept_all(article_id=article.pk, seen_revision=1, actor=editor, kind="spelling")

    assert outcome.revision.number == 2 and len(outcome.suggestions) == 2
    assert current_text(article) == TEXT.replace("Teh", "The").replace("Ukriane", "Ukraine")
    assert Suggestion.objects.get(carried_from=style).status == "pending"


def test_accept_all_above_confidence_keeps_more_confident_of_clash(editor: object) -> None:
    article = article_with_text(TEXT)
    strong = suggest(article, "the the", "the", confidence=0.95)
    weak = suggest(article, "the mayor", "the Mayor", confidence=0.9, kind="style")
    low = suggest(article, "Teh", "The", confidence=0.3)

    review.accept_all(article_id=article.pk, seen_revision=1, actor=editor, min_confidence=0.8)

    statuses = {s.pk: s.status for s in Suggestion.objects.filter(pk__in=[strong.pk, weak.pk, low.pk])}
    assert statuses == {strong.pk: "accepted", weak.pk: "stale", low.pk: "stale"}
    assert Suggestion.objects.get(carried_from=low).status == "pending"


def test_undo_after_accept_all_undoes_whole_batch(editor: object) -> None:
    article = article_with_text(TEXT)
    suggest(article, "Teh", "The")
    suggest(article, "Ukriane", "Ukraine")
    review.accept_all(article_id=article.pk, seen_revision=1, actor=editor, kind="spelling")

    review.undo_last_decision(article_id=article.pk, seen_revision=2, actor=editor)

    assert current_text(article) == TEXT
    assert Suggestion.objects.filter(revision=current_revision(article), status="pending").count() == 2


def test_edit_text_carries_over_untouched_suggestions(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")
    edited = TEXT.replace("Teh president", "The President")

    outcome = review.edit_text(article_id=article.pk, seen_revision=1, actor=editor, text=edited, reason="caps")

    assert outcome.revision.text == edited and outcome.revision.reason == "caps"
    carried = Suggestion.objects.get(carried_from=s)
    assert edited[carried.start : carried.end] == "Kiev"


def test_edit_text_on_stale_revision_keeps_the_losing_edit(editor: object, other_editor: object) -> None:
    article = article_with_text(TEXT)
    review.edit_text(article_id=article.pk, seen_revision=1, actor=other_editor, text=TEXT + " First.")

    with pytest.raises(review.StaleRevision) as caught:
        review.edit_text(article_id=article.pk, seen_revision=1, actor=editor, text=TEXT + " Second.")

    assert caught.value.proposed_text == TEXT + " Second."
    assert current_text(article) == TEXT + " First."


def test_edit_text_unchanged_is_refused(editor: object) -> None:
    article = article_with_text(TEXT)
    with pytest.raises(review.InvalidDecision):
        review.edit_text(article_id=article.pk, seen_revision=1, actor=editor, text=TEXT)


def test_revert_makes_new_revision_with_old_text(editor: object) -> None:
    article = article_with_text(TEXT)
    review.edit_text(article_id=article.pk, seen_revision=1, actor=editor, text="Something else.")

    outcome = review.revert_to_revision(article_id=article.pk, seen_revision=2, actor=editor, number=1)

    assert outcome.revision.number == 3 and outcome.revision.text == TEXT
    assert outcome.revision.reason == "reverted to revision 1"
    assert Revision.objects.get(article=article, number=2).text == "Something else."


def test_accepted_name_correction_is_learned_as_misspelling_alias(editor: object) -> None:
    entity = Entity.objects.create(name="Ukraine", type="place")
    article = article_with_text(TEXT)
    s = suggest(article, "Ukriane", "Ukraine", kind="entity")

    review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    alias = Alias.objects.get(entity=entity, surface="Ukriane")
    assert (alias.kind, alias.origin, alias.created_by) == ("misspelling", "learned", editor)


def test_undoing_accepted_name_forgets_learned_alias(editor: object) -> None:
    Entity.objects.create(name="Ukraine", type="place")
    article = article_with_text(TEXT)
    s = suggest(article, "Ukriane", "Ukraine", kind="entity")
    review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    review.undo_last_decision(article_id=article.pk, seen_revision=2, actor=editor)

    assert not Alias.objects.filter(surface="Ukriane").exists()


def test_accepting_known_name_as_another_learns_nothing(editor: object) -> None:
    Entity.objects.create(name="George", type="person")
    Entity.objects.create(name="Georgia", type="place")
    article = article_with_text("Georgia said so.")
    s = suggest(article, "Georgia", "George", kind="entity")

    review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    assert not Alias.objects.exists()


def test_always_correct_name_adds_editor_alias(editor: object) -> None:
    entity = Entity.objects.create(name="Ukraine", type="place")
    article = article_with_text(TEXT)
    s = suggest(article, "Ukriane", "Ukraine", kind="entity")

    review.always_correct(suggestion_id=s.pk, seen_revision=1, actor=editor)

    alias = Alias.objects.get(entity=entity, surface="Ukriane")
    assert (alias.origin, alias.created_by) == ("editor", editor)
    s.refresh_from_db()
    assert s.status == "pending"


def test_always_correct_other_pair_adds_style_rule(editor: object) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Kiev", "Kyiv", kind="style")

    review.always_correct(suggestion_id=s.pk, seen_revision=1, actor=editor)

    rule = StyleRule.objects.get(pattern="Kiev")
    assert (rule.replacement, rule.created_by) == ("Kyiv", editor)
    with pytest.raises(review.InvalidDecision):
        review.always_correct(suggestion_id=s.pk, seen_revision=1, actor=editor)


# --- concurrency: real transactions on real connections ---------------------------------------


def _race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions at the same moment in threads (each on its own connection)."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except Exception as ex:  # noqa: BLE001 - the outcome is the result
            results[i] = ex
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_editors_accepting_at_once_never_lose_an_update() -> None:
    edna = UserFactory(username="edna", roles=["editor"])
    otto = UserFactory(username="otto", roles=["editor"])
    article = article_with_text(TEXT)
    a = suggest(article, "Teh", "The")
    b = suggest(article, "Ukriane", "Ukraine")

    results = _race(
        lambda: review.accept_suggestion(suggestion_id=a.pk, seen_revision=1, actor=edna),
        lambda: review.accept_suggestion(suggestion_id=b.pk, seen_revision=1, actor=otto),
    )

    wins = [r for r in results if isinstance(r, review.Outcome)]
    losses = [r for r in results if isinstance(r, review.StaleRevision)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert current_revision(article).number == 2
    winner = wins[0].suggestions[0]
    assert current_text(article) == TEXT.replace(winner.original, winner.replacement)
    # The loser's suggestion is still there to decide, on the new revision.
    loser = b if winner.pk == a.pk else a
    assert Suggestion.objects.get(carried_from=loser).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_of_one_suggestion_apply_once() -> None:
    edna = UserFactory(username="edna", roles=["editor"])
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")

    results = _race(*[lambda: review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=edna)] * 20)

    assert sum(isinstance(r, review.Outcome) for r in results) == 1
    assert all(isinstance(r, review.Outcome | review.StaleRevision | review.AlreadyDecided) for r in results)
    assert current_text(article) == TEXT.replace("Teh", "The")
    assert AuditEvent.objects.filter(action="suggestion.accepted", object_id=s.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_accept_and_reject_race_has_one_winner() -> None:
    edna = UserFactory(username="edna", roles=["editor"])
    otto = UserFactory(username="otto", roles=["editor"])
    article = article_with_text(TEXT)
    s = suggest(article, "Teh", "The")

    results = _race(
        lambda: review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=edna),
        lambda: review.reject_suggestion(suggestion_id=s.pk, seen_revision=1, actor=otto),
    )

    assert sum(isinstance(r, review.Outcome) for r in results) == 1
    s.refresh_from_db()
    decided = AuditEvent.objects.filter(object_id=s.pk, action__in=["suggestion.accepted", "suggestion.rejected"])
    assert decided.count() == 1 and decided.get().action == f"suggestion.{s.status}"


def test_accepted_surname_correction_is_learned_for_the_full_name(editor: object) -> None:
    entity = Entity.objects.create(name="Volodymyr Zelensky", type="person")
    article = article_with_text("Zelanski spoke.")
    s = suggest(article, "Zelanski", "Zelensky", kind="entity")

    review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    assert Alias.objects.get(surface="Zelanski").entity == entity


def test_an_edited_acceptance_records_what_was_applied(db: None) -> None:
    StyleRule.objects.create(pattern="Kiev", replacement="Kyiv")
    outcome = ingest(create_api_token("edited")[0], body="The mayor of Kiev spoke.", external_id="edited")
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    kiev = Suggestion.objects.get(revision=outcome.revision, original="Kiev")
    result = review.edit_suggestion(suggestion_id=kiev.pk, seen_revision=1, actor=UserFactory(roles=["editor"]),
                                    replacement="Kyiv (Kiev)")
    kiev.refresh_from_db()
    assert (kiev.status, kiev.replacement, kiev.applied_replacement) == ("accepted", "Kyiv", "Kyiv (Kiev)")
    assert result.revision.text == "The mayor of Kyiv (Kiev) spoke."
