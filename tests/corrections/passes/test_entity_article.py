"""Consistency within one copy: a name the copy spells one way at least twice draws its near
variants, never across two people and never a real name into another."""

from __future__ import annotations

import pytest

from corrections import starter_data
from corrections.passes import entities
from corrections.passes.base import GazetteerSnapshot, PassContext, apply_suggestions

KOWALCZYK = (
    "Maria Kowalczyk, the mayor of the town, opened the bridge on Monday. "
    "Kowalcik said the project had taken four years.\n\n"
    "Critics of Kovalchyk argued that the cost had doubled. "
    "Maria Kowalczyk rejected the claim.\n\n"
    "Asked about the delays, Kowalzcyk blamed the weather."
)
CONTEXTS = [PassContext(), PassContext(gazetteer=starter_data.load_gazetteer())]


def fixes(text: str, context: PassContext) -> list[tuple[str, str]]:
    return [(s.original, s.replacement) for s in entities.run(text, context)]


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_name_spelled_right_twice_draws_its_three_mangled_forms(context: PassContext) -> None:
    found = entities.run(KOWALCZYK, context)
    assert [(s.original, s.replacement) for s in found] == [
        ("Kowalcik", "Kowalczyk"), ("Kovalchyk", "Kowalczyk"), ("Kowalzcyk", "Kowalczyk")]
    assert all("'Kowalczyk' 2 times" in s.explanation for s in found)
    assert apply_suggestions(KOWALCZYK, found).count("Kowalczyk") == 5


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("text", [
    # two people who share a surname
    "Kim Jong Un met officials in Pyongyang on Monday. His sister Kim Yo Jong said the talks were "
    "useful.\n\nKim Jong Un later left. Kim Yo Jong stayed behind, and Kim Yo Jong spoke again.",
    # two people whose surnames are a letter apart: the first names say so
    "Maria Kowalczyk opened the bridge. Maria Kowalczyk spoke.\n\nHer rival Piotr Kowalcik disagreed.",
    # another real surname close in sound, not a slip
    "Maria Kowalczyk opened the bridge. Maria Kowalczyk spoke.\n\nAnna Kowalski disagreed.",
    # as often one way as the other: not ours to choose
    "Maria Kowalczyk spoke. Kowalcik agreed. Maria Kowalczyk left. Kowalcik stayed.",
])
def test_two_people_and_real_names_are_left_alone(text: str, context: PassContext) -> None:
    assert fixes(text, context) == []


def test_a_surname_the_copy_uses_once_draws_nothing_beyond_one_slip() -> None:
    text = "Maria Kowalczyk spoke. Later Kovalchyk left."
    assert fixes(text, PassContext(gazetteer=GazetteerSnapshot())) == []
