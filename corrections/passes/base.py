"""The pass interface: what a pass receives and what it returns.

A pass is a pure function ``run(text, context) -> list[Suggestion]``. It has no Django imports,
no database, no network, no clock and no randomness: the same input always gives the same output.
Everything a pass may consult arrives in the frozen :class:`PassContext`, built by
``corrections.pipeline``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

EntityType = Literal["person", "place", "organisation", "other"]
AliasKind = Literal["variant", "misspelling", "style"]
EdgePosition = Literal["top", "bottom"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One proposed edit, anchored to a revision's text by code-point offsets."""

    start: int  # code-point offset into the revision text, inclusive
    end: int  # exclusive; start == end is an insertion
    original: str  # always text[start:end]
    replacement: str
    kind: str  # "encoding", "whitespace", "boilerplate", "duplicate", "entity", ...
    confidence: float  # 0..1
    explanation: str  # one sentence for the editor
    evidence: tuple[str, ...] = ()  # short supporting facts shown beside the explanation


@dataclass(frozen=True, slots=True)
class Alias:
    surface: str
    kind: AliasKind = "variant"
    is_enabled: bool = True


@dataclass(frozen=True, slots=True)
class Entity:
    id: int
    name: str  # canonical, house-style spelling
    type: EntityType
    description: str = ""
    aliases: tuple[Alias, ...] = ()
    wikidata_id: str = ""


@dataclass(frozen=True, slots=True)
class GazetteerSnapshot:
    """All enabled entities at one gazetteer version. Indexes built from it are cached by version."""

    version: int = 0
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True, slots=True)
class StyleRule:
    id: int
    pattern: str  # the word or phrase to replace ("Kiev")
    replacement: str  # house style ("Kyiv")
    is_whole_word: bool = True
    is_case_sensitive: bool = True
    exceptions: tuple[str, ...] = ()  # phrases in which the pattern stays ("Chicken Kiev")
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class SiblingText:
    """Another outlet's copy of the same story: evidence for consensus."""

    article_id: int
    source: str
    text: str


@dataclass(frozen=True, slots=True)
class EdgeLineStat:
    """How often a line (normalised) opened or closed recent articles: of this source (``count``
    distinct texts), or of other stories (``count`` distinct stories from ``sources`` outlets)."""

    line: str
    position: EdgePosition
    count: int
    sources: int = 1


@dataclass(frozen=True, slots=True)
class BoilerplateProfile:
    recent_articles: int = 0  # how many recent articles of the source the counts cover
    edge_lines: tuple[EdgeLineStat, ...] = ()
    patterns: tuple[str, ...] = ()  # starter regular expressions (seeds/boilerplate.txt), full-line
    # Lines at the edges of recent articles of several other stories and outlets: chrome that
    # travels (share bars, newsletter appeals) is no story's own.
    shared_lines: tuple[EdgeLineStat, ...] = ()


@dataclass(frozen=True, slots=True)
class PassContext:
    source: str = ""
    language: str = "en"
    title: str = ""
    gazetteer: GazetteerSnapshot = field(default_factory=GazetteerSnapshot)
    style_rules: tuple[StyleRule, ...] = ()
    siblings: tuple[SiblingText, ...] = ()
    boilerplate: BoilerplateProfile = field(default_factory=BoilerplateProfile)
    # (original, replacement) pairs that editors rejected: never propose them again.
    suppressed: frozenset[tuple[str, str]] = frozenset()


EMPTY_CONTEXT = PassContext()


class PassModule(Protocol):
    NAME: str
    VERSION: str
    KINDS: tuple[str, ...]
    USES_SIBLINGS: bool

    run: Callable[[str, PassContext], list[Suggestion]]


def make_suggestion(
    text: str,
    start: int,
    end: int,
    replacement: str,
    kind: str,
    confidence: float,
    explanation: str,
    evidence: tuple[str, ...] = (),
) -> Suggestion:
    """Build a suggestion whose ``original`` is exactly ``text[start:end]``."""
    return Suggestion(
        start=start,
        end=end,
        original=text[start:end],
        replacement=replacement,
        kind=kind,
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        explanation=explanation,
        evidence=evidence,
    )


def drop_overlaps(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Sort by position and keep the first of any overlapping suggestions (higher confidence first
    when two start at the same place), so that a pass never returns overlapping spans."""
    ordered = sorted(suggestions, key=lambda s: (s.start, -s.confidence, s.end))
    kept: list[Suggestion] = []
    for s in ordered:
        if kept and _overlaps(kept[-1], s):
            continue
        kept.append(s)
    return kept


def _overlaps(a: Suggestion, b: Suggestion) -> bool:
    """Spans overlap when they share a character; an insertion also clashes with another
    insertion at the same point or with a span it falls strictly inside."""
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


class Edit(Protocol):
    """Anything that replaces ``original`` at ``[start, end)`` with ``replacement``: a pass's
    Suggestion or a stored one."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def original(self) -> str: ...
    @property
    def replacement(self) -> str: ...


def apply_suggestions(text: str, suggestions: Sequence[Edit]) -> str:
    """Apply non-overlapping edits to ``text``. Raises ValueError on overlap or mismatch."""
    out: list[str] = []
    pos = 0
    for s in sorted(suggestions, key=lambda s: (s.start, s.end)):
        if s.start < pos:
            raise ValueError(f"the edit at {s.start} overlaps the previous one ending at {pos}")
        if text[s.start : s.end] != s.original:
            raise ValueError(f"the edit at {s.start} no longer matches the text")
        out.append(text[pos : s.start])
        out.append(s.replacement)
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
