"""Capitals of multi-word proper names come back when something says the phrase is a name."""

from __future__ import annotations

import pytest

from corrections.passes import capitals
from corrections.passes.base import (
    Entity,
    GazetteerSnapshot,
    PassContext,
    SiblingText,
    apply_suggestions,
)

GAZETTEER = GazetteerSnapshot(
    version=11,
    entities=(
        Entity(id=1, name="United Nations", type="organisation", description="the world body"),
        Entity(id=2, name="European Union", type="organisation"),
        Entity(id=3, name="Downing Street", type="organisation"),
        Entity(id=4, name="Ukraine", type="place"),
    ),
)
WITH_NAMES = PassContext(gazetteer=GAZETTEER)


def fixes(text: str, context: PassContext = WITH_NAMES) -> list[tuple[str, str]]:
    return [(s.original, s.replacement) for s in capitals.run(text, context)]


def siblings(*texts: str) -> tuple[SiblingText, ...]:
    return tuple(SiblingText(article_id=k, source=f"outlet-{k}", text=t) for k, t in enumerate(texts))


def test_the_united_nations_gets_its_capitals_back_with_evidence() -> None:
    text = "Officials at the united Nations met on Monday."
    (s,) = capitals.run(text, WITH_NAMES)
    assert (s.original, s.replacement, s.kind) == ("united", "United", "entity")
    assert s.evidence == ("gazetteer: United Nations",)
    assert "'United Nations' is a name" in s.explanation
    assert apply_suggestions(text, [s]) == "Officials at the United Nations met on Monday."


@pytest.mark.parametrize(("text", "expected"), [
    ("Talks with the european Union resumed.", [("european", "European")]),
    ("Envoys of the united Kingdom and the united States left.", [("united", "United"), ("united", "United")]),
    ("The bosnia and Herzegovina squad arrived.", [("bosnia", "Bosnia")]),
])
def test_gazetteer_and_country_names_get_their_capitals(text: str, expected: list[tuple[str, str]]) -> None:
    assert fixes(text) == expected


@pytest.mark.parametrize("text", [
    "They formed the united front against the plan.",  # an ordinary phrase
    "Members of the labour party met.",  # all in small letters: ordinary English
    "The united nations of the world agreed.",  # idem
    "The Labour Party met. Later the labour party said no.",  # no capital in the phrase
    "Rain fell across south Africa.",  # the south of Africa, perhaps
    "Shelling hit eastern Ukraine again.",  # a modifier before a name that stands alone
    "Talks with the Russian president and the foreign minister ended.",  # titles: house style
    "A spokesperson for a downing Street office spoke.",  # after "a": the grammar pass's
    "Britain voted on whether to remain in the European union.",  # writers differ on the last word
    "United nations officials left.",  # idem
    "The Labour Party met. Later the labour Party said no.\n\nThe British government agreed.",
])
def test_ordinary_phrases_and_uncertain_ones_are_left_alone(text: str) -> None:
    found = fixes(text)
    assert ("labour", "Labour") in found if "labour Party" in text else found == []
    assert all(original not in ("government", "president", "minister", "south", "eastern")
               for original, _ in found)


def test_the_rest_of_this_copy_settles_a_name_no_list_knows() -> None:
    text = "The Labour Party met on Monday. Later the labour Party said no."
    (s,) = capitals.run(text, PassContext())
    assert (s.original, s.replacement) == ("labour", "Labour")
    assert s.evidence == ("this copy: Labour Party ×1",)


def test_other_outlets_settle_a_name_each_counting_once() -> None:
    context = PassContext(siblings=siblings("Members of the Labour Party voted.", "So the Labour Party said.",
                                            "The Labour Party said. The Labour Party left."))
    (s,) = capitals.run("Later the labour Party said no.", context)
    assert s.evidence == ("3 of 3 other outlets print 'Labour Party'",)


def test_other_outlets_capitalising_a_head_noun_prove_nothing() -> None:
    context = PassContext(siblings=siblings("The British Government agreed.", "So the British Government said."))
    assert capitals.run("Later the British government said no.", context) == []


def test_a_heading_and_a_sentence_start_are_no_evidence() -> None:
    text = "Labour Party Wins Seat\n\nLater the labour Party said no. Labour Party officials agreed."
    assert capitals.run(text, PassContext()) == []


def test_a_suppressed_pair_is_not_proposed() -> None:
    context = PassContext(gazetteer=GAZETTEER, suppressed=frozenset({("united", "United")}))
    assert capitals.run("Officials at the united Nations met.", context) == []


def test_the_starter_gazetteer_knows_the_names_the_issue_names() -> None:
    from corrections import starter_data

    context = PassContext(gazetteer=starter_data.load_gazetteer())
    text = "Envoys of the united Nations and the european Union met."
    found = capitals.run(text, context)
    assert apply_suggestions(text, found) == "Envoys of the United Nations and the European Union met."
    assert [s.evidence for s in found] == [("gazetteer: United Nations",), ("gazetteer: European Union",)]
