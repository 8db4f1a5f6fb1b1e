"""The passes the pipeline runs, in order. A pass module is listed here and nowhere else."""

from __future__ import annotations

import importlib
from typing import cast

from corrections.passes.base import PassModule

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


# Every attribute the protocol declares, in its order: NAME, VERSION, ..., run.
PASS_ATTRIBUTES: tuple[str, ...] = tuple(PassModule.__annotations__)


def load_passes(paths: tuple[str, ...] = DEFAULT_PASSES) -> list[PassModule]:
    """Import the pass modules named by dotted path, checking each has the pass interface
    (every attribute of :class:`PassModule`). Raises ImportError naming the first one missing."""
    modules: list[PassModule] = []
    for path in paths:
        module = importlib.import_module(path)
        for attr in PASS_ATTRIBUTES:
            if not hasattr(module, attr):
                raise ImportError(f"pass module {path} has no {attr}")
        modules.append(cast(PassModule, module))
    return modules
