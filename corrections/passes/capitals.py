"""Capitals of multi-word proper names: "the united Nations" -> "the United Nations".

Machine translation and careless typing lower-case one word of a name whose other words keep
their capitals ("the european Union", "the labour Party"). Such a mixed-case phrase is proposed
with its capitals back when something says the phrase is a name:

- a multi-word name of the gazetteer (an entity or one of its variants: organisations, places,
  people), or a country's name (pycountry's names, common names and official names);
- the story's other outlets printing it with capitals (not as the first words of a sentence, nor
  in a heading, where capitals prove nothing); each outlet counts once;
- this copy printing it with capitals elsewhere, under the same conditions.

Precision first. Only a phrase that already mixes capitals and small letters qualifies: "the
united front" and "labour party" written all in small letters are ordinary English and left
alone. Small words ("of", "and", "the") keep their case inside a name ("Bank of England"). A
gazetteer or country name alone is not enough when the small-letter words are an ordinary
modifier of a name that stands on its own ("south Africa" may be the south of Africa, "northern
Ireland" the north of Ireland): then only the story's copies or this copy may settle it. A name
after "a"/"an" is the grammar pass's ("a downing Street" -> "Downing Street", article and all).
Titles in small letters ("Russian president") are house style, and a name whose last word is in
small letters ("the European union") is left alone whatever the evidence: writers differ on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from corrections.passes.base import (
    GazetteerSnapshot,
    PassContext,
    Suggestion,
    Voices,
    drop_overlaps,
    make_suggestion,
    stable_digest,
    story_voices,
    voices_evidence,
)
from corrections.passes.names_text import TITLES, Document, Token, analyse, heading_lines
from corrections.passes.text_cache import per_text

NAME = "capitals"
VERSION = "3"  # 3: a name's last word in small letters is left alone
KINDS = ("entity",)
USES_SIBLINGS = True  # other outlets capitalising a phrase are evidence that it is a name
USES_SOURCE_HISTORY = False


def story_evidence(text: str, context: PassContext) -> str:
    """What this pass reads of the story: its voices and the capitalised phrases each copy prints."""
    return voices_evidence(story_voices(context), _phrases_digest)


_KIND = "entity"
_MAX_WORDS = 6
_NEAR_WORDS = 2  # a small-letter word of a name stands this close to one of its capitalised words
# Words that stay in small letters inside a name ("Bank of England", "Trinidad and Tobago").
_SMALL_WORDS = frozenset(
    "a an and the of for in on at to by with de da di du del della der den van von la le y et".split()
)
# Words that, in small letters before a name, are ordinary modifiers ("south Africa", "eastern
# Ukraine", "central London") unless the story or the copy says otherwise.
_MODIFIERS = frozenset(
    """north south east west central northern southern eastern western greater upper lower inner
    outer old new mid far near""".split()
)
_CONTINENTS = ("Africa", "Asia", "Europe", "America", "Oceania", "Antarctica", "Australia")
_ARTICLE_BEFORE = re.compile(r"(?:^|[^\w'’])(?:a|an|A|An)[ \u00a0]$")
_CONFIDENCE_REFERENCE = 0.85
_CONFIDENCE_COPY = 0.7


@dataclass(frozen=True, slots=True)
class _Reference:
    key: tuple[int, int]
    names: dict[str, tuple[str, str]]  # lower-cased name -> (its spelling, where it comes from)
    singles: frozenset[str]  # lower-cased one-word names (what a modifier may modify)
    first_words: frozenset[str]  # the first word of each of the names


_reference: _Reference | None = None


def run(text: str, context: PassContext) -> list[Suggestion]:
    doc = analyse(text)
    tokens = doc.tokens
    if len(tokens) < 2:
        return []
    reference = _reference_for(context.gazetteer)
    own = _capitalised_phrases(doc)
    voices = story_voices(context)
    outlets: dict[str, set[str]] = {}
    for sibling in voices.siblings:
        for phrase in _sibling_phrases(sibling.text):
            outlets.setdefault(phrase, set()).add(sibling.voice)  # an echoed copy counts once
    # Cheap tests first: a window lies within one phrase, mixes capitals and small letters, and
    # neither begins nor ends with a small word.
    small = [t.folded in _SMALL_WORDS for t in tokens]
    lower = [0] + list(accumulate(int(t.surface[:1].islower() and not small[k]) for k, t in enumerate(tokens)))
    caps = [0] + list(accumulate(int(t.is_capitalised) for t in tokens))
    run_end = list(range(len(tokens)))
    for k in range(len(tokens) - 2, -1, -1):
        if text[tokens[k].end : tokens[k + 1].start] in (" ", "\u00a0"):
            run_end[k] = run_end[k + 1]
    # A window's target starts with its first word: only words that start some name any evidence
    # knows can start one (most windows end here).
    first_words = reference.first_words | {p.split(" ", 1)[0].lower() for p in (*own, *outlets)}
    found: list[Suggestion] = []
    for i in _window_starts(doc):
        if small[i] or tokens[i].surface.lower() not in first_words:
            continue
        for n in range(min(_MAX_WORDS, run_end[i] - i + 1), 1, -1):
            last = i + n - 1
            if small[last] or lower[last + 1] == lower[i] or caps[last + 1] == caps[i]:
                continue
            window = tokens[i : i + n]
            suggestion = _check(doc, window, reference, own, outlets, voices)
            if suggestion is not None:
                found.append(suggestion)
                break
    return [s for s in drop_overlaps(found) if (s.original, s.replacement) not in context.suppressed]


def _window_starts(doc: Document) -> list[int]:
    """Where a phrase mixing capitals and small letters may start: within a name's length before
    a small-letter word that has a capitalised word a few words away in the same phrase."""
    tokens = doc.tokens
    text = doc.text
    joined = [text[a.end : b.start] in (" ", "\u00a0") for a, b in zip(tokens, tokens[1:], strict=False)]
    starts: set[int] = set()
    for j, tok in enumerate(tokens):
        if not tok.surface[:1].islower() or tok.folded in _SMALL_WORDS:
            continue
        near = False
        for step in (-1, 1):
            k = j
            for _ in range(_NEAR_WORDS):
                gap = k if step == 1 else k - 1
                if not 0 <= gap < len(joined) or not joined[gap]:
                    break
                k += step
                if tokens[k].is_capitalised and not tokens[k].is_sentence_start:
                    near = True
                    break
            if near:
                break
        if near:
            starts.update(range(max(0, j - _MAX_WORDS + 1), j + 1))
    return sorted(starts)


def _check(
    doc: Document,
    window: tuple[Token, ...],
    reference: _Reference,
    own: dict[str, int],
    outlets: dict[str, set[str]],
    voices: Voices,
) -> Suggestion | None:
    text = doc.text
    words = [t.surface for t in window]
    if words[0].lower() in _SMALL_WORDS or words[-1].lower() in _SMALL_WORDS:
        return None
    lowered = [k for k, w in enumerate(words) if w.lower() not in _SMALL_WORDS and w[:1].islower()]
    if not lowered:
        return None
    target = " ".join(w if k not in lowered else w[0].upper() + w[1:] for k, w in enumerate(words))
    if target.lower() not in reference.names and target not in outlets and target not in own:
        return None  # no evidence could speak for it: most windows end here, before the tests below
    capitalised = [k for k, t in enumerate(window) if t.is_capitalised]
    if not capitalised or any(not w.isalpha() for w in words) or not _is_phrase(text, window):
        return None
    if _after_indefinite_article(text, window[0].start):
        return None  # the grammar pass's: "a downing Street" -> "Downing Street"
    if any(words[k].lower() in TITLES for k in lowered):
        return None  # "Russian president", "foreign minister Lavrov": a title in small letters is house style
    if lowered[-1] == len(words) - 1:
        return None  # "the European union": writers differ on the capital of a name's last word
    # A small-letter word that the story or the copy may capitalise stands before a capitalised
    # word of the name: "labour Party", not "region in Chile".
    head_is_small = any(not window[k + 1].is_capitalised for k in lowered)
    evidence: list[str] = []
    confidence = 0.0
    known = reference.names.get(target.lower())
    if known is not None and known[0] == target and not _modifies_a_name(words, lowered, reference):
        evidence.append(f"{known[1]}: {target}")
        confidence = _CONFIDENCE_REFERENCE
    # Outlets and copies differ on the capital of a phrase's head noun ("British government"):
    # their evidence counts only for a small word inside a name whose head keeps its capital.
    sources = outlets.get(target, set()) if not head_is_small else set()
    if sources:
        evidence.append(f"{voices.phrase(len(sources))} print '{target}'")
        confidence = max(confidence, min(0.9, 0.7 + 0.05 * len(sources)))
    times = own.get(target, 0) if not head_is_small else 0
    if times:
        evidence.append(f"this copy: {target} ×{times}")
        confidence = max(confidence, _CONFIDENCE_COPY)
    if not evidence:
        return None
    first, last = window[lowered[0]], window[lowered[-1]]
    letters = list(text[first.start : last.end])
    for k in lowered:
        letters[window[k].start - first.start] = words[k][0].upper()
    explanation = f"'{target}' is a name and takes capitals: " + "; ".join(evidence) + "."
    return make_suggestion(text, first.start, last.end, "".join(letters), _KIND, confidence, explanation,
                           evidence=tuple(evidence))


def _is_phrase(text: str, window: Iterable[Token]) -> bool:
    """Words of one phrase: separated by one space, on one line."""
    tokens = list(window)
    return all(text[a.end : b.start] in (" ", "\u00a0") for a, b in zip(tokens, tokens[1:], strict=False))


def _after_indefinite_article(text: str, start: int) -> bool:
    return _ARTICLE_BEFORE.search(text[max(0, start - 4) : start]) is not None


def _modifies_a_name(words: list[str], lowered: list[int], reference: _Reference) -> bool:
    """Are the small-letter words ordinary modifiers in front of a name that stands on its own
    ("south Africa", "northern Ireland")?"""
    if any(words[k].lower() not in _MODIFIERS for k in lowered):
        return False
    rest = " ".join(w for k, w in enumerate(words) if k not in lowered).lower()
    return rest in reference.singles or rest in reference.names


def _capitalised_phrases(doc: Document) -> dict[str, int]:
    """Phrases of two or more capitalised words (small words allowed inside) this text prints
    outside headings and not as the first words of a sentence: phrase -> times."""
    headings = heading_lines(doc.text)
    tokens = doc.tokens
    out: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if not tok.is_capitalised or tok.is_sentence_start or any(a <= tok.start < b for a, b in headings):
            continue
        for n in range(2, min(_MAX_WORDS, len(tokens) - i) + 1):
            window = tokens[i : i + n]
            if not _is_phrase(doc.text, window):
                break
            last = window[-1]
            if not last.is_capitalised and last.surface.lower() not in _SMALL_WORDS:
                break
            if last.is_capitalised:
                phrase = " ".join(t.surface for t in window)
                out[phrase] = out.get(phrase, 0) + 1
    return out


@per_text()
def _sibling_phrases(text: str) -> frozenset[str]:
    return frozenset(_capitalised_phrases(analyse(text)))


@per_text()
def _phrases_digest(text: str) -> str:
    return stable_digest(_sibling_phrases(text))


def _reference_for(gazetteer: GazetteerSnapshot) -> _Reference:
    """Multi-word names of the gazetteer and of the world's countries, cached by gazetteer version."""
    global _reference
    key = (gazetteer.version, len(gazetteer.entities))
    if _reference is not None and _reference.key == key:
        return _reference
    names: dict[str, tuple[str, str]] = {}
    singles: set[str] = {c.lower() for c in _CONTINENTS}
    for entity in gazetteer.entities:
        surfaces = [entity.name, *(a.surface for a in entity.aliases if a.is_enabled and a.kind == "variant")]
        for surface in surfaces:
            if " " in surface.strip():
                names.setdefault(surface.lower(), (surface, "gazetteer"))
            elif surface[:1].isupper():
                singles.add(surface.lower())
    for name in _country_names():
        if " " in name:
            names.setdefault(name.lower(), (name, "country"))
        else:
            singles.add(name.lower())
    first_words = frozenset(name.split(" ", 1)[0] for name in names)
    _reference = _Reference(key=key, names=names, singles=frozenset(singles), first_words=first_words)
    return _reference


@lru_cache(maxsize=1)
def _country_names() -> tuple[str, ...]:
    """Countries' names, common names and official names (pycountry), without the inverted forms
    ("Korea, Republic of")."""
    import pycountry

    found: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if isinstance(value, str) and "," not in value and "(" not in value:
                found.add(value)
    return tuple(sorted(found))
