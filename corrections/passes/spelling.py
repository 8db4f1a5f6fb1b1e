"""Spelling of ordinary words: "oogre" -> "ogre", from symspellpy's English frequency dictionary.

Built for precision: a word is questioned only when it is plainly an ordinary lower-case English
word that no dictionary form explains, and a correction is proposed only when one candidate is
clearly the best. Left alone:

- names: capitalised words (also at the start of a sentence), words the gazetteer knows (entity
  names and alias surfaces), words the same text also writes with a capital; acronyms;
- anything with digits or inside URLs, e-mail addresses and @handles;
- words of fewer than five letters, words with non-ASCII letters, unknown words the text uses more
  than once (a term, not a slip), words among other unknown words (a quotation in another
  language) and species epithets after a genus ("Porites cylindrica");
- inflections and derivations of dictionary words the dictionary lacks (-s, -ed, -ing, -er, -ly,
  -ness, un-, re-, non-...), British and American spellings (-ise/-ize, -our/-or, -tre/-ter,
  -ogue/-og, -ence/-ense, -mme, -lled/-led, sc/sk, ae/oe, ph/f...) and closed compounds of two
  dictionary words ("livestream"). Those analyses follow English: a consonant doubles only after
  a single vowel and before a vowel ending ("stopped", never "problemms" or "schoolss"); a British
  form of a common word would be in the British-leaning dictionary ("poeople" is no British
  "people"); a split that is one letter from a commoner word is a slip ("governmint").

A candidate must keep the word's first and last letters (or swap two neighbours), be one edit
away and several times more frequent than any rival, or two edits away from a long word with a far
larger margin; the confidence grows with that margin. Two words run together ("noone") are split
when the bigram dictionary knows the pair well. A hyphenated compound that English does not know
("Nav-Nazi") is corrected when other outlets of the story write it with one part a letter or two
different ("neo-Nazi"); this is why the pass uses siblings. The story also settles a word the
dictionary lacks but explains ("moted" as mote + -d) when the other outlets write a dictionary
word a letter or two away between the same two words ("had voted for"). Inside a direct quotation the
confidence is lowered and the explanation says so. Pairs editors rejected (``context.suppressed``)
are never proposed again.

The dictionaries (82,765 words and 242,342 word pairs with corpus frequencies, shipped inside the
symspellpy package) are read once per process on first use (~0.1 s and ~0.3 s); candidates are
found with rapidfuzz's edit distance over the frequent words of similar length, so no index has
to be built (symspellpy's own takes ~2 s).
"""

from __future__ import annotations

import importlib.resources
import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from corrections.passes.base import (
    GazetteerSnapshot,
    PassContext,
    Suggestion,
    Voices,
    drop_overlaps,
    make_suggestion,
    stable_digest,
    story_voices,
    voices_evidence,
)
from corrections.passes.house_style import find_quoted_spans
from corrections.passes.text_cache import per_text

NAME = "spelling"
VERSION = "9"  # 9: a copy echoing this one still counts where it writes another word
KINDS = ("spelling",)
USES_SIBLINGS = True  # a mangled compound is checked against the other outlets' copies
USES_SOURCE_HISTORY = False


def story_evidence(text: str, context: PassContext) -> str:
    """What this pass reads of the story: whether there is one, its voices, and each copy's word
    contexts and compounds."""
    return voices_evidence(story_voices(context), _reading_digest, siblings=bool(context.siblings))


_KIND = "spelling"
_DICTIONARY_FILE = "frequency_dictionary_en_82_765.txt"
_BIGRAM_FILE = "frequency_bigramdictionary_en_243_342.txt"

_MIN_LENGTH = 5
# No English word, not even a closed compound of two, is longer. Checking a word costs time
# quadratic in its length (every cut of _is_compound copies both halves), so a 200,000-letter
# token would take hours: such tokens are never known words and never candidates.
_MAX_WORD_LENGTH = 64
# With the story's other copies to compare, shorter slips ("wich") can be judged too.
_MIN_STORY_LENGTH = 4
# Candidates rarer than this are too obscure to propose in news copy; short words, which are more
# often foreign or technical words than slips, need a more common candidate.
_MIN_CANDIDATE_COUNT = 100_000
_MIN_CANDIDATE_COUNT_SHORT = 500_000
_SHORT_WORD_LENGTH = 6
# How much more frequent the best candidate must be than the runner-up.
_MIN_RATIO_ONE_EDIT = 4.0
_MIN_RATIO_TWO_EDITS = 30.0
_MIN_LENGTH_TWO_EDITS = 8
_MIN_COUNT_TWO_EDITS = 1_000_000
_QUOTED_CONFIDENCE_FACTOR = 0.8
# The dictionary lists words down to a count of about 13,000 and is British-leaning: a British
# spelling is listed whenever the word is common, so one that is missing while its American
# spelling is this common is no spelling at all (see _is_variant_of_known).
_MAX_COUNT_UNLISTED_BRITISH = 1_000_000
_SOLE_CANDIDATE_RATIO = 1000.0
# A candidate that forms a known word pair with a neighbour counts this many times its frequency.
_BIGRAM_BOOST = 10.0
_MIN_SPLIT_BIGRAM_COUNT = 10_000_000
_MIN_COMPOUND_PART_COUNT = 1_000_000

