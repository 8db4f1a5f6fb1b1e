"""Entity pass: names damaged by typing or machine translation ("Volodimir Zelanski", "Lavarov").

Evidence, strongest first:

* the gazetteer: an exact misspelling or style alias, or a surname / one-word name that is a few
  edits from and sounds like the mention (fuzzy and phonetic matching through the index);
* the other outlets' copies of the same story: a form no other outlet uses, close to a form most of
  them use ("3 of 4 other outlets in this story write 'Radakin'"); this works with an empty gazetteer;
* the rest of the name: a first name that agrees with an entity makes a close surname a match, and a
  surname that matched makes a sound-alike first name its variant (Dimitri -> Dmitry);
* the same place in the other copies: outlets print the same sentences, so a form none of them
  uses, where they print a close form between the same words ("Bergen Fahlcns player" / "Bergen
  Falcons player"), is that form even two edits away; a damaged other half of the name is read as a
  wildcard, and neighbours this pass corrected are read as corrected. Where only one other outlet
  prints the place, it settles it only when this article also writes its form, when its form is a
  dictionary word and this one is not, or when this copy has names the other copies agree to
  spell otherwise and that outlet's copy has none;
* the rest of the article: machine translation spells one name several ways, so a form close to
  one already resolved in this article follows it (Zelancesi beside Zelanski -> Zelensky), a form
  resolved once is resolved everywhere, and a name the article writes several times one way
  outweighs a single slip of it that no dictionary, gazetteer or other outlet knows.

A copy that shares few of this copy's names (under half of the shorter one's) is another story,
whatever clustered it with this one, and no evidence either way.

Frequent English words, sentence-initial and heading words need the rest of the name as evidence.
Inside direct quotes the confidence is lowered and the explanation says so. Spans that a house-style
rule covers ("Kiev") and words carrying encoding debris ("YÄ±lmaz") are left to those passes, and
editors' rejections are never proposed again.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from corrections.passes.base import (
    Entity,
    PassContext,
    StyleRule,
    Suggestion,
    drop_overlaps,
    make_suggestion,
)
from corrections.passes.encoding import mojibake_spans
from corrections.passes.names_index import (
    Closeness,
    GazetteerIndex,
    NameWord,
    Phrase,
    closeness,
    index_for,
    sound_distance,
)
from corrections.passes.names_text import (
    PERSON_CUES,
    Document,
    Token,
    analyse,
    common_words,
    dictionary_words,
    fold,
    is_latin,
    looks_mojibake,
    skeleton,
    sound_key,
)

NAME = "entities"
VERSION = "9"  # 9: copies sharing few of this copy's names are other stories, no evidence
KINDS = ("entity",)
USES_SIBLINGS = True

_MIN_CANDIDATE_LEN = 4
_QUOTE_FACTOR = 0.8
_MAX_SIBLINGS = 40
_QUOTE_NOTE = " It is inside a direct quote, so check it against the speaker's words."
_PARAGRAPH_EDGE = "\u00b6"
_APOSTROPHES = "'’ʼ"
_MIN_NAMES_TO_COMPARE = 4  # fewer names than this tell nothing about which story a copy is
_MIN_SHARED_NAMES = 0.5
_MAJORITY_USES = 2  # an article spelling a name this often one way is evidence against a rare form
_MAX_CONTEXT_GAP = 6  # characters between a word and its neighbour as a context: ", " or "[.]” "
_POSSESSIVE_GAP = re.compile(r"^['’]s?(?!\w)")  # "Halden’s Game", "Jones’ book": no gap


@dataclass(frozen=True, slots=True)
class _Fix:
    token: int
    replacement: str
    confidence: float
    explanation: str
    evidence: tuple[str, ...] = ()
    kind: str = "entity"


@dataclass(frozen=True, slots=True)
class _Resolution:
    """What a capitalised word should be, and why."""

    target: str
    entity: Entity | None
    confidence: float
    explanation: str
    evidence: tuple[str, ...]


@dataclass(slots=True)
class _Consensus:
    """Capitalised word forms in the other outlets' copies, counted once per source."""

    n_sources: int = 0
    support: Counter[str] = field(default_factory=Counter)
    surface: dict[str, str] = field(default_factory=dict)
    givens: dict[str, Counter[str]] = field(default_factory=dict)  # surname -> given -> sources
    given_sources: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # ... which ones
    targets: list[str] = field(default_factory=list)  # forms at least two sources use
    # Where the other outlets print each capitalised form: (word before, word after) -> form ->
    # sources, and one side only for a form beside another capitalised word (a name's other
    # half, which may be the damaged one in this copy).
    slots: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)
    after_name: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # word after -> form -> sources
    before_name: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # word before -> ...
    forms: dict[str, frozenset[str]] = field(default_factory=dict)  # source -> its capitalised forms

    def count(self, folded: str) -> int:
        return self.support.get(folded, 0)


