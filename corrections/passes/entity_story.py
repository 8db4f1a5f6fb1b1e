"""The story's evidence for the entity pass: what the other outlets' copies of the story write.

:func:`build_consensus` reads the siblings once into a :class:`Consensus`: the capitalised forms
each other outlet prints (counted once per outlet), the first names they give each surname, and
the words around each form ("Bergen ___ player"), so that a form no other outlet uses can be held
against the form most of them use, or against the one they print in the very same place. A copy
that shares few of this copy's names is another story, whatever clustered it with this one, and
no evidence either way (:func:`same_story`). :class:`CopyDamage` settles which of two copies is
damaged when only one other outlet prints a name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from rapidfuzz.distance import OSA

from corrections.passes.base import PassContext, Voices, stable_digest, story_voices
from corrections.passes.encoding import mojibake_spans
from corrections.passes.names_index import Closeness, closeness
from corrections.passes.names_text import (
    Document,
    analyse,
    dictionary_words,
    is_latin,
    looks_mojibake,
    sound_key,
)
from corrections.passes.text_cache import per_text

PARAGRAPH_EDGE = "\u00b6"
MAX_SIBLINGS = 40
_MIN_NAMES_TO_COMPARE = 4  # fewer names than this tell nothing about which story a copy is
_MIN_SHARED_NAMES = 0.5
_MAX_CONTEXT_GAP = 6  # characters between a word and its neighbour as a context: ", " or "[.]” "
_K = TypeVar("_K")
_POSSESSIVE_GAP = re.compile(r"^['’]s?(?!\w)")  # "Halden’s Game", "Jones’ book": no gap


@dataclass(slots=True)
class Consensus:
    """Capitalised word forms in the other outlets' copies, counted once per independent voice
    (near-identical copies printed by several outlets are one "source" here).

    What an article asks about only a few of its words (how a form is printed, what is printed at
    a place) is worked out when asked, from the siblings' readings, not for every form."""

    n_sources: int = 0
    n_outlets: int = 0  # outlets printing the n_sources independent copies
    n_echoes: int = 0  # other outlets printing this copy's own text
    support: Counter[str] = field(default_factory=Counter)
    givens: dict[str, Counter[str]] = field(default_factory=dict)  # surname -> given -> sources
    given_sources: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # ... which ones
    targets: list[str] = field(default_factory=list)  # forms at least two sources use
    forms: dict[str, frozenset[str]] = field(default_factory=dict)  # source -> its capitalised forms
    readings: list[tuple[str, _SiblingReading]] = field(default_factory=list)  # (source, reading) taken
    _printed: dict[str, str] = field(default_factory=dict)

    def printed(self, folded: str) -> str:
        """The spelling of a form the other outlets print most often (the first seen among
        equals), or the form itself when none prints it."""
        if folded not in self._printed:
            spellings: Counter[str] = Counter()
            for _, reading in self.readings:
                spellings.update(reading.surfaces.get(folded, ()))
            self._printed[folded] = spellings.most_common(1)[0][0] if spellings else folded
        return self._printed[folded]

    def has_places(self) -> bool:
        return any(reading.placements for _, reading in self.readings)

    def at(self, before: str, after: str) -> dict[str, set[str]] | None:
        """Where the other outlets print each capitalised form: the forms they print between
        ``before`` and ``after``, with the outlets that do."""
        return self._sources_of(lambda reading: reading.slots.get((before, after), ()))

    def after_name(self, after: str) -> dict[str, set[str]] | None:
        """Forms printed beside another capitalised word (a name's other half, which may be the
        damaged one in this copy) and before ``after``."""
        return self._sources_of(lambda reading: reading.after_name.get(after, ()))

    def before_name(self, before: str) -> dict[str, set[str]] | None:
        """Forms printed after ``before`` and beside another capitalised word."""
        return self._sources_of(lambda reading: reading.before_name.get(before, ()))

    def _sources_of(self, forms_of: Callable[[_SiblingReading], Iterable[str]]) -> dict[str, set[str]] | None:
        found: dict[str, set[str]] = {}
        for source, reading in self.readings:
            for form in forms_of(reading):
                found.setdefault(form, set()).add(source)
        return found or None

    def count(self, folded: str) -> int:
        return self.support.get(folded, 0)

    def copies(self, n: int) -> str:
        """'3 of 4 other outlets', or with echoes '2 of 3 independent copies (5 outlets)'."""
        return Voices((), self.n_sources, self.n_outlets, self.n_echoes).phrase(n)

    def close_forms(self, f: str) -> list[tuple[str, int]]:
        """Forms at least two other outlets use that are close to ``f``, closest first, with how
        many outlets use each."""
        out: list[tuple[str, int, Closeness]] = []
        for g in self.targets:
            if g == f or abs(len(g) - len(f)) > 3:
                continue
            c = closeness(f, g)
            if c.tier <= 2:
                out.append((g, self.count(g), c))
        out.sort(key=lambda t: (t[2].tier, t[2].edits, -t[1]))
        return [(g, n) for g, n, _ in out]

    def majority_form(self, f: str) -> tuple[str, int] | None:
        """The form most other outlets use for this word, if this form is rare among them."""
        if self.n_sources < 2 or self.count(f) > 1:
            return None
        best: tuple[str, int, Closeness] | None = None
        for g in self.targets:
            if g == f or abs(len(g) - len(f)) > 3:
                continue
            n = self.count(g)
            if n * 2 < self.n_sources or n < 2 or (self.count(f) == 1 and n < 3):
                continue
            c = closeness(f, g)
            strong = c.tier == 1 or (c.tier == 2 and c.sounds_alike and len(f) >= 6)
            if not strong and self.count(f) == 0 and n * 4 >= 3 * self.n_sources:
                strong = _near_unanimous_variant(f, g, c)
            if not strong:
                continue
            # Equally near forms: one with the same letters ('Samona' / 'Samoan', two swapped)
            # explains the damage better than one with a letter fewer ('Samoa').
            if best is None or _rank(f, g, c, n) < _rank(f, best[0], best[2], best[1]):
                best = (g, n, c)
        return (best[0], best[1]) if best is not None else None


