"""Grammar: the mechanical slips of the indefinite article.

Two checks, both built for precision (a miss is better than a wrong suggestion):

- "a" / "an" must agree with the *sound* that follows: "a adjacent" -> "an adjacent",
  "an book" -> "a book". The sound is decided from spelling with the usual exceptions (a university,
  a European, a one-off, an hour, an honest, an MP, a US official, an 18-year-old); whenever the
  sound is uncertain (a name beginning with U, a four-letter capitalised acronym that may be said as
  a word or spelled out, "an historic", "a/an herb") the pass says nothing.
- an indefinite article in front of a proper name that the gazetteer knows but whose first word has
  lost its capital ("a spokesperson for a downing Street") -> "Downing Street". Only names of two or
  more words qualify, so an ordinary word that happens to be a name ("a turkey") is never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corrections.passes.base import (
    GazetteerSnapshot,
    PassContext,
    Suggestion,
    drop_overlaps,
    make_suggestion,
)
from corrections.passes.spelling import is_known_word

NAME = "grammar"
VERSION = "4"  # 4: a suppressed name fix leaves the article agreement to be checked
KINDS = ("grammar",)
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None

_KIND = "grammar"

# The article, horizontal space only (never a line break), then the next token up to a space.
# Only a space, a line break, an opening quotation mark or bracket, or a dash may come before it:
# after anything else "an" is the end of a word, such as a name whose letters were mis-decoded
# ('DoÄ' + C1 control + 'an' for 'Doğan').
_ARTICLE = re.compile(
    r"(?<![^ \t\n\r\u00a0\u2009\u202f\u2028\u2029\"“‘(\[{«—–])(a|an|A|An|AN)([ \t\u00a0]+)([^\s]+)"
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_TRAILING_PUNCT = ".,;:!?)]}\"'”’»…"

# Said with a consonant sound although spelled with a vowel ("a university", "a European").
_CONSONANT_SOUND_WORD = re.compile(r"(?:one|once)(?:-|$)")
_CONSONANT_SOUND_PREFIXES = (
    "eu", "ewe",
    "uni", "unan", "use", "usu", "usa", "usi", "uti", "uto", "ubiq", "uku", "ura", "ure", "uri",
    "uro", "uvu",
)  # fmt: skip
# ... except where "un-" negates a word beginning with a vowel ("an unidentified", "an uninformed").
_VOWEL_SOUND_DESPITE_PREFIX = ("unimp", "unimag", "unid", "unin")
# Names beginning with U whose sound is settled; other names beginning with U are left alone.
_CONSONANT_SOUND_NAMES = ("ukrain", "ugand", "urugu", "utah", "utrecht", "ural", "ufo", "unesco")
_VOWEL_SOUND_NAMES = ("uzbek", "urdu", "ulster", "umbria", "uber")
# Said with a vowel sound although spelled with a consonant: the silent h.
_SILENT_H_PREFIXES = ("hour", "honest", "honor", "honour", "heir")
# "an historic", "a/an herb": both forms are in use, so neither is flagged.
_EITHER_ARTICLE_PREFIXES = ("herb", "histor", "hotel", "hypothe", "habitu", "heroic", "hilar", "horrif")
# Letters whose names begin with a vowel sound: an FBI agent, an MP, an NHS trust, an SUV.
_VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")
# Foreign phrases and labels in which "a"/"an" is not the English article.
_FOREIGN_FOLLOWERS = frozenset(
    {"priori", "posteriori", "fortiori", "la", "le", "der", "die", "den", "dem", "das"}
)
# Words that cannot follow an article: "a" before them is a different slip ("into a into a",
# "an redistributing" for "and"), which this pass does not guess at.
_NOT_AFTER_ARTICLE = frozenset(
    {
        "a", "an", "and", "or", "of", "on", "in", "into", "onto", "upon", "at", "as", "if", "is",
        "are", "am", "it", "its", "it's", "it’s", "i", "our", "ours", "us", "either", "each",
        "every", "any", "all", "both", "he", "she", "we", "they", "you", "his", "her", "their",
    }
)  # fmt: skip


def run(text: str, context: PassContext) -> list[Suggestion]:
    found: list[Suggestion] = []
    names = _lowered_names(context.gazetteer)
    for m in _ARTICLE.finditer(text):
        article, word_token = m.group(1), m.group(3)
        if article[0] == "A" and not _is_sentence_start(text, m.start()):
            continue  # "Plan A", "Group A", "Serie A": a label, not an article
        if article == "An" and word_token[:1].isupper() and _article_for(word_token) == "a":
            continue  # "An Post", "An Garda Síochána": Irish and Vietnamese names begin with "An"
        suggestion = _name_after_article(text, m, names) if names else None
        if suggestion is not None and (suggestion.original, suggestion.replacement) in context.suppressed:
            suggestion = None  # a rejected name fix does not hide the article's own agreement
        if suggestion is None:
            suggestion = _article_agreement(text, m.start(), article, m.start(3), word_token)
        if suggestion is not None and (suggestion.original, suggestion.replacement) not in context.suppressed:
            found.append(suggestion)
    return drop_overlaps(found)


def _article_agreement(
    text: str, start: int, article: str, word_start: int, token: str
) -> Suggestion | None:
    word = token.rstrip(_TRAILING_PUNCT)
    low = word.lower()
    if low == "another" and word.islower():
        return _drop_article(text, start, word_start + len(word), word)
    if not word or low in _FOREIGN_FOLLOWERS or (word.islower() and low in _NOT_AFTER_ARTICLE):
        return None
    if not all(c.isalnum() or c in "-'’.%" for c in word):
        return None  # "H/T", "&": abbreviations and symbols said in ways spelling does not tell
    if word.islower() and word.isalpha() and not is_known_word(low):
        return None  # not an English word: a phrase in another language ("a ese fin")
    if article.isupper() and len(article) > 1 and word.isupper():
        return None  # an all-capitals headline: "AN OPEC" cannot be told from words
    wanted = _article_for(word)
    if wanted is None or wanted == article.lower():
        return None
    replacement_article = _in_case_of(article, wanted)
    end = word_start + len(word)
    span_text = text[start:end]
    replacement = replacement_article + span_text[len(article) :]
    return make_suggestion(
        text,
        start,
        end,
        replacement,
        _KIND,
        0.9,
        f"'{wanted}' goes before a word said with a {'vowel' if wanted == 'an' else 'consonant'} "
        f"sound: '{replacement_article} {word}'.",
    )


def _drop_article(text: str, start: int, end: int, word: str) -> Suggestion:
    return make_suggestion(
        text,
        start,
        end,
        word,
        _KIND,
        0.85,
        f"'{word}' already contains the indefinite article: drop the extra one.",
    )


def _article_for(word: str) -> str | None:
    """'a' or 'an' for the word that follows, or None when its first sound is uncertain."""
    first = word[0]
    if first.isdigit():
        return _article_for_number(word)
    if not first.isalpha():
        return None
    letters = "".join(c for c in word if c.isalpha())
    if len(word) > 1 and word[1] == "-":
        return _article_for_letter(first)  # X-ray, U-turn, e-mail, T-shirt, F-16
    if len(letters) >= 2 and letters.isupper():
        return _article_for_acronym(letters)
    if any(c.isupper() for c in letters[1:]):
        return None  # iPhone, mRNA, McDonald's: said in ways spelling does not tell
    if len(letters) == 1:
        return None  # "a" as a label: "type a", "vitamin A"
    if any(not c.isascii() for c in word[:2]):
        return None
    return _article_for_spelling(word, is_name=first.isupper())


def _article_for_spelling(word: str, *, is_name: bool) -> str | None:
    low = word.lower()
    if low.startswith(_EITHER_ARTICLE_PREFIXES):
        return None
    if low.startswith(_SILENT_H_PREFIXES):
        return "an"
    if low[0] in "aeiou":
        if low.startswith(_VOWEL_SOUND_DESPITE_PREFIX):
            return "an"
        if low.startswith(_CONSONANT_SOUND_PREFIXES) or _CONSONANT_SOUND_WORD.match(low):
            return "a"
        if low.startswith(_VOWEL_SOUND_NAMES):
            return "an"
        if low.startswith(_CONSONANT_SOUND_NAMES):
            return "a"
        if low[0] == "u" and (is_name or len(low) < 4):
            return None  # Ukrainian, Uber, Uzbek, Uighur: names beginning with U vary
        if low[0] == "u" and low[1] not in "nmptlgsdbrcfkz":
            return None  # uncommon u-words: said either way
        return "an"
    if low[0] == "y" or low[0] == "w":
        return "a"
    return "a"


def _article_for_acronym(letters: str) -> str | None:
    spelled = _article_for_letter(letters[0])
    if len(letters) <= 3 or not any(c in "AEIOU" for c in letters):
        return spelled  # said letter by letter: an FBI agent, a UN envoy, an MP
    as_word = _article_for_spelling(letters.lower(), is_name=True)
    # NATO, NASA, UNESCO may be said as words: flag only when both readings agree.
    return spelled if spelled == as_word else None


def _article_for_letter(letter: str) -> str:
    return "an" if letter.upper() in _VOWEL_SOUND_LETTERS else "a"


def _article_for_number(word: str) -> str | None:
    """Numbers said from their first digits: an 8, an 80, an 11-year-old, an 18th-century; a 1,000.

    Four-digit numbers are left alone: "1800" is "eighteen hundred" as a year and "one thousand
    eight hundred" as a count."""
    digits = re.match(r"\d+(?:,\d{3})*", word)
    if digits is None:
        return None
    number = digits.group(0)
    head = number.split(",")[0]
    if head.startswith("8"):
        return "an"
    if len(head) == 4 and "," not in number:
        return None
    if head in ("11", "18"):
        return "an"
    return "a"