def run(text: str, context: PassContext) -> list[Suggestion]:
    doc = analyse(text)
    if not doc.tokens:
        return []
    index = index_for(context.gazetteer)
    consensus = _build_consensus(context, doc)
    matcher = _Matcher(doc, index, consensus)
    fixes = matcher.find()
    # House-style words are the house-style pass's; words running into mojibake ('Mahanâ' of
    # 'Mahanâ€™s') are the encoding pass's, and are no evidence of a misspelt name.
    covered = _style_rule_spans(text, context.style_rules)
    debris = mojibake_spans(text)
    suggestions: list[Suggestion] = []
    for fix in fixes:
        tok = doc.tokens[fix.token]
        if tok.surface == fix.replacement or (tok.surface, fix.replacement) in context.suppressed:
            continue
        if any(a < tok.end and tok.start < b for a, b in covered):
            continue
        if any(a <= tok.end and tok.start <= b for a, b in debris) or looks_mojibake(tok.surface):
            continue  # touching: 'Souza' of 'DÃ¢â‚¬â„¢Souza' is not the whole name
        confidence = fix.confidence
        explanation = fix.explanation
        if tok.is_quoted:
            confidence *= _QUOTE_FACTOR
            explanation = explanation + _QUOTE_NOTE
        suggestions.append(
            make_suggestion(
                text, tok.start, tok.end, fix.replacement, fix.kind, confidence, explanation, fix.evidence
            )
        )
    return drop_overlaps(suggestions)


