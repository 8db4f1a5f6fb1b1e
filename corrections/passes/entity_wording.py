"""How the entity pass words its suggestions: the sentence an editor reads and the short facts beside
it ("2 edits from 'Zelensky', same sound", "3 of 4 other outlets in this story write 'Radakin'")."""

from __future__ import annotations

from corrections.passes.base import Entity
from corrections.passes.names_index import Closeness, NameWord, closeness
from corrections.passes.names_text import Document, fold


def describe(entity: Entity | None) -> str:
    if entity is None:
        return ""
    return f"{entity.name}, {entity.description}" if entity.description else entity.name


def how_close(c: Closeness) -> str:
    edits = "1 edit" if c.edits == 1 else f"{c.edits} edits"
    return f"is {edits} from and sounds like" if c.sounds_alike else f"is {edits} from"


def distance_fact(c: Closeness, target: str) -> str:
    return f"{c.edits} edit{'s' if c.edits != 1 else ''} from '{target}'" + (", same sound" if c.sounds_alike else "")


def explain_gazetteer(doc: Document, f: str, word: NameWord, c: Closeness) -> str:
    """Name the evidence against the spelling we propose (not the variant that matched best)."""
    to_target = closeness(f, fold(word.target))
    shown = Closeness(c.tier, to_target.edits, to_target.sounds_alike or c.sounds_alike)
    return f"'{surface_of(doc, f)}' {how_close(shown)} '{word.target}' — {describe(word.entity)}."


def outlets(copies: str, surface: str) -> str:
    """``copies`` from Consensus.copies: "3 of 4 other outlets in this story write 'Radakin'"."""
    return f"{copies} in this story write '{surface}'"


def surface_of(doc: Document, folded: str) -> str:
    """How this article prints a folded form (its first occurrence), or the form itself."""
    for tok in doc.tokens:
        if tok.folded == folded:
            return tok.surface
    return folded


def match_case(surface: str, target: str) -> str:
    if surface.isupper() and len(surface) > 1:
        return target.upper()
    return target
