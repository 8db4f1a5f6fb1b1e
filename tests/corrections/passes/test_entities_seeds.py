"""Entity pass on the seed story: consensus stands on its own, and correct copies stay untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from corrections import starter_data
from corrections.passes import entities
from corrections.passes.base import GazetteerSnapshot, PassContext, SiblingText

SEEDS = sorted((Path(__file__).resolve().parents[3] / "seeds").glob("[0-9][0-9][0-9]_*.txt"))


def _context(k: int, gazetteer: GazetteerSnapshot) -> PassContext:
    siblings = tuple(
        SiblingText(article_id=j, source=f"seed-outlet-{j:03d}", text=p.read_text(encoding="utf-8"))
        for j, p in enumerate(SEEDS)
        if j != k
    )
    return PassContext(
        source=f"seed-outlet-{k:03d}",
        gazetteer=gazetteer,
        siblings=siblings,
        style_rules=starter_data.load_style_rules(),
    )


def test_consensus_alone_corrects_the_damaged_copy() -> None:
    # given an empty gazetteer, the other four outlets are the only evidence
    text = SEEDS[0].read_text(encoding="utf-8")
    found = {(s.original, s.replacement) for s in entities.run(text, _context(0, GazetteerSnapshot()))}
    assert {
        ("Radkin", "Radakin"),
        ("Lavarov", "Lavrov"),
        ("Zelanski", "Zelensky"),
        ("Zelansky", "Zelensky"),
    } <= found


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_copies_that_spell_names_right_get_no_entity_suggestions(k: int) -> None:
    text = SEEDS[k].read_text(encoding="utf-8")
    assert entities.run(text, _context(k, starter_data.load_gazetteer())) == []
