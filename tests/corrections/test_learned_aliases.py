"""Learned aliases and suppressions never hide a fix the passes would otherwise make beside them."""

from __future__ import annotations

import pytest

from articles.tokens import create_api_token
from corrections import pipeline, review
from corrections.models import Alias, Entity, PipelineJob, Suggestion
from corrections.passes import grammar
from corrections.passes.base import Entity as PassEntity
from corrections.passes.base import GazetteerSnapshot, PassContext
from tests.articles.helpers import ingest
from tests.factories import UserFactory

GARBLED = (
    "The Kremlin has spoken of a summit between Russian President Vladimir Putin and Volodimir "
    "Zelanski of Ukraine.\nZelanski said on Monday that talks were possible."
)


def pending(outcome) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    return set(Suggestion.objects.filter(revision=outcome.revision, status="pending")
               .values_list("original", "replacement"))


@pytest.mark.django_db
def test_after_learning_the_surname_a_fresh_copy_still_gets_the_first_name_fix() -> None:
    Entity.objects.create(name="Volodymyr Zelensky", type="person", description="President of Ukraine")
    Entity.objects.create(name="Vladimir Putin", type="person", description="President of Russia")
    client = create_api_token("alias-tests")[0]
    editor = UserFactory(username="ed", roles=["editor"])
    # given the first copy, whose full name gets both parts corrected
    first = ingest(client, source="outlet-a", external_id="a-1", body=GARBLED)
    assert {("Volodimir", "Volodymyr"), ("Zelanski", "Zelensky")} <= pending(first)
    # when an editor accepts "Zelanski → Zelensky", which the desk learns as a misspelling
    surname = Suggestion.objects.filter(revision=first.revision, original="Zelanski").order_by("start").first()
    assert surname is not None
    review.accept_suggestion(suggestion_id=surname.pk, seen_revision=1, actor=editor)
    assert Alias.objects.get(surface="Zelanski").kind == "misspelling"
    # then a fresh copy of the garbled text still gets the first name fixed beside the surname
    fresh = ingest(client, source="outlet-b", external_id="b-1", body=GARBLED)
    found = pending(fresh)
    assert ("Volodimir", "Volodymyr") in found
    assert ("Zelanski", "Zelensky") in found
    explanation = Suggestion.objects.get(revision=fresh.revision, original="Volodimir").explanation
    assert "Volodymyr Zelensky" in explanation


def test_a_suppressed_name_fix_does_not_hide_the_article_agreement() -> None:
    gazetteer = GazetteerSnapshot(version=3, entities=(PassEntity(id=1, name="Island Records", type="organisation"),))
    text = "She signed with a island Records label."
    assert [(s.original, s.replacement) for s in grammar.run(text, PassContext(gazetteer=gazetteer))] == [
        ("a island Records", "Island Records")]
    context = PassContext(gazetteer=gazetteer, suppressed=frozenset({("a island Records", "Island Records")}))
    assert [(s.original, s.replacement) for s in grammar.run(text, context)] == [("a island", "an island")]
