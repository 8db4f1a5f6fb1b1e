"""Work the passes do once instead of again: the shortcuts give exactly what the long way gave.

Each shortcut (a literal looked for before a pattern with look-arounds, a jump to the next quote
mark, a cache per text) is checked against the plain computation on arbitrary text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corrections.passes import house_style, names_text
from corrections.passes.text_cache import per_text

PIECES = st.sampled_from(
    ["Kiev", "KIEV", "kiev", "Chicken Kiev", " ", "\n", "“", "”", "„", "«", "»", '"', "‘", "’", "'", "a",
     "It", "K", "ſ", "\u212a", "İ", "www.", "http://", "@", ".com", "x.co.uk", "e\u0301", "-", ".", "é"]
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


def quoted_spans_plainly(text: str) -> list[tuple[int, int]]:
    """find_quoted_spans as it was written before, one character at a time."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for brk in [*re.finditer("\n", text), None]:
        end = brk.start() if brk is not None else len(text)
        unclosed: set[str] = set()
        i = pos
        while i < end:
            ch, close = text[i], -1
            if ch in "“„«" and "curly" not in unclosed:
                close = next((j for j in range(i + 1, end) if text[j] in "”»"), -1)
                unclosed |= {"curly"} if close < 0 else set()
            elif ch == '"' and "straight" not in unclosed:
                close = next((j for j in range(i + 1, end) if text[j] == '"'), -1)
                unclosed |= {"straight"} if close < 0 else set()
            elif ch == "‘" and (i == pos or not text[i - 1].isalnum()) and "single" not in unclosed:
                close = next((j for j in range(i + 1, end) if text[j] == "’" and not (
                    0 < j < len(text) - 1 and text[j - 1].isalpha() and text[j + 1].isalpha())), -1)
                unclosed |= {"single"} if close < 0 else set()
            if close >= 0:
                spans.append((i, close + 1))
                i = close + 1
            else:
                i += 1
        pos = end + 1
    return spans


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_quoted_spans_are_the_ones_a_scan_of_every_character_finds(text: str) -> None:
    assert house_style.find_quoted_spans(text) == quoted_spans_plainly(text)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.sampled_from(["Kiev", "kiev", "Chicken Kiev", "It", "k", "s", "i", "é"]), st.booleans(),
       st.booleans())
def test_a_literal_that_may_not_occur_is_never_matched(
    text: str, literal: str, is_whole_word: bool, is_case_sensitive: bool
) -> None:
    pattern = house_style._compile(literal, is_whole_word, is_case_sensitive)
    if not house_style.may_occur(text, literal, is_case_sensitive):
        assert pattern.search(text) is None


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_url_and_email_spans_are_the_patterns_matches(text: str) -> None:
    expected = [m.span() for m in house_style._URL_OR_EMAIL.finditer(text)]
    assert house_style.url_and_email_spans(text) == expected


def test_a_text_is_worked_on_once_while_it_is_recent_and_a_huge_one_every_time() -> None:
    calls: list[str] = []

    @per_text(maxsize=2, max_chars=10)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    assert [length("short"), length("short"), length("x" * 11), length("x" * 11)] == [5, 5, 11, 11]
    assert calls == ["short", "x" * 11, "x" * 11]
    length("a"), length("b"), length("short")  # "short" fell out of the two kept
    assert calls[-1] == "short"


def sentence_starts_plainly(text: str) -> list[tuple[int, bool]]:
    """(start, is_sentence_start) of each word part as analyse found them before: by walking back
    from each word over spaces and opening marks."""
    headings = names_text.heading_lines(text)
    out = []
    for m in names_text._WORD_RE.finditer(text):
        k = m.start() - 1
        while k >= 0 and (text[k] in names_text._SPACES or text[k] in names_text._OPENERS):
            k -= 1
        starts = k < 0 or text[k] in "\n\r”\"’'»)" or text[k] in names_text._SENTENCE_END
        starts = starts or any(a <= m.start() < b for a, b in headings)
        for n, part in enumerate(names_text._PART_RE.finditer(m.group())):
            out.append((m.start() + part.start(), starts and n == 0))
    return out


def quoted_in_names_text_plainly(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for para in text.splitlines(keepends=True):
        i, n = 0, len(para)
        while i < n:
            c = para[i]
            if c in "“«„" or c == '"':
                close = para.find('"' if c == '"' else "»" if c == "«" else "”", i + 1)
                end = n if close < 0 else close
                spans.append((pos + i, pos + end))
                i = end + 1
                continue
            i += 1
        pos += len(para)
    return spans


WORDY = st.lists(st.sampled_from(["Kiev", "said", "A", "O'Brien", "Putin-Zelensky", "Jones’", " ", "  ", "\n",
                                  ". ", "? ", "“", "”", "«", "»", '"', "(", ")", "—", "-", "2024", "e\u0301",
                                  "\u00a0", "*", ":", "’s", "DoÄ\x9fan", "Â\xa0x", "Ã©"]), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(WORDY)
def test_sentence_starts_are_the_ones_a_walk_back_from_each_word_finds(text: str) -> None:
    document = names_text.analyse(text)
    assert [(t.start, t.is_sentence_start) for t in document.tokens] == sentence_starts_plainly(text)


@settings(max_examples=400, deadline=None)
@given(WORDY)
def test_names_text_quotes_are_the_ones_a_scan_of_every_character_finds(text: str) -> None:
    assert names_text._quoted_spans(text) == quoted_in_names_text_plainly(text)
