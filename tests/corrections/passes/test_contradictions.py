"""No pass acts on text another pass is repairing, and no two suggestions left for an editor
contradict one another (corrections.passes.contradictions)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrections import starter_data
from corrections.passes import grammar, names_text, spelling
from corrections.passes.base import PassContext, Suggestion, apply_suggestions, spans_clash
from corrections.passes.contradictions import Proposal, resolve, settle, word_around
from corrections.passes.registry import load_passes

PASSES = load_passes()
CONTEXT = PassContext(
    gazetteer=starter_data.load_gazetteer(),
    style_rules=starter_data.load_style_rules(),
)


def latin1(word: str) -> str:
    """A word whose UTF-8 bytes were read as Latin-1: C1 control characters inside it."""
    return word.encode("utf-8").decode("latin-1")


def cp1252(word: str) -> str:
    return word.encode("utf-8").decode("cp1252", errors="replace")


def run_all(text: str, context: PassContext = CONTEXT) -> list[tuple[str, Suggestion]]:
    return settle(text, [(m.NAME, m.run(text, context)) for m in PASSES])


def p(name: str, kind: str, start: int, end: int, text: str, replacement: str, confidence: float = 0.9,
      order: int = 0) -> Proposal:
    return Proposal(name, order, kind, start, end, text[start:end], replacement, confidence)


# --- tokenisation -------------------------------------------------------------------------------


def test_grammar_reads_no_article_in_the_tail_of_a_misdecoded_name() -> None:
    text = f"Mehmet {latin1('Doğan')} took the floor."
    assert grammar.run(text, CONTEXT) == []


def test_grammar_still_reads_an_article_after_a_space() -> None:
    text = "He took an book."
    assert [(s.original, s.replacement) for s in grammar.run(text, CONTEXT)] == [("an book", "a book")]


@pytest.mark.parametrize("word", ["Doğan", "Dąbrowski", "Yılmaz", "Göran", "Šimić"])
def test_names_text_keeps_a_misdecoded_letter_inside_its_word(word: str) -> None:
    for garbled in (latin1(word), cp1252(word)):
        tokens = names_text.analyse(f"Then {garbled} spoke.").tokens
        # one word from its first letter (debris at its very end may stay outside: it splits nothing)
        assert [t.surface for t in tokens][::2] == ["Then", "spoke"] and len(tokens) == 3
        assert garbled.startswith(tokens[1].surface) and len(tokens[1].surface) >= len(garbled) - 2


@pytest.mark.parametrize(("text", "words"), [
    ("José’s book", ["José", "book"]),
    ("JOSÉ\xa0Luis", ["JOSÉ", "Luis"]),
    ("café—bar", ["café", "bar"]),
])
def test_names_text_splits_real_words_as_before(text: str, words: list[str]) -> None:
    assert [t.surface for t in names_text.analyse(text).tokens] == words


def test_spelling_takes_a_next_line_control_as_part_of_the_word() -> None:
    text = f"The {latin1('Dąbrowski')} administrations said so."  # C4 85: 'Ä' + NEL
    words = spelling._words(text)
    assert latin1("Dąbrowski") in {text[w.start : w.end] for w in words} or not any(
        w.is_checkable and w.text == "browski" for w in words
    )
    assert all(not w.is_checkable for w in words if "browski" in w.text)


# --- the concrete cases -------------------------------------------------------------------------


def test_no_suggestion_lands_in_the_misdecoded_surname() -> None:
    name = latin1("Doğan")
    text = f"Mehmet {name} took the floor, and {cp1252('Doğan')} an took it."
    kept = run_all(text)
    for pass_name, s in kept:
        for start in (text.index(name), text.index(cp1252("Doğan"))):
            a, b = word_around(text, start, start + 1)
            if pass_name != "encoding":
                assert not spans_clash(s.start, s.end, a, b), (pass_name, s)
    assert {s.replacement for name, s in kept if name == "encoding"} == {"ğ"}


def test_an_article_fix_inside_a_repeated_sentence_is_set_aside() -> None:
    sentence = "The minister said a adjacent summit would follow."
    text = f"{sentence} {sentence}\n\nShe left."
    kept = run_all(text)
    assert sorted((s.start, n) for n, s in kept) == [(text.index("a adjacent"), "grammar"), (len(sentence), "duplicate")]
    aside = resolve(text, [
        p("duplicate", "duplicate", len(sentence), 2 * len(sentence) + 1, text, "", order=3),
        p("grammar", "grammar", text.rindex("a adjacent"), text.rindex("a adjacent") + 10, text, "an adjacent",
          order=8),
    ])
    assert [a.index for a in aside] == [1]
    assert aside[0].note == "set aside: the duplicate pass deletes the text around it"


def test_two_replacements_of_one_span_leave_the_stronger() -> None:
    text = "They met in Kiev."
    start = text.index("Kiev")
    aside = resolve(text, [
        p("house_style", "style", start, start + 4, text, "Kyiv", 0.8, order=6),
        p("entities", "entity", start, start + 4, text, "Kyev", 0.6, order=5),
    ])
    assert [a.index for a in aside] == [1]
    assert "house_style pass proposes 'Kiev' → 'Kyiv'" in aside[0].note


def test_a_word_with_a_c1_control_is_under_repair_without_an_encoding_suggestion() -> None:
    text = "Mr Ab\x9dxyz an took it."
    start = text.index("an took")
    aside = resolve(text, [p("grammar", "grammar", start, start + 7, text, "a took")])
    assert aside == []  # a word of its own after a space
    start = text.index("xyz")
    assert [a.index for a in resolve(text, [p("spelling", "spelling", start, start + 3, text, "xyz2")])] == [0]


def test_whitespace_yields_to_the_encoding_repair_of_a_next_line_byte() -> None:
    text = f"Mr {latin1('Dąbrowski')} left."
    start = text.index("\x85")
    aside = resolve(text, [
        p("whitespace", "whitespace", start, start + 1, text, " ", order=1),
        p("encoding", "encoding", start - 1, start + 1, text, "ą", order=0),
    ])
    assert [a.index for a in aside] == [0]


# --- the property -------------------------------------------------------------------------------

_WORDS = (
    "the minister said talks would resume after a long pause in the capital on monday and an "
    "official confirmed that an adjacent summit was planned with delegations from both sides"
).split()
_NAMES = ("Doğan", "Dąbrowski", "Yılmaz", "Göran", "Šimić", "Łukasz", "Zoë", "Ağca", "Kraków", "Müller")
_SLIPS = ("a adjacent", "an book", "an took", "teh", "recieve")


def _garble(name: str, how: int) -> str:
    return (name, latin1(name), cp1252(name))[how]


@st.composite
def damaged_texts(draw: st.DrawFn) -> str:
    """Sentences of words, names with non-ASCII letters (some mis-decoded as Latin-1 or
    Windows-1252), slips, and sentences printed twice."""
    sentences: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        parts = draw(st.lists(st.one_of(
            st.sampled_from(_WORDS),
            st.builds(_garble, st.sampled_from(_NAMES), st.integers(0, 2)),
            st.sampled_from(_SLIPS),
        ), min_size=4, max_size=14))
        sentence = " ".join(parts)
        sentence = sentence[0].upper() + sentence[1:] + "."
        sentences.append(sentence)
        if draw(st.booleans()):
            sentences.append(sentence)  # printed twice
    return " ".join(sentences)


def _misdecoded_words(text: str) -> list[tuple[int, int]]:
    words = []
    for name in _NAMES:
        for form in {latin1(name), cp1252(name)} - {name}:
            start = text.find(form)
            while start >= 0:
                words.append((start, start + len(form)))
                start = text.find(form, start + 1)
    return words


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_texts())
def test_no_suggestion_lands_in_a_misdecoded_word_or_contradicts_another(text: str) -> None:
    kept = run_all(text)
    for i, (name_a, a) in enumerate(kept):
        for name_b, b in kept[i + 1 :]:
            assert not spans_clash(a.start, a.end, b.start, b.end), (name_a, a, name_b, b)
        if name_a != "encoding":
            for start, end in _misdecoded_words(text):
                deletes_it_whole = a.replacement == "" and a.start <= start and end <= a.end
                assert deletes_it_whole or not spans_clash(a.start, a.end, start, end), (name_a, a, text[start:end])
    apply_suggestions(text, [s for _, s in kept])  # every kept suggestion can be applied together
