"""Properties every cleanup pass keeps, whatever the text: suggestions anchored exactly to the
text, sorted and non-overlapping, applicable, and found in reasonable time."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrections import starter_data
from corrections.passes import boilerplate, duplicate, encoding, punctuation, whitespace
from corrections.passes.base import (
    BoilerplateProfile,
    EdgeLineStat,
    PassContext,
    PassModule,
    apply_suggestions,
    drop_overlaps,
)

PASSES = (encoding, whitespace, boilerplate, duplicate, punctuation)

CONTEXT = PassContext(
    title="Talks To Resume",
    boilerplate=BoilerplateProfile(
        recent_articles=10,
        edge_lines=(
            EdgeLineStat(line="the valley tribune", position="bottom", count=9),
            EdgeLineStat(line="talks to resume", position="top", count=8),
        ),
        patterns=starter_data.load_boilerplate_patterns(),
    ),
)

# Arbitrary characters, weighted towards the ones that break offset arithmetic: astral
# characters, combining marks, CR/LF, no-break and other spaces, controls, bidi marks.
AWKWARD = st.sampled_from(
    ["\r\n", "\n", "\r", "\xa0", " ", "\t", "\u200b", "\u202e", "\ufeff", "\x00", "\x85", "\u2028",
     "e\u0301", "\u0301", "😀", "👩\u200d👧", "𝔸", "Â", "Ã", "©", "’", "“", "”", "-", ".", ",", "&"]
)
ARBITRARY = st.lists(st.one_of(st.characters(), AWKWARD), max_size=80).map("".join)

# Realistic fragments of damaged copy, so that the passes' interesting branches run.
FRAGMENTS = st.sampled_from(
    [
        "The minister said on Monday that talks would resume. ", "Itâ€™s ", "CafÃ© ", "Â ",
        "â€œquotedâ€ ", "â€\x9d", "Ã©tÃ© ", "ErdoÃ„Å¸an ", "&amp; ", "\x93", "naïve ",
        "\n", "\n\n", "\n\n\n", "\n\xa0\n", "\r\n", "\r\n\r\n\r\n", "  ", "\t", " \xa0",
        "Advertisement", "Post a Comment (0)", "Read more: Another story", "The Valley Tribune",
        "Talks To Resume", "number of number of ", "the the ", "had had ", " -led ", " , ", " “.",
        "”word ", "“open ", "\u202e", "\u200b", "😀", "e\u0301", "Sirhan Sirhan ",
        "Opposition leaders said they had not been consulted about the timing of the talks.",
    ]
)
REALISTIC = st.lists(st.one_of(FRAGMENTS, ARBITRARY), max_size=30).map("".join)


def check_suggestions(module: PassModule, text: str) -> None:
    found = module.run(text, CONTEXT)
    for s in found:
        assert 0 <= s.start <= s.end <= len(text)
        assert s.original == text[s.start : s.end]
        assert s.kind in module.KINDS
        assert 0.0 <= s.confidence <= 1.0
        assert s.explanation
        assert (s.original, s.replacement) != ("", "")
    assert found == sorted(found, key=lambda s: (s.start, s.end))
    assert drop_overlaps(found) == found  # nothing overlaps, so nothing is dropped
    apply_suggestions(text, found)


@pytest.mark.parametrize("module", PASSES, ids=lambda m: m.NAME)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ARBITRARY)
def test_arbitrary_text(module: PassModule, text: str) -> None:
    check_suggestions(module, text)


@pytest.mark.parametrize("module", PASSES, ids=lambda m: m.NAME)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=REALISTIC)
def test_realistic_damaged_text(module: PassModule, text: str) -> None:
    check_suggestions(module, text)


@pytest.mark.parametrize("module", PASSES, ids=lambda m: m.NAME)
@pytest.mark.parametrize(
    "text",
    [
        " " * 50_000,
        "\n" * 50_000,
        "the " * 20_000,
        "number of " * 10_000,
        "Â " * 20_000,
        ("A long paragraph without any line break at all. " * 2_000),
        "\n".join(["Same headline here"] * 3_000),
        "\n".join(f"Paragraph {i} says something long enough to be compared with the others." for i in range(1_500)),
    ],
    ids=["spaces", "newlines", "the", "number-of", "a-hat", "one-line", "same-lines", "many-paragraphs"],
)
def test_no_pathological_time(module: PassModule, text: str) -> None:
    start = time.perf_counter()
    check_suggestions(module, text)
    assert time.perf_counter() - start < 5.0
