"""Reading running prose for the entity pass: word tokens, capitalised name spans, sentence starts,
headings, direct quotes, and the spelling keys (folded, transliteration skeleton, sound) that name
matching compares.

Pure functions of the text; no gazetteer knowledge lives here.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import jellyfish

from corrections.passes.base import WORD_DEBRIS
from corrections.passes.text_cache import per_text

_LETTER = r"[^\W\d_]"
_MARK = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_APOSTROPHES = "'’ʹ′ʼ"
_LETTER_OR_DEBRIS = rf"(?:{_LETTER}|{_MARK}|{WORD_DEBRIS})"
# A word part: letters (with combining marks), joined by internal apostrophes (O'Brien, Chaplyns'kyi).
_PART = rf"{_LETTER}{_LETTER_OR_DEBRIS}*(?:[{_APOSTROPHES}]{_LETTER}{_LETTER_OR_DEBRIS}*)*"
_PART_RE = re.compile(_PART)
# A word of running text; hyphenated words are split into their parts ("Putin-Zelensky").
_WORD_RE = re.compile(rf"{_PART}(?:-{_PART})*")
_POSSESSIVE_ENDS = frozenset("s" + _APOSTROPHES)
_POSSESSIVE_RE = re.compile(rf"[{_APOSTROPHES}]s$|(?<=s)[{_APOSTROPHES}]$")
_SENTENCE_END = frozenset(".!?:;")
_OPENERS = frozenset("\"'“‘«„([{—–-*•")
_SPACES = frozenset(" \t\u00a0\u2009\u202f")
_QUOTE_OPENING = re.compile('[“«„"]')
_BEFORE_A_WORD = "".join(sorted(_SPACES | _OPENERS))  # what a sentence's first word may follow
_SENTENCE_BEFORE = frozenset("\n\r”\"’'»)") | _SENTENCE_END  # what a sentence's start follows

# Lower-case particles that may sit inside a personal or place name ("Ursula von der Leyen",
# "Rio de Janeiro").
PARTICLES = frozenset(
    "de da di do dos das du del della der den van von ten ter la le al el bin ibn bint y".split()
)

# Titles and honorifics that introduce a name. They are cue words, never part of the name itself.
TITLES = frozenset(
    """
    mr mrs ms miss mx dr prof sir dame lord lady rev reverend father sister brother
    president vice prime minister premier chancellor secretary foreign defence defense interior
    finance deputy assistant acting former senator sen rep representative congressman congresswoman
    governor gov mayor councillor councilor ambassador envoy consul commissioner spokesman
    spokeswoman spokesperson chairman chairwoman chair director chief executive ceo general gen
    admiral adm colonel col major maj captain capt lieutenant lt sergeant sgt commander marshal
    brigadier corporal private officer inspector detective judge justice attorney king queen prince
    princess emperor empress sultan sheikh emir shah pope cardinal archbishop bishop imam rabbi
    ayatollah mullah patriarch coach manager striker goalkeeper midfielder defender leader head
    minister's speaker mp mep
    """.split()
)

# Cue words that say the following name is a person (used to keep places out of the candidates).
PERSON_CUES = TITLES - frozenset({"foreign", "defence", "defense", "interior", "finance", "former"})

_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("tsch", "ch"),
    ("tch", "ch"),
    ("tsh", "ch"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("w", "v"),
    ("x", "ks"),
    ("j", "i"),
    ("y", "i"),
)
_DOUBLE_RE = re.compile(r"(.)\1+")
# A UTF-8 lead byte read as Windows-1252 or Latin-1 (Â-ô) followed by a continuation byte read so:
# 'YÄ±lmaz' is 'Yılmaz' with its encoding mangled, not a spelling of anyone's name.
_MOJIBAKE_PAIR = re.compile(
    "[\u00c2-\u00f4][€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ\xa0-\xbf]"
)


class Token(NamedTuple):
    """One word of the text. A named tuple, not a frozen dataclass: an article makes about a
    thousand, and a frozen dataclass costs five times as much to build."""

    start: int  # offsets of the word without any possessive ending
    end: int
    surface: str  # text[start:end]
    folded: str  # lower case, accents and apostrophes removed
    is_capitalised: bool  # starts upper case and is not an all-caps acronym
    is_sentence_start: bool  # first word of a sentence, a line, or a heading line
    is_quoted: bool  # inside a direct quotation
    is_hyphen_part: bool  # came from a hyphenated word ("Putin-Zelensky")


@dataclass(frozen=True, slots=True)
class NameSpan:
    """A run of capitalised words that may be a name, with the title word before it if any."""

    tokens: tuple[int, ...]  # indices into the document's tokens
    cue: str  # folded title or cue word just before the name ("president"), or ""


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    tokens: tuple[Token, ...]
    spans: tuple[NameSpan, ...]
    lower_words: frozenset[str]  # folded words that occur in lower case in running prose
    # indices of the capitalised tokens: the entity pass's loops look at nothing else
    capitalised: tuple[int, ...] = ()


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without accents or apostrophes: the key exact comparisons use (cached: the
    words of news copy recur from article to article)."""
    decomposed = unicodedata.normalize("NFKD", word)
    kept = [c for c in decomposed if not unicodedata.combining(c) and c not in _APOSTROPHES]
    return "".join(kept).lower().replace("ı", "i").replace("ł", "l").replace("ø", "o").replace("đ", "d")


