import pytest

from corrections.passes import whitespace
from corrections.passes.base import EMPTY_CONTEXT, apply_suggestions


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.replacement) for s in whitespace.run(text, EMPTY_CONTEXT)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\n\nTwo.", []),
        ("One.\nTwo.", []),
        ("One.\n\n\nTwo.", [(6, 7, "")]),
        # Blank lines holding only no-break spaces are blank lines too.
        ("One.\n\n\xa0\n\n\nTwo.", [(6, 10, "")]),
        ("One.\n \nTwo.", [(5, 6, "")]),
        ("One.  \nTwo.", [(4, 6, "")]),
        ("One  two", [(4, 5, "")]),
        ("One \xa0two", [(4, 5, "")]),
        ("One\ttwo", [(3, 4, " ")]),
        ("One.\n   Two.", [(5, 8, "")]),
        ("\n\nTitle", [(0, 2, "")]),
        ("Text.\n\n\n", [(6, 8, "")]),
        # CRLF is not damage; a CRLF paragraph break keeps its style.
        ("One.\r\n\r\nTwo.\r\n", []),
        ("One.\r\n\r\n\r\nTwo.", [(8, 10, "")]),
        # Two spaces between sentences is a convention, not damage; more is.
        ("One.  Two.", []),
        ("“Yes.”  Then", []),
        ("One.   Two.", [(5, 7, "")]),
        ("e.g.  the", [(5, 6, "")]),
        # Single separators that belong in text.
        ("10\xa0km and 10\u202f000", []),
    ],
)
def test_whitespace_spans(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    ("text", "intended"),
    [
        (
            "Headline\n\n\xa0\n\n\nFirst  paragraph. \n\n\nSecond\tparagraph.\n \nThird.\n\n",
            "Headline\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird.\n",
        ),
        ("A\r\n\r\n\r\n\r\nB  \r\nC", "A\r\n\r\nB\r\nC"),
    ],
)
def test_applying_all_suggestions_gives_intended_text(text: str, intended: str) -> None:
    assert apply_suggestions(text, whitespace.run(text, EMPTY_CONTEXT)) == intended


def test_blank_line_run_explains_itself() -> None:
    (found,) = whitespace.run("One.\n\n\n\nTwo.", EMPTY_CONTEXT)
    assert found.kind == "whitespace"
    assert found.explanation == "3 blank lines between paragraphs: keep one."


@pytest.mark.parametrize(
    ("text", "doomed", "expected"),
    [
        # A line goes with the breaks before it...
        ("Body.\n\nChrome\n\nMore.", [1], ["\n\nChrome"]),
        ("Body.\nChrome", [1], ["\nChrome"]),
        # ...except at the top, where it goes with the breaks after it.
        ("Chrome\n\nBody.", [0], ["Chrome\n\n"]),
        ("One\n\nTwo\n\nBody.", [0, 1], ["One\n\n", "Two\n\n"]),
        ("Only", [0], ["Only"]),
    ],
)
def test_line_deletion_spans(text: str, doomed: list[int], expected: list[str]) -> None:
    lines = whitespace.split_lines(text)
    found = whitespace.line_deletion_spans(text, lines, doomed)
    assert [text[a:b] for a, b in (found[i] for i in doomed)] == expected
