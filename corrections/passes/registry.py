"""The passes the pipeline runs, in order. A pass module is listed here and nowhere else."""

from __future__ import annotations

import importlib
from types import ModuleType

DEFAULT_PASSES: tuple[str, ...] = (
    "corrections.passes.encoding",
    "corrections.passes.whitespace",
    "corrections.passes.boilerplate",
    "corrections.passes.duplicate",
    "corrections.passes.punctuation",
    "corrections.passes.entities",
    "corrections.passes.capitals",
    "corrections.passes.house_style",
    "corrections.passes.spelling",
    "corrections.passes.grammar",
)


def load_passes(paths: tuple[str, ...] = DEFAULT_PASSES) -> list[ModuleType]:
    """Import the pass modules named by dotted path, checking each has the pass interface."""
    modules = []
    for path in paths:
        module = importlib.import_module(path)
        for attr in ("NAME", "VERSION", "KINDS", "USES_SIBLINGS", "run"):
            if not hasattr(module, attr):
                raise ImportError(f"pass module {path} has no {attr}")
        modules.append(module)
    return modules
