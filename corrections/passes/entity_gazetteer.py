"""The entity pass word by word: a capitalised word resolved through the gazetteer and the story.

* one word (:func:`match_word`): an exact misspelling or style alias; a surname or one-word name a
  few edits from and sounding like the word; a close surname when the first name before it is that
  person's; the form most other outlets of the story use instead;
* first names (:func:`match_given`): a first name that only sounds like the first name of the
  person its surname names, or of the first name the other outlets give that surname;
* multi-word names (:func:`match_phrases`): exact aliases, and one wrong word in a place name whose
  other words are right ("New Dehli").
"""

from __future__ import annotations

from collections import Counter

from corrections.passes.entity_matches import Fix, Matches, Resolution, entity_rule
from corrections.passes.entity_wording import (
    describe,
    distance_fact,
    explain_gazetteer,
    how_close,
    outlets,
    surface_of,
)
from corrections.passes.names_index import Closeness, NameWord, Phrase, closeness
from corrections.passes.names_text import fold, is_latin

# ---------------------------------------------------------------------- one word


def match_word(m: Matches, i: int, given: int | None, person_only: bool, use_gazetteer: bool) -> None:
    tok = m.doc.tokens[i]
    f = tok.folded
    # exact aliases an editor (or the starter data) marked as misspelling or house style
    for word in m.index.readings(f):
        if word.rank in ("misspelling", "style") and word.role != "given":
            _add_alias_fix(m, i, word)
            return
    if m.index.is_known(f):
        return
    res: Resolution | None = None
    if m.is_candidate(tok, strict=True):
        res = _resolve(m, f, person_only, use_gazetteer)
    if res is None and use_gazetteer and given is not None and m.is_candidate(tok, strict=False):
        res = _resolve_with_given(m, f, m.doc.tokens[given].folded)
    if res is not None:
        m.resolved_forms.setdefault(f, res)
        m.add(i, res)


def _resolve(m: Matches, f: str, person_only: bool, use_gazetteer: bool) -> Resolution | None:
    key = (f, person_only, use_gazetteer)
    if key not in m.memo:
        m.memo[key] = _resolve_uncached(m, f, person_only, use_gazetteer)
    return m.memo[key]


def _resolve_uncached(m: Matches, f: str, person_only: bool, use_gazetteer: bool) -> Resolution | None:
    cons = m.consensus.majority_form(f)
    own_support = m.consensus.count(f)
    if own_support >= 2 or (cons is None and own_support >= 1):
        return None  # other outlets write it this way too
    gaz = _gazetteer_word(m, f, person_only) if use_gazetteer else None
    if gaz is not None:
        word, c = gaz
        explanation = explain_gazetteer(m.doc, f, word, c)
        evidence = [distance_fact(closeness(f, fold(word.target)), word.target)]
        confidence = 0.85 if c.tier == 1 else 0.7
        if cons is not None:
            g, n = cons
            if any(r.entity.id == word.entity.id for r in m.index.readings(g)):
                confidence = 0.95
                explanation = explanation[:-1] + f"; {outlets(m.consensus.copies(n), m.consensus.printed(g))}."
                evidence.append(outlets(m.consensus.copies(n), m.consensus.printed(g)))
            else:
                return _consensus_resolution(m, f, g, n)  # the story itself outweighs the list
        elif (n := m.consensus.count(fold(word.target))) and own_support == 0:
            # too few copies for a consensus of their own, but the ones there agree with the list
            fact = outlets(m.consensus.copies(n), m.consensus.printed(fold(word.target)))
            explanation = explanation[:-1] + f"; {fact}."
            evidence.append(fact)
        return Resolution(word.target, word.entity, confidence, explanation, tuple(evidence))
    if cons is not None:
        return _consensus_resolution(m, f, cons[0], cons[1])
    return None


def _gazetteer_word(m: Matches, f: str, person_only: bool) -> tuple[NameWord, Closeness] | None:
    """The gazetteer name this word is a damaged form of, on the gazetteer's evidence alone.

    The bar is high: the word must sound like the name (metaphone of the transliteration
    skeleton), and be long enough that a one-letter difference is telling. A word this article
    uses as somebody's surname is never taken for a place."""
    # a word this article uses as somebody's surname, or spells like one ('Ferrahro' beside
    # 'Geraldine Ferraro'), is never taken for a place
    is_person_form = person_only or f in m.person_forms or any(
        closeness(f, p).tier <= 2 for p in m.person_forms
    )
    found: list[tuple[NameWord, Closeness]] = []
    for w, c in m.index.fuzzy(f):
        is_person = w.entity.type == "person"
        if is_person_form and not is_person:
            continue
        if c.tier != 1 or not c.sounds_alike or len(f) < (6 if is_person else 7):
            continue
        if not is_person and c.edits > 2:
            continue  # place lists are long and worldwide: only near-misses count
        found.append((w, c))
    if not found:
        return None
    best_word, best_c = found[0]
    for w, c in found[1:]:
        if (c.tier, c.edits) != (best_c.tier, best_c.edits):
            break
        if w.entity.id != best_word.entity.id and w.target != best_word.target:
            return None  # two different names fit equally well: not ours to choose
    return best_word, best_c