@lru_cache(maxsize=65536)
def skeleton(folded: str) -> str:
    """A transliteration-blind spelling: y/i/j merged, doubled letters collapsed, common digraphs
    (kh, ph, tch) reduced, so that Zelenskyy, Zelenskiy and Zelensky share one skeleton."""
    s = folded
    for a, b in _SKELETON_RULES:
        s = s.replace(a, b)
    s = _DOUBLE_RE.sub(r"\1", s)
    if len(s) > 3 and s.endswith("i") and s[-2] == "i":
        s = s[:-1]
    return s


@lru_cache(maxsize=65536)
def sound_key(folded: str) -> str:
    """Metaphone of the skeleton: how the name sounds, whatever the transliteration."""
    return str(jellyfish.metaphone(skeleton(folded))) if folded.isascii() else ""


def name_words(surface: str) -> list[str]:
    """The words of a name as :func:`analyse` cuts running text: hyphens, spaces and initials'
    full stops separate words ("Jean-Pierre", "Donald J. Trump")."""
    return [m.group() for m in _PART_RE.finditer(surface)]


def is_latin(folded: str) -> bool:
    return folded.isascii() and folded.isalpha()


def looks_mojibake(surface: str) -> bool:
    """Does this word carry encoding debris ('YÄ±lmaz')? Such a word is the encoding pass's."""
    return _MOJIBAKE_PAIR.search(surface) is not None


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Every word (and name) of the frequency dictionary symspellpy ships, lower case."""
    try:
        import symspellpy

        path = Path(symspellpy.__file__).with_name("frequency_dictionary_en_82_765.txt")
        with path.open(encoding="utf-8") as fh:
            return frozenset(line.partition(" ")[0] for line in fh if line.strip())
    except (ImportError, OSError):
        return frozenset()


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Frequent English words (and frequent names) from the frequency dictionary symspellpy ships.

    A capitalised word that is also a frequent English word ("Stub", "Sceptical", "Gulf") is only
    treated as a damaged name when the rest of the name says so.
    """
    words: set[str] = set()
    try:
        import symspellpy

        path = Path(symspellpy.__file__).with_name("frequency_dictionary_en_82_765.txt")
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                word, _, count = line.partition(" ")
                if count and int(count) >= 100_000:
                    words.add(word)
    except (ImportError, OSError, ValueError):
        return frozenset()
    return frozenset(words)


