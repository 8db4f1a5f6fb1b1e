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

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")

MAX_CHARS = 200_000


def per_text(maxsize: int = 64, max_chars: int = MAX_CHARS) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Cache a function of one text: the last ``maxsize`` texts of at most ``max_chars``."""

    def decorate(function: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(text: str) -> T:
            return cached(text) if len(text) <= max_chars else function(text)

        return call

    return decorate