def _resolve_with_given(m: Matches, f: str, given: str) -> Resolution | None:
    """A surname that is only close (or is also an English word, "Stub") counts when the first
    name before it is the first name of that person."""
    for word, c in m.index.fuzzy(f):
        if word.entity.type != "person" or word.role != "surname":
            continue
        if _agrees_with_given(m, given, word.entity.id):
            explanation = explain_gazetteer(m.doc, f, word, c)
            return Resolution(word.target, word.entity, 0.85, explanation, (distance_fact(c, word.target),))
    for g, n in m.consensus.close_forms(f):
        givens = m.consensus.givens.get(g, Counter())
        if givens.get(given, 0) >= 2 and m.consensus.count(f) == 0:
            surface = m.consensus.printed(g)
            fact = outlets(m.consensus.copies(n), f"{m.consensus.printed(given)} {surface}")
            return Resolution(surface, None, 0.75, f"{fact}.", (fact,))
    return None


def _consensus_resolution(m: Matches, f: str, g: str, n: int) -> Resolution:
    surface = m.consensus.printed(g)
    entity = next((w.entity for w in m.index.readings(g) if w.role != "given"), None)
    fact = outlets(m.consensus.copies(n), surface)
    c = closeness(f, g)
    original = surface_of(m.doc, f)
    how = how_close(c)
    about = f" — {describe(entity)}" if entity is not None else ""
    explanation = f"{fact}; '{original}' {how} '{surface}'{about}."
    confidence = min(0.95, 0.7 + 0.25 * n / max(m.consensus.n_sources, 1))
    return Resolution(surface, entity, confidence, explanation, (fact, distance_fact(c, surface)))


# ---------------------------------------------------------------------- first names


def match_given(m: Matches, gi: int, si: int) -> None:
    """Fix a first name that only sounds like the first name of the person the surname names."""
    if gi in m.fixes:
        return
    g_tok, s_tok = m.doc.tokens[gi], m.doc.tokens[si]
    g = g_tok.folded
    if not g_tok.is_capitalised or len(g) < 3 or not is_latin(g):
        return
    fix = m.fixes.get(si)
    res = m.resolved_forms.get(s_tok.folded)
    entity = res.entity if fix is not None and res is not None else None
    if entity is None and fix is None:
        persons = {w.entity.id: w.entity for w in m.index.readings(s_tok.folded) if w.role == "surname"}
        if len(persons) == 1:
            entity = next(iter(persons.values()))
    if entity is not None and entity.id in m.index.canonical_given:
        if g in m.index.given_names[entity.id]:
            return
        target = m.index.canonical_given[entity.id]
        c = closeness(g, fold(target))
        is_variant = c.tier == 1 or (c.tier <= 2 and c.sounds_alike)
        if is_variant and (not m.index.is_known(g) or _given_is_other_persons(m, g, entity.id)):
            explanation = (
                f"'{g_tok.surface}' sounds like '{target}', the first name of "
                f"{describe(entity)}."
            )
            m.fixes[gi] = Fix(gi, target, 0.75, explanation, (distance_fact(c, target),), rule=entity_rule(entity))
        return
    # consensus: the first name the other outlets give this surname
    surname = fold(fix.replacement) if fix is not None else s_tok.folded
    givens = m.consensus.givens.get(surname)
    if not givens or g in givens or m.consensus.count(g) > 0:
        return
    best: tuple[Closeness, str, int] | None = None
    for top, n in givens.items():
        if n == 1 and len(givens) == 1:
            # one outlet names this person, and no other outlet otherwise: is it this copy or
            # that one which is damaged?
            (source,) = m.consensus.given_sources[surname][top]
            if not m.damage.one_outlet_settles(g, top, source):
                continue
        elif n < 2 or n * 2 < m.consensus.n_sources:
            continue
        c = closeness(g, top)
        if c.tier == 1 or (c.tier == 2 and c.sounds_alike) or _given_variant(g, top, c):
            if best is None or (c.tier, c.edits, -n) < (best[0].tier, best[0].edits, -best[2]):
                best = (c, top, n)
    if best is None:
        return
    c, top, n = best
    target = m.consensus.printed(top)
    full = f"{target} {m.consensus.printed(surname)}"
    fact = outlets(m.consensus.copies(n), full)
    explanation = f"{fact}; '{g_tok.surface}' {how_close(c)} '{target}'."
    m.fixes[gi] = Fix(gi, target, 0.7, explanation, (fact,))


