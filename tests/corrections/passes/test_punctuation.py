import pytest

from corrections.passes import punctuation
from corrections.passes.base import EMPTY_CONTEXT, apply_suggestions


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.replacement) for s in punctuation.run(text, EMPTY_CONTEXT)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A closing quote written as an opening one.
        ("not a meeting for a meeting “.", [(27, 29, "”")]),
        ("He said “hello“ and left.", [(14, 15, "”")]),
        # An opening quote written as a closing one.
        ("He said ”hello” and left.", [(8, 9, "“")]),
        ("France and UK -led coalition", [(13, 14, "")]),
        ("word , and another .", [(4, 5, ""), (18, 19, "")]),
    ],
)
def test_punctuation_spans(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A France- and UK-led “coalition of the willing” is working on it.",
        "Lavrov said the meeting must be prepared “gradually… starting with the expert level,”.",
        "He said: “We will see.” Then he left.",
        "Any meeting “slowly … will start”, he said.",
        "Smiley :) and www.example.com and .NET and 3 -2 in the final.",
        "(“Quoted”) and —“dashed”",
    ],
)
def test_clean_text_gets_no_suggestions(text: str) -> None:
    assert punctuation.run(text, EMPTY_CONTEXT) == []


def test_applying_all_suggestions_gives_intended_text() -> None:
    text = "He called it “a meeting for a meeting “. The UK -led force , he said, is ready."
    intended = "He called it “a meeting for a meeting”. The UK-led force, he said, is ready."
    assert apply_suggestions(text, punctuation.run(text, EMPTY_CONTEXT)) == intended


def test_confidence_is_low() -> None:
    assert all(s.confidence <= 0.5 for s in punctuation.run("UK -led “a“ , b", EMPTY_CONTEXT))
