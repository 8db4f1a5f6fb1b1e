"""What a pass that reads the story says its output depends on (``story_evidence``): equal
evidence, equal suggestions; the same digest in every process, whatever the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from corrections import starter_data
from corrections.passes.base import BoilerplateProfile, PassContext, SiblingText, stable_digest
from corrections.passes.registry import DEFAULT_PASSES, load_passes

ROOT = Path(__file__).resolve().parents[3]
SEEDS = sorted((ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
STORY_PASSES = [m for m in load_passes(DEFAULT_PASSES) if m.USES_SIBLINGS]


def seed(n: int) -> str:
    return SEEDS[n].read_text(encoding="utf-8")


def context(siblings: list[tuple[int, str, str]]) -> PassContext:
    return PassContext(
        source="outlet-0", title=seed(0).split("\n", 1)[0], gazetteer=starter_data.load_gazetteer(),
        style_rules=starter_data.load_style_rules(),
        boilerplate=BoilerplateProfile(patterns=starter_data.load_boilerplate_patterns()),
        siblings=tuple(SiblingText(article_id=a, source=s, text=t) for a, s, t in siblings))


BASE = [(1, "outlet-1", seed(1)), (2, "outlet-2", seed(2)), (3, "outlet-3", seed(3))]


@pytest.mark.parametrize("module", STORY_PASSES, ids=lambda m: m.NAME)
def test_another_outlet_printing_what_one_printed_changes_nothing(module) -> None:  # type: ignore[no-untyped-def]
    """Outlet 3's copy replaced by outlet 9's, the same feed as outlet 9 printed it (the cap on
    siblings pushed one out, a new one came in): same evidence, same suggestions."""
    text = seed(0)
    before = context(BASE)
    reprint = seed(3).replace("\n\n", "\n\n\n", 1) + "  \n"
    after = context([*BASE[:2], (99, "outlet-9", reprint)])
    assert module.story_evidence(text, before) == module.story_evidence(text, after)
    assert module.run(text, before) == module.run(text, after)


@pytest.mark.parametrize("module", STORY_PASSES, ids=lambda m: m.NAME)
def test_a_copy_with_other_evidence_changes_the_evidence(module) -> None:  # type: ignore[no-untyped-def]
    text = seed(0)
    before = context(BASE)
    after = context([*BASE, (4, "outlet-4", seed(4))])
    if module.NAME == "boilerplate":  # it reads only the lines this copy shares with the others
        after = context([*BASE, (4, "outlet-4", seed(4) + "\n\n" + text.split("\n")[-1])])
    assert module.story_evidence(text, before) != module.story_evidence(text, after)


def test_an_echo_is_told_from_an_independent_voice() -> None:
    entities = next(m for m in STORY_PASSES if m.NAME == "entities")
    text = seed(0)
    plain = context(BASE)
    echoed = replace(plain, siblings=(*plain.siblings[:2], replace(plain.siblings[2], echo_group="echo-1",
                                                                   is_echo=True)))
    assert entities.story_evidence(text, plain) != entities.story_evidence(text, echoed)


def test_the_digest_is_the_same_in_every_process() -> None:
    value = {"b": frozenset({"x", "y", "z"}), "a": (1, 2.5, None, {"k": frozenset({"q", "p"})})}
    code = ("from corrections.passes.base import stable_digest; "
            "print(stable_digest({'b': frozenset({'x', 'y', 'z'}), 'a': (1, 2.5, None, {'k': frozenset({'q', 'p'})})}))")
    for seed_value in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                             env=dict(os.environ, PYTHONHASHSEED=seed_value, PYTHONPATH=str(ROOT))).stdout.strip()
        assert out == stable_digest(value)
