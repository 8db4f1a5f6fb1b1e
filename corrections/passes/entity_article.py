"""The entity pass within one article: machine translation spells one name several ways.

* :func:`match_document_variants`: a form close to one already resolved in this article (or to a
  known surname it uses) follows it (Zelancesi beside Zelanski -> Zelensky);
* :func:`match_majority_forms`: a name the article writes several times one way outweighs a single
  slip of it that no dictionary, gazetteer or other outlet knows.
"""

from __future__ import annotations

from collections import Counter

from rapidfuzz.distance import OSA

from corrections.passes.entity_matches import Matches, Resolution
from corrections.passes.entity_wording import describe, distance_fact, how_close, surface_of
from corrections.passes.names_index import Closeness, closeness, sound_distance
from corrections.passes.names_text import TITLES, dictionary_words, is_latin, skeleton

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
    givens = _given_names(m)
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
            ) or (uses[g] >= _MAJORITY_USES and g in givens and _spelling_of_a_full_name(f, g)):
                close.append((g, c))
        if len(close) != 1:
            continue  # none, or two names of the article it might be: not ours to choose
        g, c = close[0]
        given = givens.get(g, frozenset())
        before = _given_before(m, i)
        if before is not None and before not in given:
            continue  # 'Piotr Kowalcik' beside 'Maria Kowalczyk': another person, perhaps a relative
        target = surface_of(m.doc, g)
        times = "once" if uses[g] == 1 else f"{uses[g]} times"
        fact = f"this article writes '{target}' {times}"
        outlets = m.consensus.count(g)
        if outlets:
            fact += f", as {m.consensus.copies(outlets)} in this story do"
        explanation = f"'{tok.surface}' {how_close(c)} '{target}', and {fact}."
        m.add(i, Resolution(target, None, 0.6, explanation, (fact, distance_fact(c, target))))


def _given_names(m: Matches) -> dict[str, frozenset[str]]:
    """Surnames this article prints after a first name ('Maria Kowalczyk'), with those first names.
    A capitalised word opening a sentence may be no first name ('Later Kowalczyk'): it counts
    when it stands before the surname twice."""
    pairs: Counter[tuple[str, str]] = Counter()
    inside: set[tuple[str, str]] = set()
    for span in m.doc.spans:
        if len(span.tokens) >= 2:
            i = span.tokens[-1]
            given = _given_before(m, i, opening_words=True)
            if given is not None:
                key = (m.doc.tokens[i].folded, given)
                pairs[key] += 1
                if not m.doc.tokens[i - 1].is_sentence_start:
                    inside.add(key)
    found: dict[str, set[str]] = {}
    for (surname, given), n in pairs.items():
        if n >= 2 or (surname, given) in inside:
            found.setdefault(surname, set()).add(given)
    return {surname: frozenset(names) for surname, names in found.items()}


def _given_before(m: Matches, i: int, opening_words: bool = False) -> str | None:
    """The first name printed just before token ``i`` (one space away, capitalised), if any; a
    common word opening a sentence ('Later') only with ``opening_words``."""
    if i == 0:
        return None
    a, b = m.doc.tokens[i - 1], m.doc.tokens[i]
    if not a.is_capitalised or len(a.surface) < 2 or m.doc.text[a.end : b.start] not in (" ", "\u00a0"):
        return None
    if a.folded in TITLES or (not opening_words and a.is_sentence_start and a.folded in m.common):
        return None  # 'President Kowalczyk', 'Later Kowalczyk': no first name
    return a.folded


def _spelling_of_a_full_name(f: str, g: str) -> bool:
    """Is ``f`` another spelling of ``g``, a surname the article prints after a first name at least
    once and as ``g`` at least twice? Then a variant may stray further than a slip, as machine
    translation and transliteration do ('Kowalcik', 'Kovalchyk' for 'Kowalczyk'): one letter apart
    once transliteration is set aside, or two letters that keep the sound but one; never a name
    that begins otherwise ('Kowalski' stays)."""
    if min(len(f), len(g)) < 6:
        return False
    sf, sg = skeleton(f), skeleton(g)
    if sf[0] != sg[0]:
        return False
    return OSA.distance(sf, sg) <= 1 or (OSA.distance(f, g) <= 2 and sound_distance(f, g) <= 1)


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
