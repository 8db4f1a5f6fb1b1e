"""The pass interface: what a pass receives and what it returns.

A pass is a pure function ``run(text, context) -> list[Suggestion]``. It has no Django imports,
no database, no network, no clock and no randomness: the same input always gives the same output.
Everything a pass may consult arrives in the frozen :class:`PassContext`, built by
``corrections.pipeline``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

EntityType = Literal["person", "place", "organisation", "other"]
AliasKind = Literal["variant", "misspelling", "style"]
EdgePosition = Literal["top", "bottom"]

# Debris of a mis-decoded letter inside a word, which tokenisers keep in the word it sits in: a C1
# control character (UTF-8 read as Latin-1: 'DoÄ\x9fan' for 'Doğan'), or the Windows-1252 reading
# of a continuation byte after a lead byte read as a capital ('YÄ±lmaz', 'GÃ¶ran') when a letter
# follows; a no-break space only when a small letter follows ('Å\xa0imiÄ‡' for 'Šimić'), as after
# a capital it mostly ends a word ('JOSÉ\xa0Luis'). Split there, a word's tail reads as a word of
# its own: 'an' taken for the article, 'an an' for a repeated word.
WORD_DEBRIS = (
    "[\x80-\x9f]|(?<=[\u00c2-\u00df])"
    "(?:[€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\u00a1-\u00bf](?=[^\\W\\d_])|\u00a0(?=[^\\W\\d_A-Z\u00c0-\u00de]))"
)


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
    # The rule behind it, when one reference row or pattern decides it: "style:<StyleRule id>",
    # "entity:<Entity id>", "pattern:<pattern_key>", "chrome:source|shared|block"; "" otherwise.
    rule: str = ""


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
    """Another outlet's copy of the same story: evidence for consensus.

    Syndication prints one feed's text under many outlets: near-identical copies are one voice,
    not several. The pipeline groups them (``echo_group``, shared by the copies of one voice; ""
    for a copy that echoes no other) and marks the copies that echo this very copy (``is_echo``):
    they are this copy's own voice and no evidence about it."""

    article_id: int
    source: str
    text: str
    echo_group: str = ""
    is_echo: bool = False

    @property
    def voice(self) -> str:
        """What counts once in a consensus: the echo group, else the outlet."""
        return self.echo_group or self.source or f"#{self.article_id}"


@dataclass(frozen=True, slots=True)
class Voices:
    """The story's other copies that are evidence about this one, counted by independent voice."""

    siblings: tuple[SiblingText, ...]  # other outlets' copies, echoes of this copy left out
    count: int  # independent voices among them
    outlets: int  # outlets that print them
    echoes: int = 0  # other outlets printing this very copy's text (no evidence about it)
    echo_copies: tuple[SiblingText, ...] = ()  # those copies: only where they differ do they say anything

    def phrase(self, n: int) -> str:
        """'3 of 4 other outlets', or where outlets echo one another '2 of 3 independent copies
        (5 outlets)', '1 of 1 independent copy (1 outlet; 1 more prints this copy's text)'."""
        if self.outlets == self.count and not self.echoes:
            noun = "outlet" if self.count == 1 else "outlets"
            return f"{n} of {self.count} other {noun}"
        noun = "copy" if self.count == 1 else "copies"
        outlets = f"{self.outlets} outlet" + ("" if self.outlets == 1 else "s")
        if self.echoes:
            verb = "prints" if self.echoes == 1 else "print"
            outlets += f"; {self.echoes} more {verb} this copy's text"
        return f"{n} of {self.count} independent {noun} ({outlets})"


