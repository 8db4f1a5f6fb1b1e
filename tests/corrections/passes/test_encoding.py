import pytest

from corrections.passes import encoding
from corrections.passes.base import EMPTY_CONTEXT, PassContext, apply_suggestions


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.replacement) for s in encoding.run(text, EMPTY_CONTEXT)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Itâ€™s here", [(2, 5, "’")]),
        ("CafÃ© opens", [(3, 5, "é")]),
        ("He said â€œyesâ€\x9d.", [(8, 11, "“"), (14, 17, "”")]),
        # The last byte of '”' dropped in transit: 'â€' alone closes the quote.
        ("He said â€œyesâ€ and left", [(8, 11, "“"), (14, 16, "”")]),
        ("The Â£5 fee", [(4, 6, "£")]),
        ("Double: CafÃƒÂ©", [(11, 15, "é")]),
        ("ErdoÃ„Å¸an spoke", [(4, 8, "ğ")]),
        # Mojibake beside correct characters that Windows-1252 cannot hold.
        ("PaweÅ‚ of Gdańsk", [(4, 6, "ł")]),
        ("AT&amp;T", [(2, 7, "&")]),
        ("\x93Quoted\x94", [(0, 1, "“"), (7, 8, "”")]),
        # A lone 'Â' is what remains of a mangled no-break space.
        ("negotiate.Â\nHowever", [(10, 11, "")]),
        ("costs 5Â km", [(7, 8, "")]),
        ("isÂ\xa0a", [(2, 3, "")]),
        ("CRLF line\r\nCafÃ©\r\n", [(14, 16, "é")]),
    ],
)
def test_encoding_spans(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mahanâ€™s plan", [(5, 8)]),
        ("IndiaÂ is large", [(5, 6)]),
        ("CafÃ© and Itâ€™s", [(3, 5), (12, 15)]),
        ("Zürich and “quotes” are fine", []),
    ],
)
def test_mojibake_spans_are_where_repairs_go(text: str, expected: list[tuple[int, int]]) -> None:
    assert encoding.mojibake_spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII text, nothing to do.",
        "Zürich, São Paulo, Kraków and Łódź — “quoted” and ‘single’ … fine.",
        "Président Macron’s café in Besançon",
        "A France- and UK-led coalition at 10\xa0km",
        "ÂGE is a word in capitals; Âmes too.",
        "Straße” and CAFÉ” PELÉ’s",
        "Bremer/Mccoy – DrÃ¥ber",  # ambiguous, so ftfy leaves it and so do we
        "emoji 👩\u200d👩\u200d👧 and Persian می\u200cخواهم",
        "x \u200dA pesar",  # a joiner beside a space is harmless
    ],
)
def test_clean_text_gets_no_suggestions(text: str) -> None:
    assert encoding.run(text, EMPTY_CONTEXT) == []


@pytest.mark.parametrize(
    ("text", "intended"),
    [
        ("Moscowâ€™s war on Kievâ€™s â€œallies\u200bâ€\x9d.", "Moscow’s war on Kiev’s “allies”."),
        ("naÃ¯ve Ã©tÃ© Â« salut Â»", "naïve été « salut »"),
        ("Line one.Â\r\nLine two\u202e.", "Line one.\r\nLine two."),
    ],
)
def test_applying_all_suggestions_gives_intended_text(text: str, intended: str) -> None:
    assert apply_suggestions(text, encoding.run(text, EMPTY_CONTEXT)) == intended


def test_explanation_names_the_damage() -> None:
    (found,) = encoding.run("Itâ€™s", EMPTY_CONTEXT)
    assert found.kind == "encoding"
    assert found.explanation == (
        "'â€™' is a curly apostrophe that was decoded as Windows-1252: restore '’'."
    )


@pytest.mark.parametrize(
    ("text", "span", "name"),
    [
        ("abc\u202edef", (3, 4), "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("zero\u200bwidth", (4, 5), "U+200B ZERO WIDTH SPACE"),
        ("mid\ufefftext", (3, 4), "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("bell\x07", (4, 5), "U+0007 CONTROL CHARACTER"),
        ("pass\u200dword", (4, 5), "U+200D ZERO WIDTH JOINER"),
    ],
)
def test_invisible_characters_are_flagged(text: str, span: tuple[int, int], name: str) -> None:
    (found,) = encoding.run(text, EMPTY_CONTEXT)
    assert (found.start, found.end, found.replacement, found.kind) == (*span, "", "invisible")
    assert name in found.explanation
    assert 0.3 <= found.confidence <= 0.75


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("clean text", 0),
        ("a\u202eb\u200b\u200bc", 3),
        ("emoji 👩\u200d👧", 0),
        ("form\x0cfeed", 1),
    ],
)
def test_count_invisible(text: str, count: int) -> None:
    assert encoding.count_invisible(text) == count


def test_suppressed_pairs_are_not_proposed_again() -> None:
    context = PassContext(suppressed=frozenset({("â€™", "’")}))
    assert [s.original for s in encoding.run("Itâ€™s CafÃ©", context)] == ["Ã©"]
