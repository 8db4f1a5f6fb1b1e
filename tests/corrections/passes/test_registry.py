"""The registry loads pass modules that have the whole PassModule interface, and no others."""

from __future__ import annotations

from pathlib import Path

import pytest

from corrections.passes.registry import DEFAULT_PASSES, PASS_ATTRIBUTES, load_passes


def test_pass_attributes_are_the_protocols() -> None:
    assert PASS_ATTRIBUTES == ("NAME", "VERSION", "KINDS", "USES_SIBLINGS", "USES_SOURCE_HISTORY", "story_evidence",
                               "run")


def test_default_passes_declare_every_attribute_with_its_type() -> None:
    modules = load_passes(DEFAULT_PASSES)
    for module in modules:
        assert isinstance(module.NAME, str) and isinstance(module.VERSION, str), module
        assert module.KINDS and all(isinstance(kind, str) for kind in module.KINDS), module.NAME
        assert isinstance(module.USES_SIBLINGS, bool), module.NAME
        assert isinstance(module.USES_SOURCE_HISTORY, bool), module.NAME
        assert callable(module.run), module.NAME
    assert len({m.NAME for m in modules}) == len(modules)
    assert [m.NAME for m in modules if m.USES_SOURCE_HISTORY] == ["boilerplate"]
    # A pass that reads the story says what of it its output depends on; the others nothing.
    assert all(callable(m.story_evidence) == m.USES_SIBLINGS for m in modules), [m.NAME for m in modules]


@pytest.mark.parametrize("missing", PASS_ATTRIBUTES)
def test_load_passes_refuses_a_module_without_an_attribute(
    missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = {
        "NAME": 'NAME = "partial"',
        "VERSION": 'VERSION = "1"',
        "KINDS": 'KINDS = ("other",)',
        "USES_SIBLINGS": "USES_SIBLINGS = False",
        "USES_SOURCE_HISTORY": "USES_SOURCE_HISTORY = False",
        "story_evidence": "story_evidence = None",
        "run": "def run(text, context):\n    return []",
    }
    module = f"partial_pass_without_{missing.lower()}"
    body = "\n".join(line for attr, line in lines.items() if attr != missing)
    (tmp_path / f"{module}.py").write_text(body + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError, match=f"pass module {module} has no {missing}$"):
        load_passes((module,))