class _Matcher:
    def __init__(self, doc: Document, index: GazetteerIndex, consensus: _Consensus) -> None:
        self.doc = doc
        self.index = index
        self.consensus = consensus
        self.common = common_words()
        self.fixes: dict[int, _Fix] = {}
        self.memo: dict[tuple[str, bool, bool], _Resolution | None] = {}  # (form, person, gazetteer)
        self.resolved_forms: dict[str, _Resolution] = {}  # folded form -> resolution used
        self.person_forms: frozenset[str] = frozenset()
        self.damage: dict[str | None, int] = {}  # source (None: this copy) -> names it alone spells

    # ------------------------------------------------------------------ driver

    def find(self) -> list[_Fix]:
        self.person_forms = self._person_forms()
        for span in self.doc.spans:
            idx = list(span.tokens)
            self._match_phrases(idx)
            person_only = span.cue in PERSON_CUES or len(idx) >= 2
            last = idx[-1]
            for pos, i in enumerate(idx):
                if i in self.fixes:
                    continue
                is_last = pos == len(idx) - 1
                # Inside a longer run only headings put names next to each other ("Trump Urges
                # Putin"); elsewhere a word before another capitalised word is a first name or part
                # of a longer name: only the story's other copies may correct it.
                on_its_own = is_last or _in_heading(self.doc, i)
                if pos == len(idx) - 2 and not on_its_own and self._pairs(i, last):
                    continue  # a first name: judged against its surname by _match_given
                given = idx[pos - 1] if pos > 0 and self._pairs(idx[pos - 1], i) else None
                self._match_word(i, given, person_only=person_only and is_last, use_gazetteer=on_its_own)
            if len(idx) >= 2 and self._pairs(idx[-2], last):
                self._match_given(idx[-2], last)
        for _ in range(2):  # a second round reads the neighbours the first one corrected
            self._match_aligned()
            self._propagate()
        self._match_document_variants()
        self._match_majority_forms()
        return [self.fixes[k] for k in sorted(self.fixes)]

    def _person_forms(self) -> frozenset[str]:
        """Words this article uses as a person's surname somewhere: after a first name or a title
        ("Dick Durbin", "President Rouhani"). Those are never corrected to a place."""
        forms: set[str] = set()
        for span in self.doc.spans:
            last = span.tokens[-1]
            if span.cue in PERSON_CUES or (len(span.tokens) >= 2 and self._pairs(span.tokens[-2], last)):
                forms.add(self.doc.tokens[last].folded)
        return frozenset(forms)

    def _pairs(self, given: int, surname: int) -> bool:
        """Are these two tokens a first name and a surname (separated by one space)?"""
        a, b = self.doc.tokens[given], self.doc.tokens[surname]
        gap = self.doc.text[a.end : b.start]
        return len(a.surface) > 1 and gap in (" ", "\u00a0")

    # ------------------------------------------------------------------ candidates

    def _is_candidate(self, tok: Token, strict: bool) -> bool:
        """May this word be a damaged name on its own evidence? (``strict``: no supporting name)"""
        f = tok.folded
        if not tok.is_capitalised or len(f) < _MIN_CANDIDATE_LEN or not is_latin(f):
            return False
        if self.index.is_known(f) or f in self.doc.lower_words:
            return False
        return not (strict and f in self.common)

    # ------------------------------------------------------------------ one word

    def _match_word(self, i: int, given: int | None, person_only: bool, use_gazetteer: bool) -> None:
        tok = self.doc.tokens[i]
        f = tok.folded
        # exact aliases an editor (or the starter data) marked as misspelling or house style
        for word in self.index.readings(f):
            if word.rank in ("misspelling", "style") and word.role != "given":
                self._add_alias_fix(i, word)
                return
        if self.index.is_known(f):
            return
        res: _Resolution | None = None
        if self._is_candidate(tok, strict=True):
            res = self._resolve(f, person_only, use_gazetteer)
        if res is None and use_gazetteer and given is not None and self._is_candidate(tok, strict=False):
            res = self._resolve_with_given(f, self.doc.tokens[given].folded)
        if res is not None:
            self.resolved_forms.setdefault(f, res)
            self._add(i, res)

    def _resolve(self, f: str, person_only: bool, use_gazetteer: bool) -> _Resolution | None:
        key = (f, person_only, use_gazetteer)
        if key not in self.memo:
            self.memo[key] = self._resolve_uncached(f, person_only, use_gazetteer)
        return self.memo[key]

    def _resolve_uncached(self, f: str, person_only: bool, use_gazetteer: bool) -> _Resolution | None:
        cons = self._consensus_form(f)
        own_support = self.consensus.count(f)
        if own_support >= 2 or (cons is None and own_support >= 1):
            return None  # other outlets write it this way too
        gaz = self._gazetteer_word(f, person_only) if use_gazetteer else None
        if gaz is not None:
            word, c = gaz
            explanation = _explain_gazetteer(self.doc, f, word, c)
            evidence = [_distance_fact(closeness(f, fold(word.target)), word.target)]
            confidence = 0.85 if c.tier == 1 else 0.7
            if cons is not None:
                g, n = cons
                if any(r.entity.id == word.entity.id for r in self.index.readings(g)):
                    confidence = 0.95
                    explanation = explanation[:-1] + f"; {_outlets(n, self.consensus.n_sources, self.consensus.surface[g])}."
                    evidence.append(_outlets(n, self.consensus.n_sources, self.consensus.surface[g]))
                else:
                    return self._consensus_resolution(f, g, n)  # the story itself outweighs the list
            return _Resolution(word.target, word.entity, confidence, explanation, tuple(evidence))
        if cons is not None:
            return self._consensus_resolution(f, cons[0], cons[1])
        return None

    def _gazetteer_word(self, f: str, person_only: bool) -> tuple[NameWord, Closeness] | None:
        """The gazetteer name this word is a damaged form of, on the gazetteer's evidence alone.

        The bar is high: the word must sound like the name (metaphone of the transliteration
        skeleton), and be long enough that a one-letter difference is telling. A word this article
        uses as somebody's surname is never taken for a place."""
        # a word this article uses as somebody's surname, or spells like one ('Ferrahro' beside
        # 'Geraldine Ferraro'), is never taken for a place
        is_person_form = person_only or f in self.person_forms or any(
            closeness(f, p).tier <= 2 for p in self.person_forms
        )
        found: list[tuple[NameWord, Closeness]] = []
        for w, c in self.index.fuzzy(f):
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

    def _resolve_with_given(self, f: str, given: str) -> _Resolution | None:
        """A surname that is only close (or is also an English word, "Stub") counts when the first
        name before it is the first name of that person."""
        for word, c in self.index.fuzzy(f):
            if word.entity.type != "person" or word.role != "surname":
                continue
            if self._agrees_with_given(given, word.entity.id):
                explanation = _explain_gazetteer(self.doc, f, word, c)
                return _Resolution(word.target, word.entity, 0.85, explanation, (_distance_fact(c, word.target),))
        for g, n in self._consensus_candidates(f):
            givens = self.consensus.givens.get(g, Counter())
            if givens.get(given, 0) >= 2 and self.consensus.count(f) == 0:
                surface = self.consensus.surface[g]
                fact = _outlets(n, self.consensus.n_sources, f"{self.consensus.surface.get(given, given)} {surface}")
                return _Resolution(surface, None, 0.75, f"{fact}.", (fact,))
        return None

    # ------------------------------------------------------------------ consensus

    def _consensus_candidates(self, f: str) -> list[tuple[str, int]]:
        cons = self.consensus
        out: list[tuple[str, int, Closeness]] = []
        for g in cons.targets:
            if g == f or abs(len(g) - len(f)) > 3:
                continue
            c = closeness(f, g)
            if c.tier <= 2:
                out.append((g, cons.count(g), c))
        out.sort(key=lambda t: (t[2].tier, t[2].edits, -t[1]))
        return [(g, n) for g, n, _ in out]

    def _consensus_form(self, f: str) -> tuple[str, int] | None:
        """The form most other outlets use for this word, if this form is rare among them."""
        cons = self.consensus
        if cons.n_sources < 2 or cons.count(f) > 1:
            return None
        best: tuple[str, int, Closeness] | None = None
        for g in cons.targets:
            if g == f or abs(len(g) - len(f)) > 3:
                continue
            n = cons.count(g)
            if n * 2 < cons.n_sources or n < 2 or (cons.count(f) == 1 and n < 3):
                continue
            c = closeness(f, g)
            strong = c.tier == 1 or (c.tier == 2 and c.sounds_alike and len(f) >= 6)
            if not strong and cons.count(f) == 0 and n * 4 >= 3 * cons.n_sources:
                strong = _near_unanimous_variant(f, g, c)
            if not strong:
                continue
            # Equally near forms: one with the same letters ('Samona' / 'Samoan', two swapped)
            # explains the damage better than one with a letter fewer ('Samoa').
            if best is None or _rank(f, g, c, n) < _rank(f, best[0], best[2], best[1]):
                best = (g, n, c)
        return (best[0], best[1]) if best is not None else None

    def _consensus_resolution(self, f: str, g: str, n: int) -> _Resolution:
        surface = self.consensus.surface[g]
        entity = next((w.entity for w in self.index.readings(g) if w.role != "given"), None)
        fact = _outlets(n, self.consensus.n_sources, surface)
        c = closeness(f, g)
        original = _surface_of(self.doc, f)
        how = _how_close(c)
        about = f" — {_describe(entity)}" if entity is not None else ""
        explanation = f"{fact}; '{original}' {how} '{surface}'{about}."
        confidence = min(0.95, 0.7 + 0.25 * n / max(self.consensus.n_sources, 1))
        return _Resolution(surface, entity, confidence, explanation, (fact, _distance_fact(c, surface)))

    # ------------------------------------------------------------------ first names

    def _match_given(self, gi: int, si: int) -> None:
        """Fix a first name that only sounds like the first name of the person the surname names."""
        if gi in self.fixes:
            return
        g_tok, s_tok = self.doc.tokens[gi], self.doc.tokens[si]
        g = g_tok.folded
        if not g_tok.is_capitalised or len(g) < 3 or not is_latin(g):
            return
        fix = self.fixes.get(si)
        res = self.resolved_forms.get(s_tok.folded)
        entity = res.entity if fix is not None and res is not None else None
        if entity is None and fix is None:
            persons = {w.entity.id: w.entity for w in self.index.readings(s_tok.folded) if w.role == "surname"}
            if len(persons) == 1:
                entity = next(iter(persons.values()))
        if entity is not None and entity.id in self.index.canonical_given:
            if g in self.index.given_names[entity.id]:
                return
            target = self.index.canonical_given[entity.id]
            c = closeness(g, fold(target))
            is_variant = c.tier == 1 or (c.tier <= 2 and c.sounds_alike)
            if is_variant and (not self.index.is_known(g) or self._given_is_other_persons(g, entity.id)):
                explanation = (
                    f"'{g_tok.surface}' sounds like '{target}', the first name of "
                    f"{_describe(entity)}."
                )
                self.fixes[gi] = _Fix(gi, target, 0.75, explanation, (_distance_fact(c, target),))
            return
        # consensus: the first name the other outlets give this surname
        surname = fold(fix.replacement) if fix is not None else s_tok.folded
        givens = self.consensus.givens.get(surname)
        if not givens or g in givens or self.consensus.count(g) > 0:
            return
        best: tuple[Closeness, str, int] | None = None
        for top, n in givens.items():
            if n == 1 and len(givens) == 1:
                # one outlet names this person, and no other outlet otherwise: is it this copy or
                # that one which is damaged?
                (source,) = self.consensus.given_sources[surname][top]
                if not self._one_outlet_settles(g, top, source):
                    continue
            elif n < 2 or n * 2 < self.consensus.n_sources:
                continue
            c = closeness(g, top)
            if c.tier == 1 or (c.tier == 2 and c.sounds_alike) or _given_variant(g, top, c):
                if best is None or (c.tier, c.edits, -n) < (best[0].tier, best[0].edits, -best[2]):
                    best = (c, top, n)
        if best is None:
            return
        c, top, n = best
        target = self.consensus.surface.get(top, top)
        full = f"{target} {self.consensus.surface.get(surname, surname)}"
        fact = _outlets(n, self.consensus.n_sources, full)
        explanation = f"{fact}; '{g_tok.surface}' {_how_close(c)} '{target}'."
        self.fixes[gi] = _Fix(gi, target, 0.7, explanation, (fact,))

    def _agrees_with_given(self, given: str, entity_id: int) -> bool:
        """Is ``given`` this person's first name, or a sound-alike of it (Dimitri / Dmitry)?"""
        if given in self.index.given_names.get(entity_id, frozenset()):
            return True
        canonical = self.index.canonical_given.get(entity_id)
        if canonical is None:
            return False
        c = closeness(given, fold(canonical))
        return c.tier <= 2 and c.sounds_alike

    def _given_is_other_persons(self, g: str, entity_id: int) -> bool:
        """'Vladimir' is known (Putin's first name) but next to 'Zelensky' it is still a variant."""
        return any(w.role == "given" and w.entity.id != entity_id for w in self.index.readings(g))

    # ------------------------------------------------------------------ phrases

    def _match_phrases(self, idx: list[int]) -> None:
        """Multi-word names: exact misspelling/style aliases, and one wrong word in a place name
        whose other words are right ("New Dehli")."""
        tokens = self.doc.tokens
        for pos, i in enumerate(idx):
            for phrase in self.index.phrases.get(tokens[i].folded, ()):
                n = len(phrase.words)
                if pos + n > len(idx) or not phrase.targets:
                    continue
                window = [tokens[k] for k in idx[pos : pos + n]]
                diffs = [k for k in range(n) if window[k].folded != phrase.words[k]]
                if not diffs and phrase.rank in ("misspelling", "style"):
                    for k in range(n):
                        if window[k].surface != phrase.targets[k]:
                            self._add_alias_fix(idx[pos + k], _phrase_word(phrase, k))
                    return
                if len(diffs) != 1 or phrase.rank not in ("canonical", "variant") or n < 2:
                    continue
                if phrase.entity.type == "person":
                    continue  # people: the first-name/surname logic weighs the story's evidence
                k = diffs[0]
                wrong = window[k]
                if not self._is_candidate(wrong, strict=True):
                    continue
                c = closeness(wrong.folded, phrase.words[k])
                if c.tier != 1:
                    continue
                target = phrase.targets[k]
                full = " ".join(phrase.targets)
                explanation = (
                    f"'{wrong.surface}' {_how_close(c)} '{target}' — {full}, {phrase.entity.description}."
                    if phrase.entity.description
                    else f"'{wrong.surface}' {_how_close(c)} '{target}' — {full}."
                )
                self.fixes[idx[pos + k]] = _Fix(idx[pos + k], target, 0.8, explanation, (_distance_fact(c, target),))
                return

    def _add_alias_fix(self, i: int, word: NameWord) -> None:
        tok = self.doc.tokens[i]
        if word.rank == "style":
            explanation = f"House style writes '{word.target}' for '{tok.surface}' — {_describe(word.entity)}."
            self.fixes[i] = _Fix(i, word.target, 0.8, explanation, ("style alias",), kind="style")
        else:
            explanation = f"'{tok.surface}' is a known misspelling of '{word.target}' — {_describe(word.entity)}."
            self.fixes[i] = _Fix(i, word.target, 0.95, explanation, ("known misspelling",))

    # ------------------------------------------------------------------ the same place

    def _match_aligned(self) -> None:
        """Names the other outlets print in the very place this copy prints a form none of them
        uses: 'Bergen Fahlcns player' where they print 'Bergen Falcons player'. The shared words
        around it make a damaged form recognisable further from the name than anywhere else
        ('Bicl' / 'Bidel'). When a neighbour is itself the damaged other half of the name ('Oksar
        Lindvqistt was'), the other side and a name beside it must agree."""
        cons = self.consensus
        if not cons.slots:
            return
        tokens = self.doc.tokens
        for i, tok in enumerate(tokens):
            f = tok.folded
            if i in self.fixes or not tok.is_capitalised or len(f) < 3 or not is_latin(f):
                continue
            if f in self.doc.lower_words or cons.count(f) > 0:
                continue
            if any(w.rank in ("canonical", "variant") and w.role != "given" for w in self.index.readings(f)):
                continue  # a name the gazetteer knows ('Vidal' of 'Cape Vidal' is only part of one)
            before, after = self._context(i, -1), self._context(i, 1)
            options = cons.slots.get((before, after)) if before and after else None
            both_sides = options is not None
            if options is None and after and self._is_unmatched_name(i, -1):
                options = cons.after_name.get(after)
            if options is None and before and self._is_unmatched_name(i, 1):
                options = cons.before_name.get(before)
            if not options:
                continue
            close = [(len(srcs), g) for g, srcs in options.items() if _aligned_variant(f, g)]
            if not close:
                continue
            close.sort(key=lambda t: (-t[0], OSA.distance(f, t[1]), t[1]))
            n, g = close[0]
            if len(close) > 1 and close[1][0] == n:
                continue  # two forms as likely: not ours to choose
            if n < max(len(srcs) for srcs in options.values()):
                continue  # the other outlets mostly print something else there
            c = closeness(f, g)
            if f in self.common and not (both_sides and c.edits == 1):
                continue  # an English word ('Will', 'Mark') needs the whole context and one edit
            if n == 1 and not (both_sides and self._one_outlet_settles(f, g, next(iter(options[g])))):
                continue  # one outlet against this one: which of the two is damaged?
            if n == 1 and self.index.is_known(f):
                continue
            self._add_aligned(i, g, n, before, after, both_sides, c)

    def _context(self, i: int, step: int) -> str:
        """The word beside token ``i`` as :func:`_neighbour` gives it, read as corrected when this
        pass has corrected it ('Vahka, Lusanha Vahka' is read 'Vaka, Lusanha Vaka')."""
        fix = self.fixes.get(i + step)
        if fix is not None and _neighbour(self.doc, i, step) == self.doc.tokens[i + step].folded:
            return fold(fix.replacement)
        return _neighbour(self.doc, i, step)

    def _is_unmatched_name(self, i: int, step: int) -> bool:
        """Is the word beside token ``i`` the other half of a name that no other outlet writes
        (the damaged neighbour of a damaged word)?"""
        j = i + step
        return (
            _is_name_beside(self.doc, i, step)
            and self.consensus.count(self.doc.tokens[j].folded) == 0
        )

    def _uses(self, g: str) -> bool:
        return any(t.folded == g and t.is_capitalised for t in self.doc.tokens)

    def _one_outlet_settles(self, f: str, g: str, source: str) -> bool:
        """When a single other outlet prints this place, which of the two copies is damaged?
        Theirs is trusted when this article also writes their form elsewhere; when their form is
        a word or name of the English dictionary and this one is not (damage rarely makes a
        real word); or when this copy has names that the other copies agree to spell otherwise
        and theirs has none (machine translation and careless typing mangle many names of one
        copy)."""
        if self._uses(g):
            return True
        words = dictionary_words()
        if g in words and f not in words:
            return True
        return self._damage_count(None) >= 2 and self._damage_count(source) == 0

    def _damage_count(self, source: str | None) -> int:
        """How many names of a copy (this one for None) no other copy writes, while at least two
        other copies agree on a close form ('Berglumd' where two write 'Berglund')."""
        if source in self.damage:
            return self.damage[source]
        own = frozenset(
            t.folded
            for t in self.doc.tokens
            if t.is_capitalised and is_latin(t.folded) and not looks_mojibake(t.surface)
        )
        copies: dict[str | None, frozenset[str]] = {None: own}
        copies.update(self.consensus.forms)
        support: Counter[str] = Counter()
        for key, forms in copies.items():
            if key != source:
                support.update(forms)
        agreed = [g for g, n in support.items() if n >= 2 and len(g) >= 4]
        count = 0
        for f in copies.get(source, frozenset()):
            if len(f) < 4 or f in self.common or support[f] > 0:
                continue
            if any(abs(len(g) - len(f)) <= 2 and _aligned_variant(f, g) for g in agreed):
                count += 1
        self.damage[source] = count
        return count

    def _add_aligned(
        self, i: int, g: str, n: int, before: str, after: str, both_sides: bool, c: Closeness
    ) -> None:
        cons = self.consensus
        tok = self.doc.tokens[i]
        target = cons.surface.get(g, g)
        shown = [target]
        if before and before != _PARAGRAPH_EDGE and (both_sides or not self._is_unmatched_name(i, -1)):
            shown.insert(0, _surface_of(self.doc, before))
        if after and after != _PARAGRAPH_EDGE and (both_sides or not self._is_unmatched_name(i, 1)):
            shown.append(_surface_of(self.doc, after))
        noun = "outlet" if cons.n_sources == 1 else "outlets"
        fact = f"{n} of {cons.n_sources} other {noun} in this story write '{' '.join(shown)}' here"
        entity = next((w.entity for w in self.index.readings(g) if w.role != "given"), None)
        about = f" — {_describe(entity)}" if entity is not None else ""
        explanation = f"{fact}; '{tok.surface}' {_how_close(c)} '{target}'{about}."
        confidence = min(0.9, 0.65 + 0.25 * n / max(cons.n_sources, 1))
        res = _Resolution(target, entity, confidence, explanation, (fact, _distance_fact(c, target)))
        self.resolved_forms.setdefault(tok.folded, res)
        self._add(i, res)

    def _propagate(self) -> None:
        """A form resolved in one place is the same name elsewhere in the article ('Ines Bicl' and
        then 'Bicl said'); an English word at the start of a sentence may be just that word."""
        for i, tok in enumerate(self.doc.tokens):
            res = self.resolved_forms.get(tok.folded)
            if res is None or i in self.fixes or not tok.is_capitalised:
                continue
            if tok.folded in self.common and tok.is_sentence_start:
                continue
            self._add(i, res)

    # ------------------------------------------------------------------ within the article

    def _match_document_variants(self) -> None:
        """Forms this article spells several ways: an unresolved form close to a resolved one (or
        to a known surname used in this article) follows it."""
        tokens = self.doc.tokens
        anchors: dict[str, _Resolution] = dict(self.resolved_forms)
        for tok in tokens:
            if tok.is_capitalised and tok.folded not in anchors:
                persons = [w for w in self.index.readings(tok.folded) if w.role == "surname" and w.rank != "misspelling"]
                if persons:
                    word = persons[0]
                    anchors[tok.folded] = _Resolution(word.target, word.entity, 0.0, "", ())
        if not anchors:
            return
        for _ in range(2):
            added: dict[str, _Resolution] = {}
            for i, tok in enumerate(tokens):
                f = tok.folded
                if i in self.fixes or f in anchors or f in added or not self._is_candidate(tok, strict=True):
                    continue
                if self.consensus.count(f) > 0:
                    continue
                match = self._closest_anchor(f, anchors)
                if match is None:
                    continue
                anchor, res = match
                original = _surface_of(self.doc, anchor)
                about = f" — {_describe(res.entity)}" if res.entity is not None else ""
                if original.casefold() == res.target.casefold():
                    explanation = f"'{tok.surface}' looks like another spelling of '{res.target}', also in this article{about}."
                else:
                    explanation = (
                        f"'{tok.surface}' looks like another spelling of '{original}', which this article also "
                        f"uses for '{res.target}'{about}."
                    )
                added[f] = _Resolution(res.target, res.entity, 0.6, explanation, ("spelled several ways in this article",))
            if not added:
                break
            for i, tok in enumerate(tokens):
                res2 = added.get(tok.folded)
                if res2 is not None and i not in self.fixes and tok.is_capitalised:
                    self._add(i, res2)
            anchors.update(added)

    def _match_majority_forms(self) -> None:
        """A name the article spells one way several times and once another way: the rare form
        follows the article when it is no word or name of the dictionary or the gazetteer, no
        other outlet writes it (and they write the frequent one, each of them counting as one
        more use), it stands outside quotations, is no other transliteration of the frequent
        form, and is one slip from it, or two in a longer name that keep its first letter and
        sound ('Bergluhnt' where the article writes 'Berglund' throughout)."""
        tokens = self.doc.tokens
        uses: Counter[str] = Counter(t.folded for t in tokens if t.is_capitalised and is_latin(t.folded))
        # With other copies of the story, the frequent form must be one of theirs too: a copy
        # may mangle a name consistently ('Berglumnd' twice) and another name once.
        # An outlet that writes the form counts as one more use.
        frequent = [
            g for g, n in uses.items()
            if n + self.consensus.count(g) >= _MAJORITY_USES and len(g) >= 4 and g not in self.doc.lower_words
            and (self.consensus.n_sources == 0 or self.consensus.count(g) > 0)
        ]
        if not frequent:
            return
        words = dictionary_words()
        for i, tok in enumerate(tokens):
            f = tok.folded
            if i in self.fixes or uses.get(f) != 1 or tok.is_quoted:
                continue  # a quotation may spell a name its own way
            if not self._is_candidate(tok, strict=True):
                continue
            if f in words or self.index.readings(f) or self.consensus.count(f) > 0:
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
            target = _surface_of(self.doc, g)
            times = "once" if uses[g] == 1 else f"{uses[g]} times"
            fact = f"this article writes '{target}' {times}"
            outlets = self.consensus.count(g)
            if outlets:
                fact += f", as {outlets} of {self.consensus.n_sources} other outlets in this story do"
            explanation = f"'{tok.surface}' {_how_close(c)} '{target}', and {fact}."
            self._add(i, _Resolution(target, None, 0.6, explanation, (fact, _distance_fact(c, target))))

    def _closest_anchor(self, f: str, anchors: dict[str, _Resolution]) -> tuple[str, _Resolution] | None:
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

    # ------------------------------------------------------------------ output

    def _add(self, i: int, res: _Resolution) -> None:
        self.fixes[i] = _Fix(i, _match_case(self.doc.tokens[i].surface, res.target), res.confidence, res.explanation, res.evidence)


