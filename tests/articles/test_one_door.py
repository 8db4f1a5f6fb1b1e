"""articles reaches corrections through one module, corrections/intake.py, and nothing else."""

from __future__ import annotations

import pytest

from tests.imports import ROOT, imported_modules

DOOR = "corrections.intake"


def corrections_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of corrections in ``source``: ``corrections`` itself, or
    the module of corrections that the import goes through."""
    found = []
    for line, name in imported_modules(source):
        parts = name.split(".")
        if parts[0] == "corrections":
            found.append((line, ".".join(parts[:2])))
    return found


@pytest.mark.parametrize(("source", "modules"), [
    ("from corrections.intake import accept_revision", ["corrections.intake"]),
    ("from corrections import intake", ["corrections.intake"]),
    ("import corrections.intake", ["corrections.intake"]),
    ("from corrections.models import Suggestion", ["corrections.models"]),
    ("from corrections.passes.encoding import count_invisible", ["corrections.passes"]),
    ("from corrections import jobs, intake", ["corrections.jobs", "corrections.intake"]),
    ("import corrections", ["corrections"]),
    ("def f():\n    from corrections.jobs import create_job\n", ["corrections.jobs"]),
    ("from correctionsx import y\nimport articles.models", []),
])
def test_corrections_imports_finds_every_form(source: str, modules: list[str]) -> None:
    assert [name for _, name in corrections_imports(source)] == modules


def test_articles_imports_corrections_only_through_the_door() -> None:
    files = sorted((ROOT / "articles").rglob("*.py"))
    assert files, "no articles package beside the tests"
    stray = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files
        for line, name in corrections_imports(path.read_text(encoding="utf-8"))
        if name != DOOR
    ]
    assert stray == [], f"articles may import from corrections only through {DOOR}"
