"""The configured passes (settings.NEWSROOM_PASSES, else the registry's defaults), loaded once per
process: what the pipeline runs, and the order in which contradictions are settled
(corrections.conflicts) after a pass run or an editor's decision."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from corrections.passes import base
from corrections.passes.registry import DEFAULT_PASSES, load_passes


@lru_cache(maxsize=4)
def _load(paths: tuple[str, ...]) -> tuple[base.PassModule, ...]:
    return tuple(load_passes(paths))


def pass_modules() -> tuple[base.PassModule, ...]:
    return _load(tuple(settings.NEWSROOM_PASSES) or DEFAULT_PASSES)