def story_voices(context: PassContext, limit: int | None = None) -> Voices:
    """The siblings that are evidence about this copy (not its own outlet's, not its echoes; the
    first ``limit``), with how many independent voices and outlets they are."""
    others = [s for s in context.siblings[:limit]
              if not (context.source and (s.source or f"#{s.article_id}") == context.source)]
    chosen = tuple(s for s in others if not s.is_echo)
    echo_copies = tuple(s for s in others if s.is_echo)
    return Voices(chosen, len({s.voice for s in chosen}), len({s.source or f"#{s.article_id}" for s in chosen}),
                  echoes=len(echo_copies), echo_copies=echo_copies)


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
    """What a pass module defines, and all the pipeline reads of it (the registry checks that a
    module has each of these before the pipeline takes it as a pass)."""

    NAME: str
    VERSION: str  # bump when output can change for the same input
    KINDS: tuple[str, ...]  # the kinds of suggestion it returns
    # Which evidence beyond the text it reads, so that its stored suggestions are refreshed when
    # that evidence changes: the story's other copies (context.siblings), what recent articles of
    # the source opened and closed with (context.boilerplate).
    USES_SIBLINGS: bool
    USES_SOURCE_HISTORY: bool
    # For a pass that reads the story: a digest of all that its output on ``text`` can depend on in
    # context.siblings (what it reads of each copy, grouped by voice, and the voice counts), not
    # which articles or outlets they are. A story's refresh runs the pass again on a copy only when
    # this changed (corrections.pipeline.evidence_key), so a new copy that tells a copy nothing new
    # costs it nothing. None: every change of a sibling's text counts.
    story_evidence: Callable[[str, PassContext], str] | None

    run: Callable[[str, PassContext], list[Suggestion]]


def stable_digest(value: object) -> str:
    """A digest of nested strings, numbers, tuples, lists, sets, dicts and dataclasses of them that
    is the same in every process (sets and dicts in sorted order, whatever the hash seed)."""
    return hashlib.blake2b(_canonical(value).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_PLAIN = (str, int, float, bool, type(None))


def _canonical(value: object) -> str:
    if isinstance(value, _PLAIN):
        return repr(value)
    # Containers of plain values (most of what passes read of a text) take the short way.
    if isinstance(value, set | frozenset):
        if all(isinstance(v, _PLAIN) for v in value):
            return "{" + ",".join(sorted(map(repr, value))) + "}"
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, dict):
        if all(isinstance(k, _PLAIN) and isinstance(v, _PLAIN) for k, v in value.items()):
            return "{" + ",".join(sorted(f"{k!r}:{v!r}" for k, v in value.items())) + "}"
        return "{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, list | tuple):
        if all(isinstance(v, _PLAIN) for v in value):
            return "(" + ",".join(map(repr, value)) + ")"
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return type(value).__name__ + _canonical(tuple(getattr(value, name) for name in fields))
    raise TypeError(f"no stable digest of {type(value).__name__}")


def voices_evidence(voices: Voices, read: Callable[[str], object], *, siblings: bool = True) -> str:
    """What a consensus over ``voices`` can depend on: how many voices, outlets and echoes there
    are, and per voice (as the passes group copies: an echo group, else an outlet) whether it
    echoes this copy and ``read`` of each of its copies; not which articles or outlets they are.
    ``siblings``: whether the context had siblings at all."""
    groups: dict[tuple[bool, str], list[str]] = {}
    for sibling in (*voices.siblings, *voices.echo_copies):
        groups.setdefault((sibling.is_echo, sibling.voice), []).append(stable_digest(read(sibling.text)))
    per_voice = sorted((is_echo, tuple(sorted(readings))) for (is_echo, _), readings in groups.items())
    return stable_digest((siblings, voices.count, voices.outlets, voices.echoes, tuple(per_voice)))


def make_suggestion(
    text: str,
    start: int,
    end: int,
    replacement: str,
    kind: str,
    confidence: float,
    explanation: str,
    evidence: tuple[str, ...] = (),
    rule: str = "",
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
        rule=rule,
    )


def pattern_key(pattern: str) -> str:
    """A starter pattern's stable name in rule keys: its text may be long, its place in the list
    may change."""
    return hashlib.sha256(pattern.encode("utf-8")).hexdigest()[:12]


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
    return spans_clash(a.start, a.end, b.start, b.end)


def spans_clash(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Two edits clash when they share a character; an insertion clashes with an insertion at the
    same point and with a span it falls strictly inside."""
    if start == end and other_start == other_end:
        return start == other_start
    if start == end:
        return other_start < start < other_end
    if other_start == other_end:
        return start < other_start < end
    return start < other_end and other_start < end


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