def _is_sentence_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 40) : pos].rstrip(" \t\u00a0“\"‘'([")
    if not before:
        return pos <= 40 or not text[: pos - 40].strip()
    return before.endswith(("\n", ":", "—", "–")) or _SENTENCE_END.search(before) is not None


def _in_case_of(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[0].isupper():
        return word[0].upper() + word[1:]
    return word


# --- an article before a gazetteer name that has lost its capital -------------------------------


@dataclass(frozen=True, slots=True)
class _NameIndex:
    key: tuple[int, int]
    names: dict[str, str]  # lower-cased multi-word name or alias -> its spelling in the gazetteer
    max_words: int


_name_index: _NameIndex | None = None
_NAME_WORDS = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")


def _lowered_names(gazetteer: GazetteerSnapshot) -> _NameIndex | None:
    """Multi-word, capitalised names and alias surfaces of the gazetteer, cached by version."""
    global _name_index
    if not gazetteer.entities:
        return None
    key = (gazetteer.version, len(gazetteer.entities))
    if _name_index is not None and _name_index.key == key:
        return _name_index
    names: dict[str, str] = {}
    for entity in gazetteer.entities:
        surfaces = [entity.name, *(a.surface for a in entity.aliases if a.is_enabled)]
        for surface in surfaces:
            words = surface.split()
            if len(words) >= 2 and all(w[:1].isupper() for w in words):
                names.setdefault(" ".join(words).lower(), " ".join(words))
    max_words = max((k.count(" ") + 1 for k in names), default=0)
    _name_index = _NameIndex(key=key, names=names, max_words=max_words)
    return _name_index


def _name_after_article(text: str, m: re.Match[str], index: _NameIndex) -> Suggestion | None:
    """'a downing Street' -> 'Downing Street' when 'Downing Street' is a gazetteer name."""
    first = m.group(3)
    if not first[:1].islower():
        return None
    words = list(_NAME_WORDS.finditer(text, m.start(3), min(len(text), m.start(3) + 120)))
    if not words or words[0].start() != m.start(3):
        return None
    for n in range(min(index.max_words, len(words)), 1, -1):
        chosen = words[:n]
        gaps = [text[a.end() : b.start()] for a, b in zip(chosen, chosen[1:], strict=False)]
        if any(g not in (" ", "\u00a0") for g in gaps):
            continue
        if not all(w.group(0)[:1].isupper() for w in chosen[1:]):
            continue
        surface = text[chosen[0].start() : chosen[-1].end()]
        name = index.names.get(surface.lower())
        if name is None or surface == name:
            continue
        expected = name.split()
        if [w.group(0) for w in chosen[1:]] != expected[1:]:
            continue
        return make_suggestion(
            text,
            m.start(),
            chosen[-1].end(),
            name,
            _KIND,
            0.7,
            f"'{name}' is a proper name: it takes a capital and no indefinite article.",
            evidence=(f"gazetteer: {name}",),
        )
    return None