def build_consensus(context: PassContext, doc: Document | None = None) -> Consensus:
    """What the other outlets' copies write. A copy that shares few of this copy's names is
    another story, whatever put it beside this one, and no evidence about them."""
    cons = Consensus()
    own = story_names(doc) if doc is not None else frozenset()
    per_source: dict[str, set[str]] = {}
    pairs: dict[str, dict[str, set[str]]] = {}
    outlets: set[str] = set()
    voices = story_voices(context, MAX_SIBLINGS)
    # A copy echoing this one prints this copy's own forms, and cannot vouch for them; where it
    # prints another form, its outlet corrected the feed or this copy was damaged after it.
    printed = frozenset(t.folded for t in doc.tokens if t.is_capitalised) if doc is not None else None
    echoes = voices.echo_copies if printed is not None else ()
    candidates = [(sib, False) for sib in voices.siblings] + [(sib, True) for sib in echoes]
    cons.n_echoes = voices.echoes
    for sib, is_echo in candidates:
        source = sib.voice  # near-identical copies of several outlets count once
        reading = _read_sibling(sib.text)
        if len(own) >= _MIN_NAMES_TO_COMPARE and not same_story(own, reading.names):
            continue
        if is_echo and printed is not None:
            reading = _beyond(reading, printed)
            if not reading.forms:
                continue
            cons.n_echoes -= 1
        outlets.add(sib.source or f"#{sib.article_id}")
        cons.readings.append((source, reading))
        per_source.setdefault(source, set()).update(reading.forms)
        for surname, given in reading.pairs:
            pairs.setdefault(surname, {}).setdefault(given, set()).add(source)
    cons.forms = {source: frozenset(forms) for source, forms in per_source.items()}
    cons.n_sources = len(per_source)
    cons.n_outlets = len(outlets)
    for forms in per_source.values():
        cons.support.update(forms)
    cons.givens = {s: Counter({g: len(srcs) for g, srcs in gs.items()}) for s, gs in pairs.items()}
    cons.given_sources = pairs
    cons.targets = sorted(f for f, n in cons.support.items() if n >= 2 and len(f) >= 3)
    return cons


