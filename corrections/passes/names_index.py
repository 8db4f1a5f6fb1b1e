"""The gazetteer index the entity pass matches names through, and the name-similarity judgement.

The index is built once per gazetteer version and cached. Exact look-ups are dictionary hits;
fuzzy look-ups go through phonetic blocking (the sound key of each name word and its one-letter
deletions, SymSpell-style), so a query compares against a handful of names that sound alike, never
against the whole gazetteer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz.distance import OSA, Levenshtein

from corrections.passes.base import Entity, GazetteerSnapshot
from corrections.passes.names_text import fold, is_latin, name_words, skeleton, sound_key

Role = Literal["surname", "given", "name"]
AliasRank = Literal["canonical", "variant", "misspelling", "style"]

# A sound key shorter than this is too common to block on its deletions.
_MIN_KEY_FOR_DELETES = 3
# Blocks bigger than this are common short keys: they are only consulted for exact sound matches.
_MAX_BLOCK = 64
_MAX_FUZZY_ANSWERS = 65536


@dataclass(frozen=True, slots=True)
class Closeness:
    """How alike two name words are. ``tier`` 1 is enough on its own, 2 needs supporting context."""

    tier: int  # 1 strong, 2 needs context, 3 unrelated
    edits: int  # optimal-string-alignment distance of the folded words
    sounds_alike: bool  # same sound key


@dataclass(frozen=True, slots=True)
class NameWord:
    """One word a gazetteer name can be written with, and what it stands for."""

    folded: str
    entity: Entity
    role: Role
    rank: AliasRank
    target: str  # the canonical spelling of this word ("Zelensky")


@dataclass(frozen=True, slots=True)
class Phrase:
    """A multi-word name or alias, matched word for word."""

    words: tuple[str, ...]  # folded
    entity: Entity
    rank: AliasRank
    targets: tuple[str, ...]  # canonical spelling per word, or () when the words do not align


@dataclass(slots=True)
class GazetteerIndex:
    version: int
    words: dict[str, list[NameWord]] = field(default_factory=dict)  # folded word -> readings
    blocks: dict[str, list[int]] = field(default_factory=dict)  # sound key -> fuzzy word ids
    fuzzy_words: list[NameWord] = field(default_factory=list)  # surnames and one-word names
    phrases: dict[str, list[Phrase]] = field(default_factory=dict)  # first folded word -> phrases
    given_names: dict[int, frozenset[str]] = field(default_factory=dict)  # person id -> folded
    canonical_given: dict[int, str] = field(default_factory=dict)  # person id -> "Volodymyr"
    # fuzzy() answers, kept with the index (which lives as long as its gazetteer version).
    _fuzzy: dict[str, tuple[tuple[NameWord, Closeness], ...]] = field(default_factory=dict)

    def readings(self, folded: str) -> list[NameWord]:
        return self.words.get(folded, [])

    def is_known(self, folded: str) -> bool:
        """Is this word part of a canonical name or a legitimate variant?"""
        return any(w.rank in ("canonical", "variant") for w in self.words.get(folded, ()))

    def fuzzy(self, folded: str) -> list[tuple[NameWord, Closeness]]:
        """Surnames and one-word names that sound like ``folded``, closest first."""
        found = self._fuzzy.get(folded)
        if found is None:
            if len(self._fuzzy) >= _MAX_FUZZY_ANSWERS:
                self._fuzzy.clear()
            found = self._fuzzy[folded] = tuple(self._fuzzy_uncached(folded))
        return list(found)

    def _fuzzy_uncached(self, folded: str) -> list[tuple[NameWord, Closeness]]:
        if not is_latin(folded):
            return []
        key = sound_key(folded)
        if not key:
            return []
        seen: set[int] = set()
        found: list[tuple[NameWord, Closeness]] = []
        for probe in _key_variants(key):
            block = self.blocks.get(probe)
            if block is None or (probe != key and len(block) > _MAX_BLOCK):
                continue
            for wid in block:
                if wid in seen:
                    continue
                seen.add(wid)
                word = self.fuzzy_words[wid]
                if abs(len(word.folded) - len(folded)) > 3 or word.folded == folded:
                    continue
                c = closeness(folded, word.folded)
                if c.tier <= 2:
                    found.append((word, c))
        found.sort(key=lambda wc: (wc[1].tier, wc[1].edits, wc[0].rank != "canonical", wc[0].entity.id))
        return found


@lru_cache(maxsize=65536)
def closeness(a: str, b: str) -> Closeness:
    """Judge two folded name words. Thresholds grow with length: one edit in a five-letter name is
    as telling as two in an eight-letter name that sounds the same (Zelanski / Zelensky).
    Cached: an article compares a thousand pairs, most of them the story's forms again."""
    if a == b:
        return Closeness(1, 0, True)
    edits = OSA.distance(a, b)
    # Thresholds follow the shorter word, so that a short word is never "close" to a long name
    # merely because the long name has room for edits.
    short = min(len(a), len(b))
    if edits > 4 or not a or not b or _is_plural_of(a, b) or _is_plural_of(b, a):
        return Closeness(3, edits, False)
    sa, sb = skeleton(a), skeleton(b)
    ka, kb = sound_key(a), sound_key(b)
    sounds = bool(ka) and ka == kb
    skel = OSA.distance(sa, sb)
    same_start = a[0] == b[0] or (bool(ka) and bool(kb) and ka[0] == kb[0])
    if same_start:
        if short >= 5 and edits == 1:
            return Closeness(1, edits, sounds)
        if short >= 7 and sounds and (edits <= 2 or skel <= 1):
            return Closeness(1, edits, sounds)
        if short >= 9 and sounds and skel <= 2 and a[:2] == b[:2]:
            return Closeness(1, edits, sounds)
        if short >= 4 and edits == 1:
            return Closeness(2, edits, sounds)
        if short >= 5 and sounds and skel <= 2:
            return Closeness(2, edits, sounds)
        if short >= 7 and sounds and skel <= 3 and a[:2] == b[:2]:
            return Closeness(2, edits, sounds)
    return Closeness(3, edits, sounds)