@per_text()
def analyse(text: str) -> Document:
    """Tokenise ``text`` and find the capitalised spans that may be names (once per text: an
    article is read again as a sibling of the story's next copies)."""
    quoted = _quoted_spans(text)
    headings = heading_lines(text)
    heading_starts = [a for a, _ in headings]
    tokens: list[Token] = []
    lower_words: set[str] = set()
    q = 0
    previous_end = 0
    for m in _WORD_RE.finditer(text):
        whole_start = m.start()
        # A sentence starts where, skipping spaces and opening marks back from the word, the text
        # starts or a line or sentence ended. Only the gap since the previous word need be read:
        # it holds no letters (each would have started a word), and a word ends in a letter.
        before = text[previous_end:whole_start].rstrip(_BEFORE_A_WORD)
        sentence_start = before[-1] in _SENTENCE_BEFORE if before else not tokens
        if not sentence_start and headings:
            sentence_start = _in_ranges(whole_start, headings, heading_starts)
        previous_end = m.end()
        # Most words have no hyphen: the match is then the word's one part.
        parts = list(_PART_RE.finditer(m.group())) if "-" in m.group() else [m]
        for k, p in enumerate(parts):
            start = whole_start + p.start() if p is not m else whole_start
            word = p.group()
            pm = _POSSESSIVE_RE.search(word) if word[-1] in _POSSESSIVE_ENDS else None
            if pm and len(word) - len(pm.group()) >= 2:
                word = word[: pm.start()]
            end = start + len(word)
            while q < len(quoted) and quoted[q][1] <= start:
                q += 1
            is_quoted = q < len(quoted) and quoted[q][0] <= start
            first = word[0]
            is_cap = first.isupper() and not (len(word) > 1 and word.isupper())
            folded = fold(word)
            if first.islower() and not is_quoted:
                lower_words.add(folded)
            tokens.append(Token(start, end, word, folded, is_cap, sentence_start and k == 0, is_quoted, len(parts) > 1))
    return Document(
        text=text,
        tokens=tuple(tokens),
        spans=tuple(_name_spans(text, tokens)),
        lower_words=frozenset(lower_words),
        capitalised=tuple(i for i, t in enumerate(tokens) if t.is_capitalised),
    )


def _name_spans(text: str, tokens: list[Token]) -> list[NameSpan]:
    spans: list[NameSpan] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if not tok.is_capitalised or tok.folded in TITLES:
            i += 1
            continue
        run = [i]
        j = i + 1
        while j < n:
            gap = text[tokens[run[-1]].end : tokens[j].start]
            if not _joins(gap, is_initial=len(tokens[run[-1]].surface) == 1):
                break
            nxt = tokens[j]
            if nxt.is_capitalised and nxt.folded not in TITLES:
                run.append(j)
                j += 1
                continue
            # a particle inside a name, followed by another capitalised word
            if (
                nxt.folded in PARTICLES
                and not nxt.is_capitalised
                and j + 1 < n
                and tokens[j + 1].is_capitalised
                and _joins(text[nxt.end : tokens[j + 1].start], is_initial=False)
            ):
                run.append(j + 1)
                j += 2
                continue
            break
        cue = _cue_before(text, tokens, i)
        spans.append(NameSpan(tokens=tuple(run), cue=cue))
        i = j
    return spans


def _joins(gap: str, is_initial: bool) -> bool:
    """Words of one name are separated by a single space or a hyphen; after an initial, by its
    full stop ("George W. Bush")."""
    if gap in ("", "-", " ", "\u00a0"):
        return True
    return is_initial and gap in (". ", ".\u00a0", ".")


def _cue_before(text: str, tokens: list[Token], i: int) -> str:
    """The folded title word that precedes token ``i`` on the same line (skipping other titles
    and capitalised adjectives such as "Finnish"), or ""."""
    k = i - 1
    steps = 0
    while k >= 0 and steps < 3:
        gap = text[tokens[k].end : tokens[k + 1].start]
        if "\n" in gap or any(c in _SENTENCE_END for c in gap):
            return ""
        if tokens[k].folded in TITLES:
            return tokens[k].folded
        if not tokens[k].is_capitalised:
            return ""
        k -= 1
        steps += 1
    return ""


def heading_lines(text: str) -> list[tuple[int, int]]:
    """Lines that look like headings: short, no closing full stop, most words capitalised."""
    found: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.strip()
        words = body.split()
        if 0 < len(words) <= 16 and body[-1] not in ".!?\"”’'":
            caps = sum(1 for w in words if w[:1].isupper())
            if caps * 10 >= len(words) * 6:
                found.append((pos, pos + len(line)))
        pos += len(line)
    return found


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Direct quotations within one paragraph: curly “…” pairs and straight "…" pairs."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in text.splitlines(keepends=True):
        i = 0
        n = len(para)
        while (opening := _QUOTE_OPENING.search(para, i)) is not None:
            i = opening.start()
            c = para[i]
            close = para.find('"' if c == '"' else "»" if c == "«" else "”", i + 1)
            end = n if close < 0 else close
            spans.append((pos + i, pos + end))
            i = end + 1
        pos += len(para)
    return spans


def _in_ranges(pos: int, ranges: list[tuple[int, int]], starts: list[int]) -> bool:
    """Is ``pos`` inside one of the sorted, disjoint ``ranges`` (``starts`` are their starts)?"""
    k = bisect.bisect_right(starts, pos) - 1
    return k >= 0 and pos < ranges[k][1]