@dataclass(slots=True)
class CopyDamage:
    """When a single other outlet prints a name differently from this copy, which of the two
    copies is damaged? Counts are cached per copy for one run of the pass."""

    doc: Document
    consensus: Consensus
    common: frozenset[str]
    counts: dict[str | None, int] = field(default_factory=dict)  # source (None: this copy) -> count

    def one_outlet_settles(self, f: str, g: str, source: str) -> bool:
        """When a single other outlet prints this place, which of the two copies is damaged?
        Theirs is trusted when this article also writes their form elsewhere; when their form is
        a word or name of the English dictionary and this one is not (damage rarely makes a
        real word); or when this copy has names that the other copies agree to spell otherwise
        and theirs has none (machine translation and careless typing mangle many names of one
        copy)."""
        if any(t.folded == g and t.is_capitalised for t in self.doc.tokens):
            return True
        words = dictionary_words()
        if g in words and f not in words:
            return True
        return self.count(None) >= 2 and self.count(source) == 0

    def count(self, source: str | None) -> int:
        """How many names of a copy (this one for None) no other copy writes, while at least two
        other copies agree on a close form ('Berglumd' where two write 'Berglund')."""
        if source in self.counts:
            return self.counts[source]
        own = frozenset(
            t.folded
            for t in self.doc.tokens
            if t.is_capitalised and is_latin(t.folded) and not looks_mojibake(t.surface)
        )
        copies: dict[str | None, frozenset[str]] = {None: own}
        copies.update(self.consensus.forms)
        support: Counter[str] = Counter()
        for key, forms in copies.items():
            if key != source:
                support.update(forms)
        agreed = [g for g, n in support.items() if n >= 2 and len(g) >= 4]
        count = 0
        for f in copies.get(source, frozenset()):
            if len(f) < 4 or f in self.common or support[f] > 0:
                continue
            if any(abs(len(g) - len(f)) <= 2 and aligned_variant(f, g) for g in agreed):
                count += 1
        self.counts[source] = count
        return count


# ---------------------------------------------------------------------- same story


def story_names(doc: Document) -> frozenset[str]:
    """The names a copy uses: capitalised words of four letters or more, not first in a sentence."""
    return frozenset(
        t.folded
        for t in doc.tokens
        if t.is_capitalised and not t.is_sentence_start and len(t.folded) >= 4 and is_latin(t.folded)
    )


