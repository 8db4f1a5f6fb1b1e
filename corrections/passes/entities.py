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

The pass reads the story's evidence (entity_story), then runs its matchers over one shared record of
what it found (entity_matches): word by word through the gazetteer and the story (entity_gazetteer),
at the same place in the other copies (entity_aligned), and within the article (entity_article).
entity_wording words the explanations.
"""

from __future__ import annotations

import re

from corrections.passes.base import (
    PassContext,
    StyleRule,
    Suggestion,
    drop_overlaps,
    make_suggestion,
    story_voices,
    voices_evidence,
)
from corrections.passes.encoding import mojibake_spans
from corrections.passes.entity_aligned import match_aligned, propagate
from corrections.passes.entity_article import match_document_variants, match_majority_forms
from corrections.passes.entity_gazetteer import match_given, match_phrases, match_word
from corrections.passes.entity_matches import Fix, Matches
from corrections.passes.entity_story import MAX_SIBLINGS, Consensus, build_consensus, reading_digest
from corrections.passes.house_style import may_occur
from corrections.passes.names_index import GazetteerIndex, index_for
from corrections.passes.names_text import PERSON_CUES, Document, analyse, looks_mojibake

NAME = "entities"
VERSION = "15"  # 15: in a heading, a first name waits for its surname before it is read alone
KINDS = ("entity",)
USES_SIBLINGS = True
USES_SOURCE_HISTORY = False


def story_evidence(text: str, context: PassContext) -> str:
    """What the consensus reads of the story (entity_story.build_consensus): its voices and each
    copy's reading."""
    return voices_evidence(story_voices(context, MAX_SIBLINGS), reading_digest)


_QUOTE_FACTOR = 0.8
_QUOTE_NOTE = " It is inside a direct quote, so check it against the speaker's words."


def run(text: str, context: PassContext) -> list[Suggestion]:
    doc = analyse(text)
    if not doc.tokens:
        return []
    index = index_for(context.gazetteer)
    consensus = build_consensus(context, doc)
    fixes = find_fixes(doc, index, consensus)
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
                text, tok.start, tok.end, fix.replacement, fix.kind, confidence, explanation, fix.evidence,
                rule=fix.rule,
            )
        )
    return drop_overlaps(suggestions)


def find_fixes(doc: Document, index: GazetteerIndex, consensus: Consensus) -> list[Fix]:
    """Every name this article should spell otherwise, in token order: the matchers in the order
    in which each may read what the earlier ones found."""
    m = Matches(doc, index, consensus)
    m.person_forms = _person_forms(doc)
    for span in doc.spans:
        idx = list(span.tokens)
        match_phrases(m, idx)
        person_only = span.cue in PERSON_CUES or len(idx) >= 2
        last = idx[-1]
        # In a heading, words that may be a first name wait for the word after them.
        deferred: list[tuple[int, int, int | None]] = []
        for pos, i in enumerate(idx):
            if i in m.fixes:
                continue
            is_last = pos == len(idx) - 1
            given = idx[pos - 1] if pos > 0 and _pairs(doc, idx[pos - 1], i) else None
            if not is_last and _in_heading(doc, i) and _pairs(doc, i, idx[pos + 1]):
                # A heading (a title) may hold a first name, or a name on its own: the word after
                # it has its say first ("Volodimir Zelanski" is Volodymyr's, not the city of
                # Vladimir), then it is read alone as before.
                deferred.append((i, idx[pos + 1], given))
                continue
            # Inside a longer run only headings put names next to each other ("Trump Urges
            # Putin"); elsewhere a word before another capitalised word is a first name or part
            # of a longer name: only the story's other copies may correct it.
            on_its_own = is_last or _in_heading(doc, i)
            if pos == len(idx) - 2 and not on_its_own and _pairs(doc, i, last):
                continue  # a first name: judged against its surname by match_given
            match_word(m, i, given, person_only=person_only and is_last, use_gazetteer=on_its_own)
        if len(idx) >= 2 and _pairs(doc, idx[-2], last):
            match_given(m, idx[-2], last)
        for i, surname, given in reversed(deferred):
            if i not in m.fixes:
                match_given(m, i, surname)
            if i not in m.fixes:
                match_word(m, i, given, person_only=False, use_gazetteer=True)
    for _ in range(2):  # a second round reads the neighbours the first one corrected
        match_aligned(m)
        propagate(m)
    match_document_variants(m)
    match_majority_forms(m)
    return [m.fixes[k] for k in sorted(m.fixes)]


def _person_forms(doc: Document) -> frozenset[str]:
    """Words this article uses as a person's surname somewhere: after a first name or a title
    ("Dick Durbin", "President Rouhani"). Those are never corrected to a place."""
    forms: set[str] = set()
    for span in doc.spans:
        last = span.tokens[-1]
        if span.cue in PERSON_CUES or (len(span.tokens) >= 2 and _pairs(doc, span.tokens[-2], last)):
            forms.add(doc.tokens[last].folded)
    return frozenset(forms)


def _pairs(doc: Document, given: int, surname: int) -> bool:
    """Are these two tokens a first name and a surname (separated by one space)?"""
    a, b = doc.tokens[given], doc.tokens[surname]
    gap = doc.text[a.end : b.start]
    return len(a.surface) > 1 and gap in (" ", "\u00a0")


def _in_heading(doc: Document, i: int) -> bool:
    line_start = doc.text.rfind("\n", 0, doc.tokens[i].start) + 1
    line_end = doc.text.find("\n", doc.tokens[i].start)
    line = doc.text[line_start : line_end if line_end >= 0 else len(doc.text)].strip()
    return bool(line) and line[-1] not in ".!?\"”’'"


def _style_rule_spans(text: str, rules: tuple[StyleRule, ...]) -> list[tuple[int, int]]:
    """Where a house-style rule's pattern occurs (exceptions included): those words are the
    house-style pass's, so that an editor never sees two suggestions for one word."""
    spans: list[tuple[int, int]] = []
    for rule in rules:
        if not rule.pattern or not may_occur(text, rule.pattern, rule.is_case_sensitive):
            continue
        body = re.escape(rule.pattern)
        if rule.is_whole_word:
            body = rf"(?<!\w){body}(?!\w)"
        flags = 0 if rule.is_case_sensitive else re.IGNORECASE
        spans.extend(m.span() for m in re.finditer(body, text, flags))
    return spans
