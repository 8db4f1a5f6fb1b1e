"""Suggestions of different passes that contradict one another, settled before an editor sees them.

Each pass reads the revision's text on its own, so two passes can propose edits that cannot both
stand: a grammar fix inside a repeated sentence the duplicate pass deletes, a name fix on a word
whose letters the encoding pass is re-decoding ('DoÄ\\x9fan'), two replacements of one span. An
editor can only accept one of them, and the other is wrong whatever the editor does, so the
pipeline keeps one and sets the others aside (with a note saying which suggestion made them moot).

The rule, applied greedily from the strongest suggestion down:

1. Deletions of whole lines, sentences and word runs (boilerplate, duplicate) come first: whatever
   lies inside text that is going away is moot.
2. Repairs of the text itself come next: encoding, then whitespace. While an encoding repair is
   pending, the whole word it sits in is under repair: another pass read that word with its bytes
   mangled ('DoÄ' + C1 control + 'an' is no name and its tail 'an' no article), so nothing else may
   touch the word. A word holding a C1 control character counts as under repair even when no
   encoding suggestion covers it: in running text those characters are always decoding debris.
3. Everything else, by confidence, then by the pass order of the registry; a suggestion is kept
   only if it clashes with none kept so far (two edits clash when they share a character, see
   :func:`~corrections.passes.base.spans_clash`).

Showing contradicting suggestions as one choice was considered and not chosen: in every case met
the weaker suggestion is not an alternative an editor would want (it was made on text that is
about to change), and a set-aside suggestion is kept with its note, not deleted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corrections.passes.base import Suggestion
from corrections.passes.base import spans_clash as clash

# Kinds whose suggestions delete text wholesale, and the repairs of the text itself, strongest first.
DELETING_KINDS = ("boilerplate", "duplicate")
REPAIR_KINDS = ("encoding", "whitespace")

# Characters that end a word around a repair: whitespace (Python's, less the C1 "next line" and
# the information separators, which mis-decoding leaves inside words) and bracketing punctuation.
_WORD_EDGE = re.compile(r"[^\S\x1c-\x1f\x85]|[.,;:!?()\[\]{}\"“”«»]")
_C1_WORD = re.compile(r"[^\s.,;:!?()\[\]{}\"“”«»]*[\x80-\x9f][^\s.,;:!?()\[\]{}\"“”«»]*")


@dataclass(frozen=True, slots=True)
class Proposal:
    """A suggestion as the resolver sees it: which pass made it (``order``: its place in the
    registry) and what it would do."""

    pass_name: str
    order: int
    kind: str
    start: int
    end: int
    original: str
    replacement: str
    confidence: float


@dataclass(frozen=True, slots=True)
class SetAside:
    index: int  # position in the proposals given
    note: str  # why, naming the suggestion that made it moot


def word_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The word that the span ``[start, end)`` sits in (the span itself when it is whitespace)."""
    a = start
    while a > 0 and _WORD_EDGE.match(text, a - 1) is None:
        a -= 1
    b = end
    while b < len(text) and _WORD_EDGE.match(text, b) is None:
        b += 1
    return a, b


def debris_words(text: str) -> list[tuple[int, int]]:
    """Words holding a C1 control character: decoding debris whatever any pass says."""
    return [(m.start(), m.end()) for m in _C1_WORD.finditer(text)]


def _rank(p: Proposal) -> tuple[int, float, int, int]:
    if p.kind in DELETING_KINDS and p.replacement == "":
        tier = 0
    elif p.kind in REPAIR_KINDS:
        tier = 1 + REPAIR_KINDS.index(p.kind)
    else:
        tier = 1 + len(REPAIR_KINDS)
    return (tier, -p.confidence, p.order, p.start)


def _describe(p: Proposal) -> str:
    if p.replacement == "":
        return f"the {p.pass_name} pass deletes the text around it"
    if p.kind in REPAIR_KINDS:
        return f"the {p.pass_name} pass is repairing '{p.original}' → '{p.replacement}' in this word"
    return f"the {p.pass_name} pass proposes '{p.original}' → '{p.replacement}' here"


def resolve(text: str, proposals: Sequence[Proposal]) -> list[SetAside]:
    """Which proposals to set aside so that the rest never contradict one another. Pure."""
    order = sorted(range(len(proposals)), key=lambda k: _rank(proposals[k]))
    debris = debris_words(text)
    kept: list[tuple[Proposal, tuple[int, int]]] = []  # with the region it holds against others
    out: list[SetAside] = []
    for k in order:
        p = proposals[k]
        is_repair = p.kind in REPAIR_KINDS
        if not is_repair and any(clash(p.start, p.end, a, b) for a, b in debris):
            out.append(SetAside(k, "set aside: it lands in a word whose characters were mis-decoded"))
            continue
        blocker = None
        for q, (a, b) in kept:
            region = (a, b) if not is_repair else (q.start, q.end)
            if clash(p.start, p.end, *region):
                blocker = q
                break
        if blocker is not None:
            out.append(SetAside(k, f"set aside: {_describe(blocker)}"))
            continue
        region = word_around(text, p.start, p.end) if p.kind == "encoding" else (p.start, p.end)
        kept.append((p, region))
    return sorted(out, key=lambda s: s.index)



def settle(text: str, per_pass: Sequence[tuple[str, Sequence[Suggestion]]]) -> list[tuple[str, Suggestion]]:
    """The suggestions of several passes (given in registry order) that survive :func:`resolve`,
    with the name of the pass that made each: what the pipeline leaves pending, without a database."""
    found = [(name, order, s) for order, (name, suggestions) in enumerate(per_pass) for s in suggestions]
    proposals = [
        Proposal(name, order, s.kind, s.start, s.end, s.original, s.replacement, s.confidence)
        for name, order, s in found
    ]
    aside = {a.index for a in resolve(text, proposals)}
    return [(name, s) for k, (name, _, s) in enumerate(found) if k not in aside]