def same_story(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do two copies share most names (of the shorter one)? Copies of one story, even rewritten
    by other outlets or damaged, share well over half; other stories of the day far fewer."""
    return len(a & b) >= _MIN_SHARED_NAMES * min(len(a), len(b))


# ---------------------------------------------------------------------- reading the siblings


@dataclass(frozen=True, slots=True)
class _SiblingReading:
    """What :func:`build_consensus` takes from one sibling, read once per text (a story's copies
    are siblings of each of its later copies, and of every refresh)."""

    names: frozenset[str]  # story_names
    forms: frozenset[str]  # capitalised forms, outside encoding debris
    surfaces: dict[str, Counter[str]]  # form -> how often each spelling of it is printed
    pairs: tuple[tuple[str, str], ...]  # (surname, first name) of each two-word name, in order
    placements: bool  # whether any capitalised form has a place (the three below)
    slots: dict[tuple[str, str], frozenset[str]]  # (word before, word after) -> forms
    after_name: dict[str, frozenset[str]]  # word after a form beside a capitalised word -> forms
    before_name: dict[str, frozenset[str]]  # word before a form beside a capitalised word -> forms


def _beyond(reading: _SiblingReading, printed: frozenset[str]) -> _SiblingReading:
    """What a copy echoing this one says beyond it: its forms this copy does not print."""

    def keep(forms: Iterable[str]) -> frozenset[str]:
        return frozenset(f for f in forms if f not in printed)

    def places(by: dict[_K, frozenset[str]]) -> dict[_K, frozenset[str]]:
        return {k: kept for k, v in by.items() if (kept := keep(v))}

    slots = places(reading.slots)
    return _SiblingReading(
        reading.names, keep(reading.forms), {f: c for f, c in reading.surfaces.items() if f not in printed},
        tuple((surname, given) for surname, given in reading.pairs if given not in printed), bool(slots),
        slots, places(reading.after_name), places(reading.before_name),
    )


@per_text()
def reading_digest(text: str) -> str:
    """A digest of all :func:`build_consensus` takes from a copy (its story evidence)."""
    return stable_digest(_read_sibling(text))


@per_text()
def _read_sibling(text: str) -> _SiblingReading:
    doc = analyse(text)
    debris = tuple(mojibake_spans(text))
    forms: set[str] = set()
    surfaces: dict[str, Counter[str]] = {}
    for tok in doc.tokens:
        if debris and any(a <= tok.end and tok.start <= b for a, b in debris):
            continue  # 'CharitÃ' of a mangled 'Charité' is no outlet's spelling
        if tok.is_capitalised and is_latin(tok.folded) and not looks_mojibake(tok.surface):
            forms.add(tok.folded)
            surfaces.setdefault(tok.folded, Counter())[tok.surface] += 1
    pairs: list[tuple[str, str]] = []
    for span in doc.spans:
        if len(span.tokens) >= 2:
            a, b = doc.tokens[span.tokens[-2]], doc.tokens[span.tokens[-1]]
            if doc.text[a.end : b.start] in (" ", "\u00a0") and len(a.surface) > 1:
                pairs.append((b.folded, a.folded))
    slots: dict[tuple[str, str], set[str]] = {}
    after_name: dict[str, set[str]] = {}
    before_name: dict[str, set[str]] = {}
    places = _placements(doc, debris)
    for before, form, after, name_before, name_after in places:
        if before and after:
            slots.setdefault((before, after), set()).add(form)
        if name_before and after:
            after_name.setdefault(after, set()).add(form)
        if name_after and before:
            before_name.setdefault(before, set()).add(form)
    return _SiblingReading(
        story_names(doc), frozenset(forms), surfaces, tuple(pairs), bool(slots),
        {k: frozenset(v) for k, v in slots.items()}, {k: frozenset(v) for k, v in after_name.items()},
        {k: frozenset(v) for k, v in before_name.items()},
    )


def _placements(doc: Document, debris: tuple[tuple[int, int], ...]) -> set[tuple[str, str, str, bool, bool]]:
    """(word before, capitalised form, word after, before is capitalised, after is capitalised)
    for each capitalised word of a sibling."""
    out: set[tuple[str, str, str, bool, bool]] = set()
    for i, tok in enumerate(doc.tokens):
        if not tok.is_capitalised or not is_latin(tok.folded) or looks_mojibake(tok.surface):
            continue
        if debris and any(a <= tok.end and tok.start <= b for a, b in debris):
            continue
        before, after = neighbour(doc, i, -1), neighbour(doc, i, 1)
        out.add((before, tok.folded, after, is_name_beside(doc, i, -1), is_name_beside(doc, i, 1)))
    return out


def neighbour(doc: Document, i: int, step: int) -> str:
    """The folded word beside token ``i`` (``step`` -1 before, 1 after) as a context: a paragraph
    edge is "¶"; across more than a little punctuation there is no context ("")."""
    j = i + step
    if j < 0 or j >= len(doc.tokens):
        return PARAGRAPH_EDGE
    a, b = (doc.tokens[j], doc.tokens[i]) if step < 0 else (doc.tokens[i], doc.tokens[j])
    gap = _POSSESSIVE_GAP.sub("", doc.text[a.end : b.start])
    if "\n" in gap:
        return PARAGRAPH_EDGE
    if len(gap) > _MAX_CONTEXT_GAP or any(c.isalnum() for c in gap):
        return ""
    return doc.tokens[j].folded


def is_name_beside(doc: Document, i: int, step: int) -> bool:
    """Is the word beside token ``i`` the other half of a name (a capitalised word one space
    away)?"""
    j = i + step
    if j < 0 or j >= len(doc.tokens):
        return False
    a, b = (doc.tokens[j], doc.tokens[i]) if step < 0 else (doc.tokens[i], doc.tokens[j])
    return doc.tokens[j].is_capitalised and doc.text[a.end : b.start] in (" ", "\u00a0", "-")


# ---------------------------------------------------------------------- close forms


def aligned_variant(f: str, g: str) -> bool:
    """Whether ``f`` may be a damaged ``g`` when another outlet prints ``g`` in the very place this
    copy prints ``f``: one edit; two in a word of four letters or more that keeps the first letter
    or sound ('Bicl' / 'Bidel', 'Fahlcns' / 'Falcons'); three that keep the whole sound ('Maaark'
    / 'Mark'). Never a plural of the other's form ('Bidels')."""
    if f == g or f in (g + "s", g + "es"):
        return False
    edits = int(OSA.distance(f, g))
    short = min(len(f), len(g))
    kf, kg = sound_key(f), sound_key(g)
    if edits == 1:
        return short >= 3
    same_start = f[0] == g[0] or (bool(kf) and bool(kg) and kf[0] == kg[0])
    if edits == 2:
        return short >= 4 and same_start
    return edits == 3 and short >= 4 and bool(kf) and kf == kg


def _rank(f: str, g: str, c: Closeness, n: int) -> tuple[int, int, bool, int]:
    return (c.tier, c.edits, sorted(f) != sorted(g), -n)


def _near_unanimous_variant(f: str, g: str, c: Closeness) -> bool:
    """Whether ``f`` is a damaged ``g`` on the story's evidence alone, when no other outlet writes
    ``f`` and at least three in four write ``g``. Short names then count too: one edit that keeps
    the sound ('Munkk' / 'Munk'), or any single edit of a name of five letters or more, even of its
    first letter ('Hiuliani' / 'Giuliani')."""
    if f in (g + "s", g + "es"):
        return False  # "the Bidels": the family, not a slip
    if c.edits == 1 and min(len(f), len(g)) >= 5:
        return True
    return c.tier == 2 and (c.sounds_alike or c.edits == 1)