def _agrees_with_given(m: Matches, given: str, entity_id: int) -> bool:
    """Is ``given`` this person's first name, or a sound-alike of it (Dimitri / Dmitry)?"""
    if given in m.index.given_names.get(entity_id, frozenset()):
        return True
    canonical = m.index.canonical_given.get(entity_id)
    if canonical is None:
        return False
    c = closeness(given, fold(canonical))
    return c.tier <= 2 and c.sounds_alike


def _given_is_other_persons(m: Matches, g: str, entity_id: int) -> bool:
    """'Vladimir' is known (Putin's first name) but next to 'Zelensky' it is still a variant."""
    return any(w.role == "given" and w.entity.id != entity_id for w in m.index.readings(g))


def _given_variant(g: str, top: str, c: Closeness) -> bool:
    """A first name beside a surname the other outlets pair with ``top``: a sound-alike within two
    edits ('Koort' / 'Kurt') or a single slip ('Jow' / 'Joe') is that first name."""
    return (c.sounds_alike and c.edits <= 2) or (c.edits == 1 and min(len(g), len(top)) >= 3)


# ---------------------------------------------------------------------- multi-word names


def match_phrases(m: Matches, idx: list[int]) -> None:
    """Multi-word names: exact misspelling/style aliases, and one wrong word in a place name
    whose other words are right ("New Dehli")."""
    tokens = m.doc.tokens
    for pos, i in enumerate(idx):
        for phrase in m.index.phrases.get(tokens[i].folded, ()):
            n = len(phrase.words)
            if pos + n > len(idx) or not phrase.targets:
                continue
            window = [tokens[k] for k in idx[pos : pos + n]]
            diffs = [k for k in range(n) if window[k].folded != phrase.words[k]]
            if not diffs and phrase.rank in ("misspelling", "style"):
                for k in range(n):
                    if window[k].surface != phrase.targets[k]:
                        _add_alias_fix(m, idx[pos + k], _phrase_word(phrase, k))
                return
            if len(diffs) != 1 or phrase.rank not in ("canonical", "variant") or n < 2:
                continue
            if phrase.entity.type == "person":
                continue  # people: the first-name/surname logic weighs the story's evidence
            k = diffs[0]
            wrong = window[k]
            if not m.is_candidate(wrong, strict=True):
                continue
            c = closeness(wrong.folded, phrase.words[k])
            if c.tier != 1:
                continue
            target = phrase.targets[k]
            full = " ".join(phrase.targets)
            explanation = (
                f"'{wrong.surface}' {how_close(c)} '{target}' — {full}, {phrase.entity.description}."
                if phrase.entity.description
                else f"'{wrong.surface}' {how_close(c)} '{target}' — {full}."
            )
            m.fixes[idx[pos + k]] = Fix(idx[pos + k], target, 0.8, explanation, (distance_fact(c, target),),
                                        rule=entity_rule(phrase.entity))
            return


def _add_alias_fix(m: Matches, i: int, word: NameWord) -> None:
    tok = m.doc.tokens[i]
    if word.rank == "style":
        explanation = f"House style writes '{word.target}' for '{tok.surface}' — {describe(word.entity)}."
        m.fixes[i] = Fix(i, word.target, 0.8, explanation, ("style alias",), kind="style", rule=entity_rule(word.entity))
    else:
        explanation = f"'{tok.surface}' is a known misspelling of '{word.target}' — {describe(word.entity)}."
        m.fixes[i] = Fix(i, word.target, 0.95, explanation, ("known misspelling",), rule=entity_rule(word.entity))
    # What the alias resolves to is known as surely as a spelling the passes worked out: the
    # first name beside it and other spellings of it in the article are judged against it.
    m.resolved_forms.setdefault(tok.folded, Resolution(word.target, word.entity, m.fixes[i].confidence,
                                                       m.fixes[i].explanation, m.fixes[i].evidence))


def _phrase_word(phrase: Phrase, k: int) -> NameWord:
    return NameWord(phrase.words[k], phrase.entity, "name", phrase.rank, phrase.targets[k])
