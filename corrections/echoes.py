"""Echoes: near-identical copies of a story printed by several outlets (syndication, one feed
republished), which are one voice in a consensus, not several.

Two copies echo each other when the MinHash signatures the story clustering keeps say their words
are nearly the same (estimated Jaccard at least ``ECHO_SIMILARITY``) and they print nearly the same
capitalised forms (``ECHO_NAMES``): a copy whose names were mangled by its own translation or typing
is a voice of its own on those names, however many of its other words it shares. Echoes are
grouped transitively. A pure function of texts and signatures; the pipeline gives it the stored
signatures, the offline benchmarks compute them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from corrections.passes.base import SiblingText
from corrections.passes.text_cache import per_text

ECHO_SIMILARITY = 0.9
ECHO_NAMES = 0.95

_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")


@per_text()
def name_forms(text: str) -> frozenset[str]:
    """The capitalised words a copy prints (as printed)."""
    return frozenset(w for w in _WORD.findall(text) if w[0].isupper())


def _same_names(a: frozenset[str], b: frozenset[str]) -> bool:
    union = len(a | b)
    return union == 0 or len(a & b) >= ECHO_NAMES * union


def mark_echoes[S](
    text: str,
    signature: S | None,
    siblings: Sequence[tuple[SiblingText, S | None]],
    similarity: Callable[[S, S], float],
) -> tuple[SiblingText, ...]:
    """The siblings with ``echo_group`` set on copies that echo another one (labelled by the
    smallest article id of their group) and ``is_echo`` on the copies that echo this one (whose
    ``text`` and ``signature`` are given)."""
    texts = [text, *(s.text for s, _ in siblings)]
    signatures = [signature, *(sig for _, sig in siblings)]
    parent = list(range(len(texts)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i in range(len(texts)):
        a = signatures[i]
        if a is None:
            continue
        for j in range(i + 1, len(texts)):
            b = signatures[j]
            if b is None or root(i) == root(j) or similarity(a, b) < ECHO_SIMILARITY:
                continue
            if _same_names(name_forms(texts[i]), name_forms(texts[j])):
                parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for k in range(len(texts)):
        members.setdefault(root(k), []).append(k)
    mine = root(0)
    out: list[SiblingText] = []
    for k, (sibling, _) in enumerate(siblings, start=1):
        group = members[root(k)]
        if len(group) == 1:
            out.append(sibling)
            continue
        label = "echo-" + str(min(siblings[m - 1][0].article_id for m in group if m != 0))
        out.append(replace(sibling, echo_group=label, is_echo=root(k) == mine))
    return tuple(out)
