"""The entity pass at the same place in the other copies: outlets print the same sentences, so a
form none of them uses, where they print a close form between the same words ("Bergen Fahlcns
player" / "Bergen Falcons player"), is that form even two edits away. A damaged other half of the
name is read as a wildcard, and neighbours this pass corrected are read as corrected; a form
resolved once is then resolved everywhere in the article (:func:`propagate`).
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from corrections.passes.entity_matches import Matches, Resolution
from corrections.passes.entity_story import (
    PARAGRAPH_EDGE,
    aligned_variant,
    is_name_beside,
    neighbour,
)
from corrections.passes.entity_wording import describe, distance_fact, how_close, surface_of
from corrections.passes.names_index import Closeness, closeness
from corrections.passes.names_text import fold, is_latin


def match_aligned(m: Matches) -> None:
    """Names the other outlets print in the very place this copy prints a form none of them
    uses: 'Bergen Fahlcns player' where they print 'Bergen Falcons player'. The shared words
    around it make a damaged form recognisable further from the name than anywhere else
    ('Bicl' / 'Bidel'). When a neighbour is itself the damaged other half of the name ('Oksar
    Lindvqistt was'), the other side and a name beside it must agree."""
    cons = m.consensus
    if not cons.has_places():
        return
    tokens = m.doc.tokens
    for i in m.doc.capitalised:
        tok = tokens[i]
        f = tok.folded
        if i in m.fixes or len(f) < 3 or not is_latin(f):
            continue
        if f in m.doc.lower_words or cons.count(f) > 0:
            continue
        if any(w.rank in ("canonical", "variant") and w.role != "given" for w in m.index.readings(f)):
            continue  # a name the gazetteer knows ('Vidal' of 'Cape Vidal' is only part of one)
        before, after = _context(m, i, -1), _context(m, i, 1)
        options = cons.at(before, after) if before and after else None
        both_sides = options is not None
        if options is None and after and _is_unmatched_name(m, i, -1):
            options = cons.after_name(after)
        if options is None and before and _is_unmatched_name(m, i, 1):
            options = cons.before_name(before)
        if not options:
            continue
        close = [(len(srcs), g) for g, srcs in options.items() if aligned_variant(f, g)]
        if not close:
            continue
        close.sort(key=lambda t: (-t[0], OSA.distance(f, t[1]), t[1]))
        n, g = close[0]
        if len(close) > 1 and close[1][0] == n:
            continue  # two forms as likely: not ours to choose
        if n < max(len(srcs) for srcs in options.values()):
            continue  # the other outlets mostly print something else there
        c = closeness(f, g)
        if f in m.common and not (both_sides and c.edits == 1):
            continue  # an English word ('Will', 'Mark') needs the whole context and one edit
        if n == 1 and not (both_sides and m.damage.one_outlet_settles(f, g, next(iter(options[g])))):
            continue  # one outlet against this one: which of the two is damaged?
        if n == 1 and m.index.is_known(f):
            continue
        _add_aligned(m, i, g, n, before, after, both_sides, c)


def propagate(m: Matches) -> None:
    """A form resolved in one place is the same name elsewhere in the article ('Ines Bicl' and
    then 'Bicl said'); an English word at the start of a sentence may be just that word."""
    for i in m.doc.capitalised:
        tok = m.doc.tokens[i]
        res = m.resolved_forms.get(tok.folded)
        if res is None or i in m.fixes:
            continue
        if tok.folded in m.common and tok.is_sentence_start:
            continue
        m.add(i, res)


def _context(m: Matches, i: int, step: int) -> str:
    """The word beside token ``i`` as :func:`neighbour` gives it, read as corrected when this
    pass has corrected it ('Vahka, Lusanha Vahka' is read 'Vaka, Lusanha Vaka')."""
    fix = m.fixes.get(i + step)
    if fix is not None and neighbour(m.doc, i, step) == m.doc.tokens[i + step].folded:
        return fold(fix.replacement)
    return neighbour(m.doc, i, step)


def _is_unmatched_name(m: Matches, i: int, step: int) -> bool:
    """Is the word beside token ``i`` the other half of a name that no other outlet writes
    (the damaged neighbour of a damaged word)?"""
    j = i + step
    return (
        is_name_beside(m.doc, i, step)
        and m.consensus.count(m.doc.tokens[j].folded) == 0
    )


def _add_aligned(
    m: Matches, i: int, g: str, n: int, before: str, after: str, both_sides: bool, c: Closeness
) -> None:
    cons = m.consensus
    tok = m.doc.tokens[i]
    target = cons.printed(g)
    shown = [target]
    if before and before != PARAGRAPH_EDGE and (both_sides or not _is_unmatched_name(m, i, -1)):
        shown.insert(0, surface_of(m.doc, before))
    if after and after != PARAGRAPH_EDGE and (both_sides or not _is_unmatched_name(m, i, 1)):
        shown.append(surface_of(m.doc, after))
    fact = f"{cons.copies(n)} in this story write '{' '.join(shown)}' here"
    entity = next((w.entity for w in m.index.readings(g) if w.role != "given"), None)
    about = f" — {describe(entity)}" if entity is not None else ""
    explanation = f"{fact}; '{tok.surface}' {how_close(c)} '{target}'{about}."
    confidence = min(0.9, 0.65 + 0.25 * n / max(cons.n_sources, 1))
    res = Resolution(target, entity, confidence, explanation, (fact, distance_fact(c, target)))
    m.resolved_forms.setdefault(tok.folded, res)
    m.add(i, res)