# ---------------------------------------------------------------------- helpers


@lru_cache(maxsize=64)
def _analyse_sibling(text: str) -> Document:
    """Sibling texts recur from article to article of a story (and on every refresh): analyse
    each once per process. ``Document`` is immutable, so sharing it is safe."""
    return analyse(text)


@lru_cache(maxsize=64)
def _sibling_debris(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(mojibake_spans(text))


def _build_consensus(context: PassContext, doc: Document | None = None) -> _Consensus:
    """What the other outlets' copies write. A copy that shares few of this copy's names is
    another story, whatever put it beside this one, and no evidence about them."""
    cons = _Consensus()
    own = _story_names(doc) if doc is not None else frozenset()
    per_source: dict[str, set[str]] = {}
    pairs: dict[str, dict[str, set[str]]] = {}
    placed: dict[str, set[tuple[str, str, str, bool, bool]]] = {}
    surfaces: dict[str, Counter[str]] = {}
    for sib in context.siblings[:_MAX_SIBLINGS]:
        source = sib.source or f"#{sib.article_id}"
        if context.source and source == context.source:
            continue
        sib_doc = _analyse_sibling(sib.text)
        if len(own) >= _MIN_NAMES_TO_COMPARE and not _same_story(own, _story_names(sib_doc)):
            continue
        debris = _sibling_debris(sib.text)
        seen = per_source.setdefault(source, set())
        for tok in sib_doc.tokens:
            if debris and any(a <= tok.end and tok.start <= b for a, b in debris):
                continue  # 'CharitÃ' of a mangled 'Charité' is no outlet's spelling
            if tok.is_capitalised and is_latin(tok.folded) and not looks_mojibake(tok.surface):
                seen.add(tok.folded)
                surfaces.setdefault(tok.folded, Counter())[tok.surface] += 1
        for span in sib_doc.spans:
            if len(span.tokens) >= 2:
                a, b = sib_doc.tokens[span.tokens[-2]], sib_doc.tokens[span.tokens[-1]]
                if sib_doc.text[a.end : b.start] in (" ", "\u00a0") and len(a.surface) > 1:
                    pairs.setdefault(b.folded, {}).setdefault(a.folded, set()).add(source)
        placed.setdefault(source, set()).update(_placements(sib.text, debris))
    for source, places in placed.items():
        for before, form, after, name_before, name_after in places:
            if before and after:
                cons.slots.setdefault((before, after), {}).setdefault(form, set()).add(source)
            if name_before and after:
                cons.after_name.setdefault(after, {}).setdefault(form, set()).add(source)
            if name_after and before:
                cons.before_name.setdefault(before, {}).setdefault(form, set()).add(source)
    cons.forms = {source: frozenset(forms) for source, forms in per_source.items()}
    cons.n_sources = len(per_source)
    for forms in per_source.values():
        cons.support.update(forms)
    cons.surface = {f: c.most_common(1)[0][0] for f, c in surfaces.items()}
    cons.givens = {s: Counter({g: len(srcs) for g, srcs in gs.items()}) for s, gs in pairs.items()}
    cons.given_sources = pairs
    cons.targets = sorted(f for f, n in cons.support.items() if n >= 2 and len(f) >= 3)
    return cons


def _story_names(doc: Document) -> frozenset[str]:
    """The names a copy uses: capitalised words of four letters or more, not first in a sentence."""
    return frozenset(
        t.folded
        for t in doc.tokens
        if t.is_capitalised and not t.is_sentence_start and len(t.folded) >= 4 and is_latin(t.folded)
    )


def _same_story(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do two copies share most names (of the shorter one)? Copies of one story, even rewritten
    by other outlets or damaged, share well over half; other stories of the day far fewer."""
    return len(a & b) >= _MIN_SHARED_NAMES * min(len(a), len(b))


@lru_cache(maxsize=64)
def _placements(
    text: str, debris: tuple[tuple[int, int], ...]
) -> frozenset[tuple[str, str, str, bool, bool]]:
    """(word before, capitalised form, word after, before is capitalised, after is capitalised)
    for each capitalised word of a sibling."""
    doc = _analyse_sibling(text)
    out: set[tuple[str, str, str, bool, bool]] = set()
    for i, tok in enumerate(doc.tokens):
        if not tok.is_capitalised or not is_latin(tok.folded) or looks_mojibake(tok.surface):
            continue
        if debris and any(a <= tok.end and tok.start <= b for a, b in debris):
            continue
        before, after = _neighbour(doc, i, -1), _neighbour(doc, i, 1)
        out.add((before, tok.folded, after, _is_name_beside(doc, i, -1), _is_name_beside(doc, i, 1)))
    return frozenset(out)


def _neighbour(doc: Document, i: int, step: int) -> str:
    """The folded word beside token ``i`` (``step`` -1 before, 1 after) as a context: a paragraph
    edge is "¶"; across more than a little punctuation there is no context ("")."""
    j = i + step
    if j < 0 or j >= len(doc.tokens):
        return _PARAGRAPH_EDGE
    a, b = (doc.tokens[j], doc.tokens[i]) if step < 0 else (doc.tokens[i], doc.tokens[j])
    gap = _POSSESSIVE_GAP.sub("", doc.text[a.end : b.start])
    if "\n" in gap:
        return _PARAGRAPH_EDGE
    if len(gap) > _MAX_CONTEXT_GAP or any(c.isalnum() for c in gap):
        return ""
    return doc.tokens[j].folded


def _is_name_beside(doc: Document, i: int, step: int) -> bool:
    """Is the word beside token ``i`` the other half of a name (a capitalised word one space
    away)?"""
    j = i + step
    if j < 0 or j >= len(doc.tokens):
        return False
    a, b = (doc.tokens[j], doc.tokens[i]) if step < 0 else (doc.tokens[i], doc.tokens[j])
    return doc.tokens[j].is_capitalised and doc.text[a.end : b.start] in (" ", "\u00a0", "-")


def _aligned_variant(f: str, g: str) -> bool:
    """Whether ``f`` may be a damaged ``g`` when another outlet prints ``g`` in the very place this
    copy prints ``f``: one edit; two in a word of four letters or more that keeps the first letter
    or sound ('Bicl' / 'Bidel', 'Fahlcns' / 'Falcons'); three that keep the whole sound ('Maaark'
    / 'Mark'). Never a plural of the other's form ('Bidels')."""
    if f == g or f in (g + "s", g + "es"):
        return False
    edits = int(OSA.distance(f, g))
    short = min(len(f), len(g))
    kf, kg = sound_key(f), sound_key(g)
    if edits == 1:
        return short >= 3
    same_start = f[0] == g[0] or (bool(kf) and bool(kg) and kf[0] == kg[0])
    if edits == 2:
        return short >= 4 and same_start
    return edits == 3 and short >= 4 and bool(kf) and kf == kg


def _style_rule_spans(text: str, rules: tuple[StyleRule, ...]) -> list[tuple[int, int]]:
    """Where a house-style rule's pattern occurs (exceptions included): those words are the
    house-style pass's, so that an editor never sees two suggestions for one word."""
    spans: list[tuple[int, int]] = []
    for rule in rules:
        if not rule.pattern:
            continue
        body = re.escape(rule.pattern)
        if rule.is_whole_word:
            body = rf"(?<!\w){body}(?!\w)"
        flags = 0 if rule.is_case_sensitive else re.IGNORECASE
        spans.extend(m.span() for m in re.finditer(body, text, flags))
    return spans


def _rank(f: str, g: str, c: Closeness, n: int) -> tuple[int, int, bool, int]:
    return (c.tier, c.edits, sorted(f) != sorted(g), -n)


def _near_unanimous_variant(f: str, g: str, c: Closeness) -> bool:
    """Whether ``f`` is a damaged ``g`` on the story's evidence alone, when no other outlet writes
    ``f`` and at least three in four write ``g``. Short names then count too: one edit that keeps
    the sound ('Munkk' / 'Munk'), or any single edit of a name of five letters or more, even of its
    first letter ('Hiuliani' / 'Giuliani')."""
    if f in (g + "s", g + "es"):
        return False  # "the Bidels": the family, not a slip
    if c.edits == 1 and min(len(f), len(g)) >= 5:
        return True
    return c.tier == 2 and (c.sounds_alike or c.edits == 1)


def _given_variant(g: str, top: str, c: Closeness) -> bool:
    """A first name beside a surname the other outlets pair with ``top``: a sound-alike within two
    edits ('Koort' / 'Kurt') or a single slip ('Jow' / 'Joe') is that first name."""
    return (c.sounds_alike and c.edits <= 2) or (c.edits == 1 and min(len(g), len(top)) >= 3)


def _in_heading(doc: Document, i: int) -> bool:
    line_start = doc.text.rfind("\n", 0, doc.tokens[i].start) + 1
    line_end = doc.text.find("\n", doc.tokens[i].start)
    line = doc.text[line_start : line_end if line_end >= 0 else len(doc.text)].strip()
    return bool(line) and line[-1] not in ".!?\"”’'"


def _phrase_word(phrase: Phrase, k: int) -> NameWord:
    return NameWord(phrase.words[k], phrase.entity, "name", phrase.rank, phrase.targets[k])


def _describe(entity: Entity | None) -> str:
    if entity is None:
        return ""
    return f"{entity.name}, {entity.description}" if entity.description else entity.name


def _how_close(c: Closeness) -> str:
    edits = "1 edit" if c.edits == 1 else f"{c.edits} edits"
    return f"is {edits} from and sounds like" if c.sounds_alike else f"is {edits} from"


def _distance_fact(c: Closeness, target: str) -> str:
    return f"{c.edits} edit{'s' if c.edits != 1 else ''} from '{target}'" + (", same sound" if c.sounds_alike else "")


def _explain_gazetteer(doc: Document, f: str, word: NameWord, c: Closeness) -> str:
    """Name the evidence against the spelling we propose (not the variant that matched best)."""
    to_target = closeness(f, fold(word.target))
    shown = Closeness(c.tier, to_target.edits, to_target.sounds_alike or c.sounds_alike)
    return f"'{_surface_of(doc, f)}' {_how_close(shown)} '{word.target}' — {_describe(word.entity)}."


def _outlets(n: int, total: int, surface: str) -> str:
    noun = "outlet" if total == 1 else "outlets"
    return f"{n} of {total} other {noun} in this story write '{surface}'"


def _surface_of(doc: Document, folded: str) -> str:
    for tok in doc.tokens:
        if tok.folded == folded:
            return tok.surface
    return folded


def _match_case(surface: str, target: str) -> str:
    if surface.isupper() and len(surface) > 1:
        return target.upper()
    return target


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