# A run of non-space characters. The C1 control "next line" (\x85) and the information
# separators count as part of a word although Python calls them spaces: in running text they are
# bytes of a mis-decoded letter ('DÄ\x85browski'), and the word they sit in is no English word.
_TOKEN = re.compile(r"(?:[^\s]|[\x1c-\x1f\x85])+")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?…*_—–-/|"
# A word or one part of a hyphenated compound, with any apostrophe ending.
_WORD_PART = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A two-part hyphenated compound of letters only: "neo-Nazi", "Kyiv-based".
_COMPOUND = re.compile(r"(?<![\w'’-])[^\W\d_]+-[^\W\d_]+(?![\w'’]|-\w)")
_MAX_COMPOUND_PART_EDITS = 2
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
_CONTRACTION = re.compile(r"(?:n['’]t|['’](?:ll|re|ve|d|m|s))$", re.IGNORECASE)
# Species epithets after a genus ("Porites cylindrica", "P. cylindrica") are Latin, not typos.
_LATIN_ENDING = re.compile(r"(?:a|ae|i|ii|is|us|um|ensis|oides|ata|ica|ina)$")
# An English word this common ("The", "This", "Every") is no genus, even with a capital.
_MIN_COUNT_NOT_GENUS = 20_000_000
_CONTEXT_WINDOW = 5  # words either side that tell English from a quotation in another language
_MAX_FOREIGN_NEIGHBOURS = 1

