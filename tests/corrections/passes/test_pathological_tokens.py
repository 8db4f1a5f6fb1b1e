"""Every pass on texts made of pathological single tokens (RELIABILITY A9) finishes in well under
the task's soft time limit and returns well-formed suggestions."""

from __future__ import annotations

import time

import pytest

from corrections import starter_data
from corrections.passes import house_style, spelling
from corrections.passes.base import (
    BoilerplateProfile,
    PassContext,
    PassModule,
    SiblingText,
    apply_suggestions,
)
from corrections.passes.registry import DEFAULT_PASSES, load_passes

PASSES = load_passes(DEFAULT_PASSES)
TEXTS = {
    "2mb-no-whitespace": ("abcdefghij" * 200_000)[:2_000_000],
    "200k-one-character": "a" * 200_000,
    "50k-lines-of-aaaa!": "\n".join("aaaaaaaaaaaaaaaaaaaa!" for _ in range(50_000)),
    "huge-word-in-a-sentence": "The " + "e" * 100_000 + " was a slip of the keybaord.",
    "200k-opening-quotes": "\u201c" * 200_000,
}
CONTEXT = PassContext(
    title="A title",
    gazetteer=starter_data.load_gazetteer(),
    style_rules=starter_data.load_style_rules(),
    boilerplate=BoilerplateProfile(patterns=starter_data.load_boilerplate_patterns()),
    siblings=(SiblingText(article_id=1, source="other", text="The keyboard was a slip of the keyboard."),),
)
# Each pass takes well under a second on these on a laptop; the bound leaves room for a busy CI
# machine while still catching a quadratic pass: spelling.is_known_word and house_style's URL
# pattern took hours on the 2 MB token, and house_style.find_quoted_spans minutes on the quotes.
SECONDS = 10.0


@pytest.mark.parametrize("name", list(TEXTS))
@pytest.mark.parametrize("module", PASSES, ids=[m.NAME for m in PASSES])
def test_pass_finishes_quickly_on_pathological_tokens(module: PassModule, name: str) -> None:
    text = TEXTS[name]
    started = time.perf_counter()
    found = module.run(text, CONTEXT)
    assert time.perf_counter() - started < SECONDS
    assert all(text[s.start : s.end] == s.original for s in found)
    apply_suggestions(text, found)


@pytest.mark.parametrize(
    ("word", "known"),
    [
        ("livestream", True),  # a closed compound is still known
        ("lockdowns", True),
        ("a" * 64, False),
        ("a" * 65, False),
        ("lock" * 20, False),  # 80 letters of dictionary words: too long to be one
        ("e" * 200_000, False),
    ],
)
def test_is_known_word_answers_quickly_for_any_length(word: str, known: bool) -> None:
    started = time.perf_counter()
    assert spelling.is_known_word(word) is known
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("He said \u201cKiev\u201d twice", [(8, 14)]),
        ("\u201c\u201c\u201cno closing mark", []),
        ("\u201cone\u201d and \u201copen \u201cagain", [(0, 5)]),
        ('"a" "b', [(0, 3)]),
    ],
)
def test_quoted_spans_skip_opening_marks_that_cannot_close(text: str, spans: list[tuple[int, int]]) -> None:
    assert house_style.find_quoted_spans(text) == spans


@pytest.mark.parametrize(
    ("text", "protected"),
    [
        ("see https://example.org/kiev now", ["https://example.org/kiev"]),
        ("mail kiev.desk@example.org today", ["kiev.desk@example.org"]),
        ("visit kiev-news.com/today", ["kiev-news.com/today"]),
        ("(www.kiev.ua)", ["www.kiev.ua)"]),
    ],
)
def test_urls_and_addresses_are_still_found(text: str, protected: list[str]) -> None:
    assert [m.group(0) for m in house_style._URL_OR_EMAIL.finditer(text)] == protected


def test_a_slip_beside_a_huge_token_is_still_corrected() -> None:
    found = spelling.run(TEXTS["huge-word-in-a-sentence"], PassContext())
    assert [(s.original, s.replacement) for s in found] == [("keybaord", "keyboard")]
