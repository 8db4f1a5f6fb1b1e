"""What the entity pass has found so far in one article, shared by its matchers.

Each matcher (:mod:`entity_gazetteer`, :mod:`entity_aligned`, :mod:`entity_article`) reads the
article, the gazetteer index and the story's evidence from :class:`Matches` and records fixes in
it; later matchers read the fixes and resolutions of earlier ones (a form resolved once is
resolved everywhere, a neighbour corrected is read as corrected).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corrections.passes.base import Entity
from corrections.passes.entity_story import Consensus, CopyDamage
from corrections.passes.entity_wording import match_case
from corrections.passes.names_index import GazetteerIndex
from corrections.passes.names_text import Document, Token, common_words, is_latin

_MIN_CANDIDATE_LEN = 4


@dataclass(frozen=True, slots=True)
class Fix:
    token: int
    replacement: str
    confidence: float
    explanation: str
    evidence: tuple[str, ...] = ()
    kind: str = "entity"
    rule: str = ""  # "entity:<id>" when a gazetteer entity decided it


def entity_rule(entity: Entity | None) -> str:
    return f"entity:{entity.id}" if entity is not None else ""


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a capitalised word should be, and why."""

    target: str
    entity: Entity | None
    confidence: float
    explanation: str
    evidence: tuple[str, ...]


@dataclass(slots=True)
class Matches:
    doc: Document
    index: GazetteerIndex
    consensus: Consensus
    common: frozenset[str] = field(default_factory=common_words)
    fixes: dict[int, Fix] = field(default_factory=dict)  # token index -> fix
    resolved_forms: dict[str, Resolution] = field(default_factory=dict)  # folded form -> resolution used
    person_forms: frozenset[str] = frozenset()  # forms this article uses as a person's surname
    # (form, person only, gazetteer consulted) -> resolution: a form recurs in an article
    memo: dict[tuple[str, bool, bool], Resolution | None] = field(default_factory=dict)
    damage: CopyDamage = field(init=False)

    def __post_init__(self) -> None:
        self.damage = CopyDamage(self.doc, self.consensus, self.common)

    def add(self, i: int, res: Resolution) -> None:
        """Fix token ``i`` to ``res.target``, in the token's case."""
        self.fixes[i] = Fix(i, match_case(self.doc.tokens[i].surface, res.target), res.confidence, res.explanation,
                            res.evidence, rule=entity_rule(res.entity))

    def is_candidate(self, tok: Token, strict: bool) -> bool:
        """May this word be a damaged name on its own evidence? (``strict``: no supporting name)"""
        f = tok.folded
        if not tok.is_capitalised or len(f) < _MIN_CANDIDATE_LEN or not is_latin(f):
            return False
        if self.index.is_known(f) or f in self.doc.lower_words:
            return False
        return not (strict and f in self.common)