_PREFIXES = (
    "anti", "counter", "cyber", "extra", "hyper", "inter", "micro", "mid", "mini", "mis", "multi",
    "non", "out", "over", "post", "pre", "pro", "pseudo", "re", "self", "semi", "sub", "super",
    "trans", "ultra", "un", "under", "dis", "de", "co", "ex", "geo", "neo", "bio", "eco", "euro",
)  # fmt: skip
# (suffix, replacement) pairs that turn an inflected or derived form into a form to look up.
_SUFFIXES = (
    ("'s", ""), ("s", ""), ("es", ""), ("ies", "y"), ("ied", "y"), ("ier", "y"), ("iest", "y"),
    ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"), ("er", ""), ("er", "e"),
    ("ers", ""), ("est", ""), ("ly", ""), ("ily", "y"), ("ally", ""), ("ably", "able"),
    ("ibly", "ible"), ("ness", ""), ("ment", ""), ("ments", ""), ("less", ""), ("ful", ""),
    ("able", ""), ("able", "e"), ("ation", "e"), ("ations", "e"), ("ism", ""), ("ist", ""),
    ("ists", ""), ("ization", "ize"), ("isation", "ise"), ("ship", ""), ("hood", ""), ("wise", ""),
    ("like", ""), ("ves", "f"), ("ves", "fe"), ("ved", "f"),
)  # fmt: skip
_DOUBLING_SUFFIXES = frozenset({"ed", "ing", "er", "ers", "est"})
_ENDINGS = frozenset(suffix for suffix, _ in _SUFFIXES)
_MIN_COMPOUND_PART = 4
_PARTICLES = frozenset({"up", "in", "on", "by", "off", "out"})
# British and American spellings, the British first: the dictionary holds one or the other, so
# both are tried.
_SPELLING_VARIANTS = (
    ("isation", "ization"), ("ise", "ize"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"),
    ("iser", "izer"), ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"), ("our", "or"),
    ("tre", "ter"), ("tres", "ters"), ("ogue", "og"), ("ence", "ense"), ("mme", "m"),
    ("lled", "led"), ("lling", "ling"), ("ller", "ler"), ("lment", "llment"), ("sc", "sk"), ("ae", "e"),
    ("oe", "e"), ("oeuvre", "euver"), ("ph", "f"), ("ou", "u"), ("ough", "ow"), ("aught", "aft"),
    ("ium", "um"), ("ellery", "elry"), ("py", "pa"), ("aero", "air"), ("ey", "y"),
    ("dgement", "dgment"), ("eing", "ing"), ("que", "k"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Dictionary:
    counts: dict[str, int]
    by_length: dict[int, list[str]]  # candidate words (frequent enough) by length


class _Word(NamedTuple):  # a named tuple: an article has a thousand, built in a tight loop
    start: int
    end: int
    text: str  # without a possessive or contraction ending
    is_checkable: bool  # False inside tokens with digits, URLs, e-mail addresses, handles


_dictionary: _Dictionary | None = None
_bigrams: dict[tuple[str, str], int] | None = None


def load_dictionary() -> _Dictionary:
    """Read symspellpy's English frequency dictionary once per process (~0.1 s)."""
    global _dictionary
    if _dictionary is None:
        counts: dict[str, int] = {}
        for fields in _read_package_file(_DICTIONARY_FILE):
            if len(fields) == 2 and fields[1].isdigit():
                counts[fields[0]] = int(fields[1])
        by_length: dict[int, list[str]] = {}
        for word, count in counts.items():
            if count >= _MIN_CANDIDATE_COUNT and word.isalpha():
                by_length.setdefault(len(word), []).append(word)
        _dictionary = _Dictionary(counts=counts, by_length=by_length)
    return _dictionary


def load_bigrams() -> dict[tuple[str, str], int]:
    """Read symspellpy's English bigram dictionary once per process, on first need (~0.2 s)."""
    global _bigrams
    if _bigrams is None:
        _bigrams = {
            (fields[0], fields[1]): int(fields[2])
            for fields in _read_package_file(_BIGRAM_FILE)
            if len(fields) == 3 and fields[2].isdigit()
        }
    return _bigrams


def _read_package_file(name: str) -> list[list[str]]:
    source = importlib.resources.files("symspellpy").joinpath(name)
    with source.open(encoding="utf-8") as lines:
        return [line.split() for line in lines]


def run(text: str, context: PassContext) -> list[Suggestion]:
    if not text:
        return []
    words = _words(text)
    name_words = _gazetteer_words(context.gazetteer)
    capitalised = frozenset(w.text.lower() for w in words if w.text[:1].isupper())
    counts = Counter(w.text.lower() for w in words)
    quoted = find_quoted_spans(text)
    story = _story_contexts(context, frozenset(counts))
    found: list[Suggestion] = []
    for i, word in enumerate(words):
        min_length = _MIN_STORY_LENGTH if story.sources else _MIN_LENGTH
        if not word.is_checkable or not _is_candidate_word(
            word.text, name_words, capitalised, counts, min_length, derived=bool(story.sources)
        ):
            continue
        if word.text in story.words:
            continue  # the other outlets write it too: a term or a name, not a slip
        # A word the dictionary lacks but explains (an ending, a prefix, a compound, a British or
        # American spelling) is only questioned on the story's evidence: 'moted' may be mote + -d,
        # but where every other outlet writes 'had voted for', it is a slip. That evidence also
        # outweighs the signs of a Latin name or a foreign phrase (which the other outlets would
        # print as well): slips come in clusters in a badly typed or translated copy.
        derived = is_known_word(word.text)
        choice = _story_correction(
            word.text,
            _context_key(text, words[i - 1], word, before=True) if i > 0 else "",
            _context_key(text, word, words[i + 1], before=False) if i + 1 < len(words) else "",
            story,
            derived=derived,
        )
        if choice is None:
            if derived or len(word.text) < _MIN_LENGTH:
                continue
            if _is_species_epithet(text, words, i) or _is_foreign_context(words, i):
                continue
            previous = words[i - 1].text.lower() if i > 0 else ""
            following = words[i + 1].text.lower() if i + 1 < len(words) else ""
            choice = _best_correction(word.text, previous, following)
        if choice is None or (word.text, choice[0]) in context.suppressed:
            continue
        found.append(_suggest(text, word, choice, quoted))
    if context.siblings:
        found.extend(_compound_suggestions(text, context, quoted))
    return drop_overlaps(found)


@dataclass(frozen=True, slots=True)
class _SiblingContexts:
    """One sibling's words, and for each pair of neighbours the words it writes between them."""

    words: frozenset[str]
    between: dict[tuple[str, str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class _StoryContexts:
    """What the other outlets write between two words. The neighbours carry what separates them
    from the word ("iran, " / " had"), so that a context never joins words across a line break
    and a comma stays a comma."""

    sources: int
    per_source: tuple[_SiblingContexts, ...]
    words: frozenset[str]  # every lower-case word the other outlets use
    voices: Voices

    def between(self, previous: str, following: str) -> dict[str, int]:
        """word -> how many outlets write it between ``previous`` and ``following``. Asked only
        for the few questionable words, so it is counted on demand, not for every slot."""
        slot: dict[str, int] = {}
        for sibling in self.per_source:
            for middle in sibling.between.get((previous, following), ()):
                slot[middle] = slot.get(middle, 0) + 1
        return slot


def _story_contexts(context: PassContext, printed: frozenset[str] = frozenset()) -> _StoryContexts:
    """What the other copies write, each voice once. A copy echoing this one vouches for none of
    the (lower-cased) words this copy ``printed``; where it writes another word, it counts."""
    voices = story_voices(context)
    per_source: dict[str, _SiblingContexts] = {}
    for sibling in voices.siblings:
        if sibling.voice not in per_source:  # near-identical copies of several outlets count once
            per_source[sibling.voice] = _sibling_contexts(sibling.text)
    speaking = 0
    for sibling in voices.echo_copies if printed else ():
        if sibling.voice not in per_source:
            beyond = _beyond(_sibling_contexts(sibling.text), printed)
            if beyond.words:
                per_source[sibling.voice] = beyond
                speaking += 1
    voices = replace(voices, count=voices.count + speaking, outlets=voices.outlets + speaking,
                     echoes=voices.echoes - speaking)
    words = frozenset().union(*(sibling.words for sibling in per_source.values()))
    return _StoryContexts(len(per_source), tuple(per_source.values()), words, voices)


def _beyond(contexts: _SiblingContexts, printed: frozenset[str]) -> _SiblingContexts:
    between = {k: kept for k, v in contexts.between.items() if (kept := v - printed)}
    return _SiblingContexts(contexts.words - printed, between)


@per_text()
def _sibling_contexts(text: str) -> _SiblingContexts:
    """The (previous, word, next) contexts of a sibling's words, lower-cased, with the neighbours
    keyed as :func:`_context_key` keys them (cached: siblings recur from article to article)."""
    words = _words(text)
    seen: set[str] = set()
    between: dict[tuple[str, str], set[str]] = {}
    for i, w in enumerate(words):
        prev = _context_key(text, words[i - 1], w, before=True) if i > 0 else ""
        nxt = _context_key(text, w, words[i + 1], before=False) if i + 1 < len(words) else ""
        middle = w.text.lower()
        seen.add(middle)
        if prev and nxt:
            between.setdefault((prev, nxt), set()).add(middle)
    return _SiblingContexts(frozenset(seen), {k: frozenset(v) for k, v in between.items()})


_MAX_GAP = 6
_INLINE_SPACE = re.compile(r"[ \t\u00a0]+")


_LINE_BREAK = "\u00b6"  # stands for a paragraph edge in a context key
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTE_FORMS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


def _context_key(text: str, left: _Word, right: _Word, before: bool) -> str:
    """The neighbour of a word as a context: the other word with what separates them (curly and
    straight quotation marks alike, as outlets print either; any number as "0"), or "" when more
    than a few characters lie between. Across a line break the context is the paragraph edge with the
    punctuation on the word's side of it ("scene." at the end of a paragraph)."""
    gap = text[left.end : right.start]
    if gap == " ":  # most words: the general case below gives just this
        return f"{left.text.lower()} " if before else f" {right.text.lower()}"
    if "\n" in gap:
        side = gap[: gap.index("\n")] if not before else gap[gap.rindex("\n") + 1 :]
        side = _INLINE_SPACE.sub("", side).translate(_QUOTE_FORMS)
        if len(side) > _MAX_GAP:
            return ""
        return f"{_LINE_BREAK}{side}" if before else f"{side}{_LINE_BREAK}"
    gap = _NUMBER.sub("0", gap)  # "roughly 32,000 more": a number is one token of context
    if len(gap) > _MAX_GAP:
        return ""
    gap = _INLINE_SPACE.sub(" ", gap).translate(_QUOTE_FORMS)
    return f"{left.text.lower()}{gap}" if before else f"{gap}{right.text.lower()}"


def _story_correction(
    word: str, previous: str, following: str, story: _StoryContexts, derived: bool = False
) -> tuple[str, float, str] | None:
    """'justicd' -> 'justice' when other outlets of the story write 'the justice system' where
    this copy writes 'the justicd system': a dictionary word a letter or two away, between the
    same two words, and no outlet writing the unknown form. This settles slips the dictionary
    alone cannot (an edge letter, a short word, two candidates as likely).

    A ``derived`` word (not in the dictionary, but explained by it) is only corrected to a word of
    the dictionary itself, never to a form it may legitimately be derived from or spelled as:
    'reelected' is not a slip for 'elected', nor 'traveled' for 'travelled'."""
    if not story.sources or not previous or not following:
        return None
    slot = story.between(previous, following)
    if not slot:
        return None
    limit = 1 if len(word) <= 4 else 2
    counts = load_dictionary().counts
    options = sorted(
        ((n, other) for other, n in slot.items()
         if other != word and other.isalpha() and abs(len(other) - len(word)) <= limit
         and OSA.distance(word, other) <= limit and is_known_word(other)
         and not (derived and (other not in counts or _are_related_forms(word, other)))),
        reverse=True,
    )
    if not options or (len(options) > 1 and options[1][0] == options[0][0]):
        return None
    n, other = options[0]
    shown = f"{previous}{other}{following}".replace(_LINE_BREAK, "").strip()
    reason = f"{story.voices.phrase(n)} in this story write '{shown}' here"
    return other, min(0.9, 0.65 + 0.1 * n), reason


def _compound_suggestions(
    text: str, context: PassContext, quoted: list[tuple[int, int]]
) -> list[Suggestion]:
    """'Nav-Nazi' -> 'neo-Nazi': a hyphenated compound that no other outlet of the story uses and
    that English does not know, when other outlets write the same compound with one part a
    couple of letters different (machine translation and typing mangle one part of a compound).

    The other part must be identical, the changed part must not be a prefix that forms compounds
    freely (pro-/anti-/ex-...), nor one form of the other (Israel/Israeli), and the text's pair
    must be unknown to the bigram dictionary, so that "top-level" never becomes "low-level"."""
    support: dict[tuple[str, str], Counter[str]] = {}
    voices = story_voices(context)
    seen: set[tuple[str, str]] = set()
    for sibling in voices.siblings:
        for surface in _compounds_in(sibling.text):
            if (sibling.voice, surface) in seen:
                continue  # near-identical copies of several outlets count once
            seen.add((sibling.voice, surface))
            first, _, second = surface.lower().partition("-")
            support.setdefault((first, second), Counter())[surface] += 1
    found: list[Suggestion] = []
    for m in _COMPOUND.finditer(text):
        surface = m.group(0)
        first, _, second = surface.lower().partition("-")
        if (first, second) in support or not _is_unknown_compound(first, second):
            continue
        text_first, _, text_second = surface.partition("-")
        options: list[tuple[int, str]] = []
        for (other_first, other_second), surfaces in support.items():
            form = surfaces.most_common(1)[0][0]
            form_first, _, form_second = form.partition("-")
            if other_second == second and _is_mangled_part(text_first, form_first):
                options.append((sum(surfaces.values()), form))
            elif other_first == first and _is_mangled_part(text_second, form_second):
                options.append((sum(surfaces.values()), form))
        options.sort(reverse=True)
        if not options or (len(options) > 1 and options[1][0] == options[0][0]):
            continue
        outlets, replacement = options[0]
        if (surface, replacement) in context.suppressed:
            continue
        confidence = min(0.9, 0.6 + 0.1 * outlets)
        explanation = (
            f"'{surface}' is not an English compound; {voices.phrase(outlets)} in this story "
            f"write '{replacement}'."
        )
        if any(s <= m.start() < e for s, e in quoted):
            confidence *= _QUOTED_CONFIDENCE_FACTOR
            explanation = explanation[:-1] + " (inside a quotation: check against the speaker's words)."
        found.append(
            make_suggestion(
                text, m.start(), m.end(), replacement, _KIND, confidence, explanation,
                evidence=(f"other outlets: {replacement} ×{outlets}",),
            )
        )
    return found


@per_text()
def _compounds_in(text: str) -> frozenset[str]:
    """The hyphenated compounds a sibling writes (cached: siblings recur)."""
    return frozenset(m.group(0) for m in _COMPOUND.finditer(text))


@per_text()
def _reading_digest(text: str) -> str:
    return stable_digest((_sibling_contexts(text), _compounds_in(text)))


def _is_unknown_compound(first: str, second: str) -> bool:
    if first in _PREFIXES or second in _PREFIXES:
        return False
    if (first, second) in load_bigrams() or first + second in load_dictionary().counts:
        return False
    return True


def _is_mangled_part(part: str, other: str) -> bool:
    """Whether ``other`` (another outlet's form, an ordinary lower-case word or prefix) may be what
    ``part`` was meant to be. Names and acronyms ("UK-based", "Lua-based") are not spelling."""
    if not other.islower() or (len(part) > 1 and part.isupper()):
        return False
    low, other_low = part.lower(), other.lower()
    if low[0] != other_low[0] or low.startswith(other_low) or other_low.startswith(low):
        return False  # Israel-/Israeli-, Russia-/Russian-: both are English
    return OSA.distance(low, other_low) <= _MAX_COMPOUND_PART_EDITS


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    for token in _TOKEN.finditer(text):
        raw = token.group(0)
        stripped = raw.strip(_EDGE_PUNCT)
        if not stripped:
            continue
        offset = token.start() + raw.index(stripped)
        if stripped.isalpha():  # most tokens: one checkable part, no ending to strip
            words.append(_Word(offset, offset + len(stripped), stripped, True))
            continue
        # Digits, URLs, e-mail addresses, @handles and abbreviations with dots are never checked.
        is_checkable = all(c.isalpha() or c in "-'’" for c in stripped)
        for part in _WORD_PART.finditer(stripped):
            word = _strip_endings(part.group(0))
            start = offset + part.start()
            words.append(_Word(start, start + len(word), word, is_checkable))
    return words


def _suggest(
    text: str, word: _Word, choice: tuple[str, float, str], quoted: list[tuple[int, int]]
) -> Suggestion:
    replacement, confidence, reason = choice
    explanation = f"'{word.text}' is not an English word; {reason}."
    if any(s <= word.start < e for s, e in quoted):
        confidence *= _QUOTED_CONFIDENCE_FACTOR
        explanation = (
            f"'{word.text}' is not an English word; {reason} "
            "(inside a quotation: check against the speaker's words)."
        )
    return make_suggestion(text, word.start, word.end, replacement, _KIND, confidence, explanation)


def _strip_endings(word: str) -> str:
    """The word without a possessive or contraction ending, which the dictionary does not hold."""
    if "'" not in word and "’" not in word:
        return word  # both endings start with an apostrophe or end with one
    for pattern in (_POSSESSIVE, _CONTRACTION):
        m = pattern.search(word)
        if m is not None and m.start() > 0:
            return word[: m.start()] if not m.group(0).startswith("s") else word[: m.start() + 1]
    return word


def _is_candidate_word(
    word: str, name_words: frozenset[str], capitalised: frozenset[str], counts: Counter[str],
    min_length: int = 5, derived: bool = False,
) -> bool:
    """True for a lower-case ordinary word that no dictionary form explains (with ``derived``,
    also for one the dictionary lacks but explains)."""
    if not min_length <= len(word) <= _MAX_WORD_LENGTH or not word.isascii() or not word.isalpha():
        return False
    if not word.islower():
        return False
    if word in name_words or word in capitalised or counts[word] > 1:
        return False
    if derived:
        return word not in load_dictionary().counts
    return not is_known_word(word)


def _are_related_forms(word: str, other: str) -> bool:
    """Whether the two words are forms of one word: with another ending ('tweeted' / 'tweets'),
    a prefix ('reelected' / 'elected'), or the British or American spelling ('traveled' /
    'travelled')."""
    counts = load_dictionary().counts
    if {word, *_stems(word, counts)} & {other, *_stems(other, counts)}:
        return True  # 'tweeted' / 'tweets' share 'tweet'
    for a, b in ((word, other), (other, word)):
        if b in _without_prefix(a) or any(form == b for form, _ in _spellings(a)):
            return True
    return False


def _is_species_epithet(text: str, words: list[_Word], i: int) -> bool:
    """'cylindrica' in 'Porites cylindrica' or 'P. cylindrica': a Latin name, not English."""
    if i == 0 or _LATIN_ENDING.search(words[i].text) is None:
        return False
    genus = words[i - 1]
    between = text[genus.end : words[i].start]
    if genus.text.isupper() and len(genus.text) > 1:
        return False  # "UN forcis": an acronym, not a genus
    if load_dictionary().counts.get(genus.text.lower(), 0) >= _MIN_COUNT_NOT_GENUS:
        return False  # "The camerra": a sentence's first word, not a genus
    return genus.text[:1].isupper() and between.strip() in ("", ".")


def _is_foreign_context(words: list[_Word], i: int) -> bool:
    """Whether the word sits among other words that are not English (a quotation in Spanish, a
    phrase in Swahili): a typo is a lone unknown word in English text."""
    window = words[max(0, i - _CONTEXT_WINDOW) : i] + words[i + 1 : i + 1 + _CONTEXT_WINDOW]
    foreign = 0
    for w in window:
        low = w.text.lower()
        if not w.text.islower() or not any(c <= "\u024f" for c in low):
            continue  # names and other scripts say nothing about the language
        if not low.isascii() or not (low in load_dictionary().counts or is_known_word(low)):
            foreign += 1
    return foreign > _MAX_FOREIGN_NEIGHBOURS


def is_known_word(word: str) -> bool:
    """Whether a lower-case word is in the dictionary or is explained by it: an inflection or
    derivation (one ending), a prefixed form, the other of a British/American pair, a closed
    compound, or a combination of a prefix, a spelling variant and an ending. A word of more than
    _MAX_WORD_LENGTH letters is never known."""
    return len(word) <= _MAX_WORD_LENGTH and _is_known_word(word)


@lru_cache(maxsize=65536)
def _is_known_word(word: str) -> bool:
    counts = load_dictionary().counts
    if _is_inflected(word, counts):
        return True
    for rest in _without_prefix(word):
        if _is_inflected(rest, counts):
            return True
        if any(_is_variant_of_known(v, counts) for v in _spellings(rest)):
            return True
    return any(_is_variant_of_known(v, counts) for v in _spellings(word))


def _is_inflected(word: str, counts: dict[str, int], compounds: bool = True) -> bool:
    """In the dictionary, a closed compound, or one of them with one ending."""
    if _is_base(word, counts, compounds):
        return True
    return any(_is_base(stem, counts, compounds) for stem in _stems(word, counts))


def _is_base(word: str, counts: dict[str, int], compounds: bool = True) -> bool:
    return word in counts or (compounds and _is_compound(word, counts))


def _is_variant_of_known(variant: tuple[str, bool], counts: dict[str, int]) -> bool:
    """Whether the other spelling of a word (from :func:`_spellings`) is a dictionary word or an
    inflection of one. A variant is never read as a closed compound ('problemmems').

    The dictionary is British-leaning: it lacks many American spellings (neighbor, pediatric) but
    holds the British spelling of every common word. So a British-looking form whose American
    spelling is common ('poeople' / people, 'soeveral' / several, 'commounity' / community) is
    not a British spelling at all: if it were, the dictionary would hold it. A form that changes
    a British spelling to American counts only when the American word is rarer than that."""
    form, to_american = variant
    if not _is_inflected(form, counts, compounds=False):
        return False
    return not to_american or _frequency(form, counts) < _MAX_COUNT_UNLISTED_BRITISH


def _frequency(word: str, counts: dict[str, int]) -> int:
    """The dictionary count of a word, or of the word it inflects."""
    if word in counts:
        return counts[word]
    return max((counts.get(stem, 0) for stem in _stems(word, counts)), default=0)


def _stems(word: str, counts: dict[str, int]) -> list[str]:
    """Stems that ``word`` may be an inflection or derivation of. An analysis is refused when the
    dictionary spells that very form differently: 'occured' is not occur + -ed, because the
    dictionary has 'occurred'; 'publically' is not public + -ally, because it has 'publicly'."""
    out: list[str] = []
    for suffix, replacement in _SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        stem = word[: len(word) - len(suffix)]
        if suffix == "d" and not stem.endswith("e"):
            continue  # "wierd" is not wier + -d
        if replacement == "" and suffix[0] == "e" and stem.endswith("e"):
            continue  # "includeed" is not include + -ed: English drops the stem's e ("included")
        if suffix == "s" and stem.endswith("s"):
            continue  # "schoolss" is not schools + -s: a word ending in s takes "-es"
        if (
            replacement == ""
            and suffix[0] in "aeiou"
            and stem[-1] == stem[-2]
            and stem[-1] not in "aeiouslwxy"
            and len(stem) >= 4
            and _doubles_final_consonant(stem[:-1])
        ):
            out.append(stem[:-1])  # stopped -> stop, planning -> plan
        if replacement == "" and suffix in _DOUBLING_SUFFIXES and stem + stem[-1] + suffix in counts:
            continue  # occured: the dictionary doubles the consonant
        if suffix == "ally" and stem + "ly" in counts:
            continue
        out.append(stem + replacement)
    return out


def _doubles_final_consonant(stem: str) -> bool:
    """English doubles a final consonant before a vowel ending only after a single vowel
    ("stop" -> "stopped", "equip" -> "equipped"), never after a consonant or two vowels, and never
    before a consonant ending: "factorrs" and "problemms" are slips, not inflections."""
    if len(stem) < 3 or stem[-2] not in "aeiou":
        return False
    return stem[-3] not in "aeiou" or stem[-4:-2] == "qu"


def _without_prefix(word: str) -> list[str]:
    return [
        word[len(prefix) :]
        for prefix in _PREFIXES
        if word.startswith(prefix) and len(word) - len(prefix) >= 4
    ]


_DIGRAPHS = frozenset({"ae", "oe"})
# Pairs whose first form is not British only: "whiskey" is the Irish and American spelling.
_NOT_ONLY_BRITISH = frozenset({"ey"})


def _spellings(word: str) -> list[tuple[str, bool]]:
    """The word with one British spelling made American or the other way round, each with
    whether the change was from British to American (the pairs list the British form first)."""
    out: list[tuple[str, bool]] = []
    for one, other in _SPELLING_VARIANTS:
        for old, new in ((one, other), (other, one)):
            at = word.find(old)
            while at >= 0:
                # British ae/oe stand inside a word (paediatric, foetus); at its end they are a slip
                # ("achievae"), and the Latin plurals that end so (larvae) are in the dictionary.
                if not (old in _DIGRAPHS and at + len(old) == len(word)):
                    to_american = old == one and one not in _NOT_ONLY_BRITISH
                    out.append((word[:at] + new + word[at + len(old) :], to_american))
                at = word.find(old, at + 1)
    return out


def _is_compound(word: str, counts: dict[str, int]) -> bool:
    """Two frequent dictionary words written as one: livestream, lockdown, cyberattack. Both parts
    have four letters or more and the second is not an ending ('publically' is not public+ally).

    A split is no compound when a single dictionary word one letter away (inside the word, as
    typing slips are) is more common than the rarer part: 'governmint' is government, not
    govern + mint; 'developmont' is development. Real closed compounds (lockdown, pushback, fursuit) are no slip
    of a common word."""
    for cut in range(_MIN_COMPOUND_PART, len(word) - _MIN_COMPOUND_PART + 1):
        left, right = word[:cut], word[cut:]
        if right in _ENDINGS or right.removesuffix("s") in _ENDINGS:
            continue
        right_count = max(counts.get(right, 0), counts.get(right.removesuffix("s"), 0))
        rarer = min(counts.get(left, 0), right_count)
        if rarer >= _MIN_COMPOUND_PART_COUNT:
            found = _candidates(word)
            return all(counts[c] < rarer for c in found.one)
    return False


def _best_correction(word: str, previous: str, following: str) -> tuple[str, float, str] | None:
    """The one clearly best correction of ``word``: (replacement, confidence, reason), or None."""
    found = _candidates(word)
    counts = load_dictionary().counts
    rival = max((counts[c] for c in found.edge), default=0)
    split = _best_split(word)
    if split is not None:
        pair_count, pair = split
        nearest = max((counts[c] for c in found.one + found.edge), default=0)
        if nearest * _MIN_RATIO_ONE_EDIT > pair_count:
            return None  # "anage": "an age" or "manage"?
        return pair, 0.8, f"'{pair}' are two words run together"
    if found.one:
        best, ratio = _rank(found.one, previous, following)
        least = _MIN_CANDIDATE_COUNT_SHORT if len(word) <= _SHORT_WORD_LENGTH else 0
        if ratio < _MIN_RATIO_ONE_EDIT or counts[best] < least:
            return None
        if rival * _MIN_RATIO_ONE_EDIT > counts[best]:
            return None
        confidence = 0.6 + 0.35 * min(1.0, math.log10(ratio) / 3)
        return best, confidence, f"'{best}' is one letter away and far more common"
    if found.two and len(word) >= _MIN_LENGTH_TWO_EDITS and not rival:
        best, ratio = _rank(found.two, previous, following)
        if counts[best] < _MIN_COUNT_TWO_EDITS or ratio < _MIN_RATIO_TWO_EDITS:
            return None
        confidence = 0.5 + 0.3 * min(1.0, math.log10(ratio) / 4)
        return best, confidence, f"'{best}' is two letters away and far more common"
    return None


def _rank(candidates: tuple[str, ...], previous: str, following: str) -> tuple[str, float]:
    """The best candidate by frequency, helped by the words around it, and its margin (a ratio)
    over the runner-up."""
    counts = load_dictionary().counts
    bigrams = load_bigrams() if len(candidates) > 1 else {}

    def score(candidate: str) -> float:
        boost = 1.0
        if (previous, candidate) in bigrams:
            boost *= _BIGRAM_BOOST
        if (candidate, following) in bigrams:
            boost *= _BIGRAM_BOOST
        return counts[candidate] * boost

    ranked = sorted(candidates, key=lambda c: (-score(c), c))
    if len(ranked) == 1:
        return ranked[0], _SOLE_CANDIDATE_RATIO
    return ranked[0], score(ranked[0]) / max(1.0, score(ranked[1]))


def _best_split(word: str) -> tuple[int, str] | None:
    """'noone' -> 'no one', 'loadsof' -> 'loads of': a frequent pair of words missing its space,
    with the pair's count in the bigram dictionary."""
    counts = load_dictionary().counts
    bigrams = load_bigrams()
    best: tuple[int, str] | None = None
    for cut in range(1, len(word)):
        left, right = word[:cut], word[cut:]
        if left not in counts or right not in counts or min(len(left), len(right)) > 2:
            continue  # two longer words written as one are a closed compound ("roadmap")
        if right in _PARTICLES:
            continue  # "leadup", "buildup": a verb and its particle make closed compounds
        count = bigrams.get((left, right), 0)
        if count >= _MIN_SPLIT_BIGRAM_COUNT and (best is None or count > best[0]):
            best = (count, f"{left} {right}")
    return best


@dataclass(frozen=True, slots=True)
class _Candidates:
    one: tuple[str, ...]  # one edit away (a transposition counts as one edit)
    two: tuple[str, ...]  # two edits away
    # One edit away but only by changing the first or last letter: never proposed, because
    # typists rarely miss those while foreign and technical words often differ from an English
    # word only there (improv/improve, anoxic/anoxia, pled/led); when such a word is as likely as
    # the best candidate, the pass cannot tell which was meant and says nothing.
    edge: tuple[str, ...]


@lru_cache(maxsize=8192)
def _candidates(word: str) -> _Candidates:
    """Frequent dictionary words within two edits of ``word``."""
    dictionary = load_dictionary()
    one: list[str] = []
    two: list[str] = []
    edge: list[str] = []
    for length in range(len(word) - 2, len(word) + 3):
        pool = dictionary.by_length.get(length)
        if not pool:
            continue
        for candidate, distance, _ in process.extract(
            word, pool, scorer=OSA.distance, score_cutoff=2, limit=None
        ):
            if distance == 0:
                continue
            keeps_edges = candidate[0] == word[0] and candidate[-1] == word[-1]
            if keeps_edges or _is_transposition(word, candidate):
                (one if distance == 1 else two).append(candidate)
            elif distance == 1:
                edge.append(candidate)
    return _Candidates(tuple(one), tuple(two), tuple(edge))


def _is_transposition(word: str, candidate: str) -> bool:
    if len(word) != len(candidate):
        return False
    diff = [i for i, (a, b) in enumerate(zip(word, candidate, strict=True)) if a != b]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    i, j = diff
    return word[i] == candidate[j] and word[j] == candidate[i]


_gazetteer_cache: tuple[tuple[int, int], frozenset[str]] | None = None


def _gazetteer_words(gazetteer: GazetteerSnapshot) -> frozenset[str]:
    """Every word of every entity name and alias, lower-cased; cached by gazetteer version."""
    global _gazetteer_cache
    key = (gazetteer.version, len(gazetteer.entities))
    if _gazetteer_cache is not None and _gazetteer_cache[0] == key:
        return _gazetteer_cache[1]
    words: set[str] = set()
    for entity in gazetteer.entities:
        for surface in (entity.name, *(a.surface for a in entity.aliases)):
            words.update(m.group(0).lower() for m in _WORD_PART.finditer(surface))
    result = frozenset(words)
    _gazetteer_cache = (key, result)
    return result
