"""House style: rule scope (whole words, case, quotations, exceptions) and the seeded rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrections import starter_data
from corrections.passes import house_style
from corrections.passes.base import PassContext, StyleRule, apply_suggestions, drop_overlaps

KIEV = StyleRule(id=1, pattern="Kiev", replacement="Kyiv", exceptions=("Chicken Kiev",))
ODESSA = StyleRule(id=2, pattern="Odessa", replacement="Odesa", exceptions=("Odessa, Texas",))
CAREFUL = StyleRule(id=3, pattern="per cent", replacement="percent", is_case_sensitive=False)
CONTEXT = PassContext(style_rules=(KIEV, ODESSA, CAREFUL))


def spans(text: str, context: PassContext = CONTEXT) -> list[tuple[str, str]]:
    return [(s.original, s.replacement) for s in house_style.run(text, context)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks in Kiev resumed.", [("Kiev", "Kyiv")]),
        ("Kiev's mayor spoke.", [("Kiev", "Kyiv")]),
        ("A Kiev-based analyst said so.", [("Kiev", "Kyiv")]),
        ("KIEV: the capital woke to sirens.", [("KIEV", "KYIV")]),
        ("Prices rose 5 Per Cent, or 6 per cent.", [("Per Cent", "Percent"), ("per cent", "percent")]),
        ("The Kievan Rus was a medieval state.", []),
        ("He lives in Kyiv.", []),
        ("kiev in lower case is not the rule's pattern.", []),
    ],
)
def test_rule_matches_whole_words_in_their_case(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "He called it “the Kiev regime” on television.",
        'He called it "the Kiev regime" on television.',
        "She wrote ‘Letters from Kiev’, a memoir.",
        "See https://example.com/Kiev/news for more.",
        "Write to Kiev@example.org today.",
    ],
)
def test_quotations_titles_and_addresses_are_left_alone(text: str) -> None:
    assert spans(text) == []


def test_apostrophe_inside_a_quotation_does_not_end_it() -> None:
    text = "He said ‘Kiev’s leaders can’t win’ and Kiev answered."
    found = house_style.run(text, CONTEXT)
    assert [s.start for s in found] == [text.rindex("Kiev")]


def test_unbalanced_quote_does_not_swallow_the_next_paragraph() -> None:
    text = "He said “we will see.\nKiev replied on Monday."
    assert spans(text) == [("Kiev", "Kyiv")]


def test_exception_phrase_keeps_the_pattern() -> None:
    assert spans("The café serves Chicken Kiev.") == []


def test_exception_phrase_marks_the_whole_text_as_that_sense() -> None:
    text = "A shooting in Odessa, Texas, left seven dead. Police in Odessa said the gunman was killed."
    assert spans(text) == []


def test_suppressed_pair_is_not_proposed_again() -> None:
    context = PassContext(style_rules=(KIEV,), suppressed=frozenset({("Kiev", "Kyiv")}))
    assert spans("Talks in Kiev resumed.", context) == []


def test_explanation_names_the_rule() -> None:
    (found,) = house_style.run("Talks in Kiev.", CONTEXT)
    assert found.explanation == "House style: 'Kyiv', not 'Kiev' (rule 1)."
    assert found.kind == "style"
    assert found.confidence > 0.9


def test_applying_all_suggestions_gives_house_style() -> None:
    text = "Kiev's talks: “Kiev will fall,” he said, but Kiev held. KIEV, Monday."
    result = apply_suggestions(text, house_style.run(text, CONTEXT))
    assert result == "Kyiv's talks: “Kiev will fall,” he said, but Kyiv held. KYIV, Monday."


def test_no_rules_no_suggestions() -> None:
    assert house_style.run("Talks in Kiev.", PassContext()) == []


def test_seeded_rules_load_with_kiev_first() -> None:
    rules = starter_data.load_style_rules()
    assert (rules[0].pattern, rules[0].replacement) == ("Kiev", "Kyiv")
    assert "Chicken Kiev" in rules[0].exceptions


def test_seeded_rules_leave_clean_prose_alone() -> None:
    context = PassContext(style_rules=starter_data.load_style_rules())
    text = (
        "The Kremlin played down expectations of imminent talks. Officials in Kyiv, Kharkiv, "
        "Odesa and Lviv said the Donbas front was quiet, according to the BBC and Gazeta Express."
    )
    assert house_style.run(text, context) == []


FRAGMENTS = st.sampled_from(
    [
        "Kiev", "KIEV", "Kiev's", "“", "”", '"', "‘", "’", "Chicken Kiev", "per cent", "Per Cent",
        " ", "\n", "\r\n", "\u00a0", "e\u0301", "𝒳", "😀", "https://x.org/Kiev", "Odessa", ", Texas",
        "-based", ".", "a@b.com",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(FRAGMENTS, max_size=40).map("".join)))
def test_suggestions_are_well_formed_for_any_text(text: str) -> None:
    found = house_style.run(text, CONTEXT)
    assert all(text[s.start : s.end] == s.original for s in found)
    assert drop_overlaps(found) == found
    apply_suggestions(text, found)
