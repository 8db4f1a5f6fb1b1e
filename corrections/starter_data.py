"""Starter data shipped in seeds/: house-style rules, boilerplate patterns and the gazetteer.

Plain file readers with no Django imports, so that the offline harness (bench/) and the
``load_seeds`` command read the same files the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from corrections.passes.base import StyleRule

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def load_style_rules(path: Path = SEEDS_DIR / "style_rules.json") -> tuple[StyleRule, ...]:
    """House-style rules: ``{"rules": [{pattern, replacement, exceptions?, ...}]}``."""
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        StyleRule(
            id=i + 1,
            pattern=r["pattern"],
            replacement=r["replacement"],
            is_whole_word=r.get("is_whole_word", True),
            is_case_sensitive=r.get("is_case_sensitive", True),
            exceptions=tuple(r.get("exceptions", ())),
            explanation=r.get("explanation", ""),
        )
        for i, r in enumerate(data["rules"])
    )


def load_boilerplate_patterns(path: Path = SEEDS_DIR / "boilerplate.txt") -> tuple[str, ...]:
    """One regular expression per line, matched against a whole stripped line; '#' comments."""
    if not path.exists():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
