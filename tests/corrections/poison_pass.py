"""A pass for tests of failure handling, plugged in through NEWSROOM_PASSES.

It raises on texts containing POISON-RAISE, kills its worker process on POISON-CRASH (as an
out-of-memory kill would) and takes N seconds on POISON-SLOW-N (a long article); otherwise it
proposes nothing.
"""

from __future__ import annotations

import os
import re
import time

from corrections.passes.base import PassContext, Suggestion

NAME = "poison"
VERSION = "1"
KINDS = ("other",)
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None


def run(text: str, context: PassContext) -> list[Suggestion]:
    if "POISON-CRASH" in text:
        os._exit(70)
    if "POISON-RAISE" in text:
        raise RuntimeError("the poison pass refuses this text")
    slow = re.search(r"POISON-SLOW-(\d+)", text)
    if slow:
        time.sleep(int(slow.group(1)))
    return []