def _is_plural_of(a: str, b: str) -> bool:
    """"the Bidens", "two Koreas": a plural (or a possessive without its apostrophe) of a name is
    that name, not a misspelling of it."""
    return a in (b + "s", b + "es")


def sound_distance(a: str, b: str) -> int:
    return int(Levenshtein.distance(sound_key(a), sound_key(b)))


def _key_variants(key: str) -> Iterable[str]:
    yield key
    if len(key) >= _MIN_KEY_FOR_DELETES:
        for i in range(len(key)):
            yield key[:i] + key[i + 1 :]


_cache_lock = threading.Lock()
_cache: dict[int, tuple[GazetteerSnapshot, GazetteerIndex]] = {}


def index_for(gazetteer: GazetteerSnapshot) -> GazetteerIndex:
    """The index of ``gazetteer``, built on first use and cached by version. Version 0 means "not
    versioned" (tests, ad-hoc snapshots): those are compared by content instead."""
    with _cache_lock:
        hit = _cache.get(gazetteer.version)
        if hit is not None and (
            hit[0] is gazetteer
            or (gazetteer.version != 0 and len(hit[0].entities) == len(gazetteer.entities))
            or (gazetteer.version == 0 and hit[0] == gazetteer)
        ):
            return hit[1]
    index = build_index(gazetteer)
    with _cache_lock:
        if len(_cache) >= 4:
            _cache.pop(next(iter(_cache)))
        _cache[gazetteer.version] = (gazetteer, index)
    return index


def build_index(gazetteer: GazetteerSnapshot) -> GazetteerIndex:
    index = GazetteerIndex(version=gazetteer.version)
    for entity in gazetteer.entities:
        canonical = name_words(entity.name)
        is_person = entity.type == "person"
        forms: list[tuple[str, AliasRank]] = [(entity.name, "canonical")]
        forms += [(a.surface, a.kind) for a in entity.aliases if a.is_enabled]
        givens: set[str] = set()
        for surface, rank in forms:
            words = name_words(surface)
            if not words:
                continue
            folded = tuple(fold(w) for w in words)
            targets = _align_targets(words, canonical, is_person, keep_own=rank == "variant")
            if len(words) > 1:
                index.phrases.setdefault(folded[0], []).append(Phrase(folded, entity, rank, targets))
            for k, fw in enumerate(folded):
                role: Role
                if not is_person:
                    role = "name" if len(words) == 1 else "given"  # parts of place names aren't fuzzy
                elif k == len(words) - 1:
                    role = "surname"
                else:
                    role = "given"
                target = targets[k] if targets else surface
                word = NameWord(fw, entity, role, rank, target)
                index.words.setdefault(fw, []).append(word)
                if is_person and role == "given" and k == 0 and rank in ("canonical", "variant"):
                    givens.add(fw)
                if role != "given" and rank in ("canonical", "variant") and is_latin(fw):
                    wid = len(index.fuzzy_words)
                    index.fuzzy_words.append(word)
                    key = sound_key(fw)
                    if key:
                        for probe in _key_variants(key):
                            index.blocks.setdefault(probe, []).append(wid)
        if is_person and len(canonical) > 1:
            index.given_names[entity.id] = frozenset(givens)
            index.canonical_given[entity.id] = canonical[0]
    return index


def _align_targets(
    words: list[str], canonical: list[str], is_person: bool, keep_own: bool = False
) -> tuple[str, ...]:
    """The canonical word each alias word stands for: word for word when the counts agree, and for
    a person's shorter alias the tail of the canonical name ("Zelanski" -> "Zelensky"). A word of
    the alias that is not a spelling of the canonical word stands for itself: "Great Britain" is
    another name of the United Kingdom, and "Great Britan" is a misspelling of "Great Britain",
    not of "Great Kingdom". (``keep_own`` is for legitimate variants; misspelling and style
    aliases always stand for the canonical name.)"""
    if len(words) == len(canonical):
        return tuple(_spelling_of(w, c, keep_own) for w, c in zip(words, canonical, strict=True))
    if is_person and len(words) < len(canonical):
        tail = canonical[len(canonical) - len(words) :]
        return tuple(_spelling_of(w, c, keep_own) for w, c in zip(words, tail, strict=True))
    if len(words) == 1:
        return (_spelling_of(words[0], " ".join(canonical), keep_own),)
    return ()


def _spelling_of(word: str, canonical: str, keep_own: bool) -> str:
    if not keep_own:
        return canonical
    a, b = fold(word), fold(canonical)
    return canonical if a == b or closeness(a, b).tier <= 2 else word
