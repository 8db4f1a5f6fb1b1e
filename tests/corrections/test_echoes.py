"""Consensus counts independent voices: near-identical copies printed by several outlets count
once (corrections.echoes marks them from the MinHash signatures the story clustering keeps)."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.stories import estimate_similarity, join_story, story_signature
from articles.tokens import create_api_token
from corrections import pipeline, starter_data
from corrections.echoes import mark_echoes
from corrections.models import PipelineJob, Suggestion
from corrections.passes import entities
from corrections.passes.base import GazetteerSnapshot, PassContext, SiblingText
from tests.articles.helpers import ingest

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
GARBLED = SEEDS[0].read_text(encoding="utf-8")  # the machine-translated copy with mangled names
OTHERS = {f"outlet-{k}": SEEDS[k].read_text(encoding="utf-8") for k in (1, 2, 3, 4)}


def context_for(text: str, copies: dict[str, str], gazetteer: GazetteerSnapshot) -> PassContext:
    siblings = [(SiblingText(article_id=k, source=source, text=t), story_signature(t))
                for k, (source, t) in enumerate(copies.items(), start=1)]
    marked = mark_echoes(text, story_signature(text), siblings, estimate_similarity)
    return PassContext(source="this-outlet", gazetteer=gazetteer, siblings=marked,
                       style_rules=starter_data.load_style_rules())


def fixes(text: str, context: PassContext) -> list[tuple[str, str]]:
    return sorted((s.original, s.replacement) for s in entities.run(text, context))


def test_identical_copies_are_marked_as_echoes_and_rewrites_are_not() -> None:
    context = context_for(GARBLED, {"echo-outlet": GARBLED, "second-echo": GARBLED, **OTHERS}, GazetteerSnapshot())
    marked = {s.source: s for s in context.siblings}
    assert marked["echo-outlet"].is_echo and marked["second-echo"].is_echo
    assert marked["echo-outlet"].echo_group == marked["second-echo"].echo_group != ""
    assert all(not marked[o].is_echo and marked[o].echo_group == "" for o in OTHERS)


def test_an_echo_of_this_copy_does_not_vouch_for_its_garbled_forms() -> None:
    # given the garbled seed printed by a second outlet, beside the real other outlets
    alone = fixes(GARBLED, context_for(GARBLED, OTHERS, starter_data.load_gazetteer()))
    echoed = fixes(GARBLED, context_for(GARBLED, {"echo-outlet": GARBLED, **OTHERS}, starter_data.load_gazetteer()))
    # then 'Zelanceci' and every 'Zelansky' are flagged as they are without the echo
    assert ("Zelanceci", "Zelensky") in echoed
    assert echoed.count(("Zelansky", "Zelensky")) == alone.count(("Zelansky", "Zelensky")) == 4
    assert echoed == alone


def test_two_echoes_and_one_independent_copy_still_yield_the_corrections() -> None:
    context = context_for(GARBLED, {"echo-outlet": GARBLED, "outlet-2": OTHERS["outlet-2"]},
                          starter_data.load_gazetteer())
    found = {(s.original, s.replacement): s for s in entities.run(GARBLED, context)}
    assert {("Zelanski", "Zelensky"), ("Lavarov", "Lavrov"), ("Radkin", "Radakin")} <= set(found)
    explained = [s.explanation for s in found.values() if "independent" in s.explanation]
    assert explained and all("1 of 1 independent copy (1 outlet; 1 more prints this copy's text)" in e
                             for e in explained)


def test_a_garbled_form_printed_by_echoes_of_one_feed_loses_to_independent_copies() -> None:
    # given a correct copy, three outlets printing one garbled feed and two independent correct copies
    correct = OTHERS["outlet-1"]
    copies = {"feed-a": GARBLED, "feed-b": GARBLED, "feed-c": GARBLED,
              "outlet-2": OTHERS["outlet-2"], "outlet-3": OTHERS["outlet-3"]}
    # then the garbled feed is one voice against two, and the correct copy is left alone
    assert fixes(correct, context_for(correct, copies, GazetteerSnapshot())) == []
    # while counting outlets, the garbled forms would have outvoted the correct ones
    flat = PassContext(source="this-outlet", siblings=tuple(
        SiblingText(article_id=k, source=s, text=t) for k, (s, t) in enumerate(copies.items(), start=1)))
    assert ("Radakin", "Radkin") in fixes(correct, flat)


def test_the_garbled_copy_explains_with_independent_copies() -> None:
    context = context_for(GARBLED, {"feed-b": GARBLED, "feed-c": GARBLED, **OTHERS}, GazetteerSnapshot())
    explanations = [s.explanation for s in entities.run(GARBLED, context) if s.original == "Radkin"]
    assert explanations == [
        explanations[0]
    ] and "4 independent copies (4 outlets; 2 more print this copy's text)" in explanations[0]


@pytest.mark.django_db
def test_the_pipeline_marks_an_echo_from_the_stored_signatures() -> None:
    client = create_api_token("echo-tests")[0]
    for k, (source, text) in enumerate(OTHERS.items()):
        join_story(ingest(client, source=source, external_id=f"o-{k}", body=text).article.pk)  # their jobs ran
    join_story(ingest(client, source="echo-outlet", external_id="e-1", body=GARBLED).article.pk)
    outcome = ingest(client, source="this-outlet", external_id="g-1", body=GARBLED)
    join_story(outcome.article.pk)  # the first step of its job
    outcome.article.refresh_from_db()
    siblings = {s.source: s for s in pipeline.sibling_texts(outcome.article)}
    assert siblings["echo-outlet"].is_echo
    assert not any(siblings[o].is_echo for o in OTHERS if o in siblings)
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    pending = set(Suggestion.objects.filter(revision=outcome.revision, pass_name="entities", status="pending")
                  .values_list("original", "replacement"))
    assert {("Zelanceci", "Zelensky"), ("Zelansky", "Zelensky")} <= pending


def test_an_echo_of_this_copy_still_speaks_where_it_prints_another_form() -> None:
    # given an outlet printing the same feed with one name put right, and one independent copy
    fixed = GARBLED.replace("Radkin", "Radakin")
    context = context_for(GARBLED, {"echo-outlet": fixed, "outlet-4": OTHERS["outlet-4"]}, GazetteerSnapshot())
    assert [s.is_echo for s in context.siblings] == [True, False]
    # then where the echo differs it is one more voice; where it agrees it vouches for nothing
    found = {(s.original, s.replacement): s.explanation for s in entities.run(GARBLED, context)}
    assert found[("Radkin", "Radakin")].startswith("2 of 2 other outlets in this story write 'Radakin'")


def test_the_spelling_pass_hears_an_echo_only_where_it_writes_another_word() -> None:
    from corrections.passes import spelling

    text = GARBLED.replace("welcomed seven", "welcomd seven")
    differing = context_for(text, {"echo-outlet": GARBLED}, GazetteerSnapshot())
    identical = context_for(text, {"echo-outlet": text}, GazetteerSnapshot())
    assert differing.siblings[0].is_echo and identical.siblings[0].is_echo
    assert ("welcomd", "welcomed") in {(s.original, s.replacement) for s in spelling.run(text, differing)}
    assert "welcomd" not in {s.original for s in spelling.run(text, identical)}
