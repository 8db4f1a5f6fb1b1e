"""Work on a text done once per process: what passes derive from a whole text, shared.

The same text comes back again and again in one worker process: several passes read one article
(the encoding pass and the entity pass both want its mojibake), and a story's copies are each
other's siblings, so a copy read as this article's text is read again as a sibling of the next
copy and on every refresh. A function of the text alone, decorated with :func:`per_text`, is
computed once per text while the text stays among the recent ones.

Only the result is kept, so it must be immutable (tuples, frozensets, frozen dataclasses). Texts
longer than ``max_chars`` are not kept: a few huge articles must not fill the memory of a worker.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

T = TypeVar("T")

MAX_CHARS = 200_000
# What one cached function keeps at most, in characters of the texts it keeps results for: about
# 14 bytes of results per character per function for news copy, so about 14 MB per function.
BUDGET_CHARS = 1_000_000


def per_text(maxsize: int = 128, max_chars: int = MAX_CHARS,
             budget_chars: int = BUDGET_CHARS) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Cache a function of one text: the last ``maxsize`` texts of at most ``max_chars``, as long
    as they hold ``budget_chars`` characters together (the least recently used go first). A story's
    refresh reads its copies' siblings, many of them the same: 128 ordinary copies stay while a few
    huge articles cannot fill a worker's memory."""

    def decorate(function: Callable[[str], T]) -> Callable[[str], T]:
        cache: OrderedDict[str, T] = OrderedDict()
        held = [0]  # characters of the texts cached

        @wraps(function)
        def call(text: str) -> T:
            if len(text) > max_chars:
                return function(text)
            if text in cache:
                cache.move_to_end(text)
                return cache[text]
            value = function(text)
            cache[text] = value
            held[0] += len(text)
            while len(cache) > maxsize or held[0] > budget_chars:
                old, _ = cache.popitem(last=False)
                held[0] -= len(old)
            return value

        return call

    return decorate
