"""A pass for tests of bounded work, plugged in directly or through NEWSROOM_PASSES.

It proposes "SLIP" → "slip" at every occurrence of "SLIP", and on a text containing "SPIN" it
loops for ever (pure Python, as a pathological pass would): only a time budget stops it. On
"SWALLOW" it also loops for ever but swallows the first exception raised into it, as a finaliser
run by the garbage collector inside a pass would.
"""

from __future__ import annotations

import re

from corrections.passes.base import PassContext, Suggestion, make_suggestion

NAME = "marker"
VERSION = "1"
KINDS = ("spelling",)
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None


def run(text: str, context: PassContext) -> list[Suggestion]:
    if "SWALLOW" in text:
        try:
            _spin()
        except BaseException:  # noqa: S110 - the point: an exception lost where it was raised
            pass
        _spin()
    if "SPIN" in text:
        n = 0
        while True:  # never returns: a pass stuck on its input
            n += 1
    return [make_suggestion(text, m.start(), m.end(), "slip", "spelling", 0.9, "A marked slip.")
            for m in re.finditer("SLIP", text)]


def _spin() -> None:
    n = 0
    while True:
        n += 1
