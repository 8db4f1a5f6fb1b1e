"""The entity pass within one article: machine translation spells one name several ways.

* :func:`match_document_variants`: a form close to one already resolved in this article (or to a
  known surname it uses) follows it (Zelancesi beside Zelanski -> Zelensky);
* :func:`match_majority_forms`: a name the article writes several times one way outweighs a single
  slip of it that no dictionary, gazetteer or other outlet knows.
"""

from __future__ import annotations

from collections import Counter

from corrections.passes.entity_matches import Matches, Resolution
from corrections.passes.entity_wording import describe, distance_fact, how_close, surface_of
from corrections.passes.names_index import Closeness, closeness, sound_distance
from corrections.passes.names_text import dictionary_words, is_latin, skeleton

_APOSTROPHES = "'’ʼ"
_MAJORITY_USES = 2  # an article spelling a name this often one way is evidence against a rare form


def match_document_variants(m: Matches) -> None:
    """Forms this article spells several ways: an unresolved form close to a resolved one (or
    to a known surname used in this article) follows it."""
    tokens = m.doc.tokens
    anchors: dict[str, Resolution] = dict(m.resolved_forms)
    for i in m.doc.capitalised:
        tok = tokens[i]
        if tok.folded not in anchors:
            persons = [w for w in m.index.readings(tok.folded) if w.role == "surname" and w.rank != "misspelling"]
            if persons:
                word = persons[0]
                anchors[tok.folded] = Resolution(word.target, word.entity, 0.0, "", ())
    if not anchors:
        return
    for _ in range(2):
        added: dict[str, Resolution] = {}
        for i in m.doc.capitalised:  # a candidate is capitalised
            tok = tokens[i]
            f = tok.folded
            if i in m.fixes or f in anchors or f in added or not m.is_candidate(tok, strict=True):
                continue
            if m.consensus.count(f) > 0:
                continue
            match = _closest_anchor(f, anchors)
            if match is None:
                continue
            anchor, res = match
            original = surface_of(m.doc, anchor)
            about = f" — {describe(res.entity)}" if res.entity is not None else ""
            if original.casefold() == res.target.casefold():
                explanation = f"'{tok.surface}' looks like another spelling of '{res.target}', also in this article{about}."
            else:
                explanation = (
                    f"'{tok.surface}' looks like another spelling of '{original}', which this article also "
                    f"uses for '{res.target}'{about}."
                )
            added[f] = Resolution(res.target, res.entity, 0.6, explanation, ("spelled several ways in this article",))
        if not added:
            break
        for i in m.doc.capitalised:
            res2 = added.get(tokens[i].folded)
            if res2 is not None and i not in m.fixes:
                m.add(i, res2)
        anchors.update(added)


def match_majority_forms(m: Matches) -> None:
    """A name the article spells one way several times and once another way: the rare form
    follows the article when it is no word or name of the dictionary or the gazetteer, no
    other outlet writes it (and they write the frequent one, each of them counting as one
    more use), it stands outside quotations, is no other transliteration of the frequent
    form, and is one slip from it, or two in a longer name that keep its first letter and
    sound ('Bergluhnt' where the article writes 'Berglund' throughout)."""
    tokens = m.doc.tokens
    uses: Counter[str] = Counter(tokens[i].folded for i in m.doc.capitalised if is_latin(tokens[i].folded))
    # With other copies of the story, the frequent form must be one of theirs too: a copy
    # may mangle a name consistently ('Berglumnd' twice) and another name once.
    # An outlet that writes the form counts as one more use.
    frequent = [
        g for g, n in uses.items()
        if n + m.consensus.count(g) >= _MAJORITY_USES and len(g) >= 4 and g not in m.doc.lower_words
        and (m.consensus.n_sources == 0 or m.consensus.count(g) > 0)
    ]
    if not frequent:
        return
    words = dictionary_words()
    for i in m.doc.capitalised:  # a candidate is capitalised
        tok = tokens[i]
        f = tok.folded
        if i in m.fixes or uses.get(f) != 1 or tok.is_quoted:
            continue  # a quotation may spell a name its own way
        if not m.is_candidate(tok, strict=True):
            continue
        if f in words or m.index.readings(f) or m.consensus.count(f) > 0:
            continue
        if any(c in _APOSTROPHES for c in tok.surface):
            continue  # a name styled with apostrophes ('Ke’Alo') is spelled on purpose
        close: list[tuple[str, Closeness]] = []
        for g in frequent:
            if abs(len(g) - len(f)) > 2 or g in (f + "s", f + "es") or f in (g + "s", g + "es"):
                continue
            if skeleton(f) == skeleton(g):
                continue  # another transliteration ('Zelenskyy' / 'Zelensky'), no slip
            c = closeness(f, g)
            short = min(len(f), len(g))
            if (c.edits == 1 and short >= 5) or (
                c.edits == 2 and short >= 6 and c.sounds_alike and f[0] == g[0]
            ):
                close.append((g, c))
        if len(close) != 1:
            continue  # none, or two names of the article it might be: not ours to choose
        g, c = close[0]
        target = surface_of(m.doc, g)
        times = "once" if uses[g] == 1 else f"{uses[g]} times"
        fact = f"this article writes '{target}' {times}"
        outlets = m.consensus.count(g)
        if outlets:
            fact += f", as {m.consensus.copies(outlets)} in this story do"
        explanation = f"'{tok.surface}' {how_close(c)} '{target}', and {fact}."
        m.add(i, Resolution(target, None, 0.6, explanation, (fact, distance_fact(c, target))))


def _closest_anchor(f: str, anchors: dict[str, Resolution]) -> tuple[str, Resolution] | None:
    best: tuple[int, str] | None = None
    targets: set[str] = set()
    for a, res in anchors.items():
        if len(f) < 6 or abs(len(a) - len(f)) > 3 or _common_prefix(a, f) < 4:
            continue
        c = closeness(f, a)
        if c.edits > 3 or sound_distance(f, a) > 1:
            continue
        targets.add(res.target)
        if best is None or c.edits < best[0]:
            best = (c.edits, a)
    if best is None or len(targets) != 1:
        return None
    return best[1], anchors[best[1]]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
