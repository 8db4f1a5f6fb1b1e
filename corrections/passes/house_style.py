"""House style: apply the desk's style rules ("Kiev" -> "Kyiv") outside quotations.

Each :class:`~corrections.passes.base.StyleRule` replaces a word or phrase by the house form. The
pass respects the rule's scope:

- whole words only (unless the rule says otherwise); a possessive or a hyphenated compound keeps its
  ending ("Kiev's" -> "Kyiv's", "Kiev-based" -> "Kyiv-based");
- case: a case-sensitive rule matches the pattern as written and its all-capitals form (a headline's
  "KIEV" -> "KYIV"); a case-insensitive rule matches any case and gives the replacement the case of
  the match;
- never inside direct quotations or quoted titles ("...", “...”, ‘...’): a speaker's words and the
  names of works stay as published;
- never inside URLs or e-mail addresses;
- exceptions: a match inside one of the rule's exception phrases ("Chicken Kiev") stays, and so does
  every other match of that rule in a text that uses an exception phrase, because a story that says
  "Odessa, Texas" once means that Odessa when it later says "Odessa" alone (one sense per text).
"""

from __future__ import annotations

import re
from functools import lru_cache

from corrections.passes.base import (
    PassContext,
    StyleRule,
    Suggestion,
    drop_overlaps,
    make_suggestion,
)

NAME = "house_style"
VERSION = "2"  # 2: URLs and e-mail addresses are found only where a run of their characters starts
KINDS = ("style",)
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None

_KIND = "style"
_EXACT_CONFIDENCE = 0.95
_CASE_ADAPTED_CONFIDENCE = 0.85

# A quotation never runs across a paragraph: an unbalanced quote mark must not swallow the rest of
# the text (machine-translated copy is full of them).
_PARAGRAPH_BREAK = re.compile(r"\n")
_OPENING_DOUBLE = "“„«"
_CLOSING_DOUBLE = "”»"
_OPENING_MARK = re.compile(f"[{_OPENING_DOUBLE}\"‘]")
# Each alternative starts only where a run of its characters starts (the look-behinds): tried at
# every position of a long run, "[\w.+-]+@" alone took quadratic time (hours on a 2 MB token).
_URL_OR_EMAIL = re.compile(
    r"(?<![\w./:-])(?:https?://|www\.)\S+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.-])\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|int|info|io|co|uk|ua|ru)\b(?:/\S*)?",
    re.IGNORECASE,
)
# What every match of _URL_OR_EMAIL contains, one per alternative: most texts have none of them,
# and looking for these is a hundred times cheaper than trying the look-behinds at every position.
_URL_SIGNS = re.compile(r"https?://|www\.|@|\.(?:com|org|net|gov|edu|int|info|io|co|uk|ua|ru)\b", re.IGNORECASE)


def run(text: str, context: PassContext) -> list[Suggestion]:
    if not context.style_rules or not text:
        return []
    protected = find_quoted_spans(text) + url_and_email_spans(text)
    found: list[Suggestion] = []
    for rule in context.style_rules:
        found.extend(_apply_rule(text, rule, protected, context.suppressed))
    return drop_overlaps(found)


def url_and_email_spans(text: str) -> list[tuple[int, int]]:
    if _URL_SIGNS.search(text) is None:
        return []
    return [m.span() for m in _URL_OR_EMAIL.finditer(text)]


def find_quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of direct quotations and quoted titles, quote marks included, within one paragraph.

    Curly double quotes pair an opening mark with the next closing one; straight double quotes pair
    up in order; a curly single quote opens only at the start of a word (so an apostrophe never
    opens a quotation) and closes at the next ’ that does not stand between two letters.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = brk.start() if brk is not None else len(text)
        spans.extend(_quoted_spans_in_paragraph(text, pos, end))
        pos = end + 1
    return spans


def _quoted_spans_in_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    # Kinds of quotation with no closing mark left in the paragraph: a later opening mark of that
    # kind cannot close either, so it is not searched again (200,000 “ took quadratic time).
    unclosed: set[str] = set()
    i = start
    while True:
        opening = _OPENING_MARK.search(text, i, end)  # jump to the next mark that may open one
        if opening is None:
            break
        i = opening.start()
        ch = text[i]
        close = -1
        if ch in _OPENING_DOUBLE and "curly" not in unclosed:
            close = _find_closing(text, i + 1, end, _CLOSING_DOUBLE)
            if close < 0:
                unclosed.add("curly")
        elif ch == '"' and "straight" not in unclosed:
            close = _find_closing(text, i + 1, end, '"')
            if close < 0:
                unclosed.add("straight")
        elif ch == "‘" and (i == start or not text[i - 1].isalnum()) and "single" not in unclosed:
            close = _find_closing_single(text, i + 1, end)
            if close < 0:
                unclosed.add("single")
        if close >= 0:
            spans.append((i, close + 1))
            i = close + 1
        else:
            i += 1
    return spans


def _find_closing(text: str, start: int, end: int, marks: str) -> int:
    found = [j for j in (text.find(mark, start, end) for mark in marks) if j >= 0]
    return min(found) if found else -1


def _find_closing_single(text: str, start: int, end: int) -> int:
    j = text.find("’", start, end)
    while j >= 0:
        is_apostrophe = 0 < j < len(text) - 1 and text[j - 1].isalpha() and text[j + 1].isalpha()
        if not is_apostrophe:
            return j
        j = text.find("’", j + 1, end)
    return -1


def _apply_rule(
    text: str,
    rule: StyleRule,
    protected: list[tuple[int, int]],
    suppressed: frozenset[tuple[str, str]],
) -> list[Suggestion]:
    if not rule.pattern or rule.pattern == rule.replacement:
        return []
    if not may_occur(text, rule.pattern, rule.is_case_sensitive):
        return []  # the common case: a scan for the literal instead of the pattern's look-arounds
    if any(may_occur(text, exc, False) and _compile(exc, True, False).search(text)
           for exc in rule.exceptions if exc):
        return []
    found: list[Suggestion] = []
    for m in _compile(rule.pattern, rule.is_whole_word, rule.is_case_sensitive).finditer(text):
        start, end = m.span()
        if _inside_any(start, end, protected):
            continue
        original = m.group(0)
        replacement = _match_case(original, rule)
        if replacement == original or (original, replacement) in suppressed:
            continue
        is_exact = original == rule.pattern
        found.append(
            make_suggestion(
                text,
                start,
                end,
                replacement,
                _KIND,
                _EXACT_CONFIDENCE if is_exact else _CASE_ADAPTED_CONFIDENCE,
                _explain(rule),
                evidence=(f"style rule {rule.id}: {rule.pattern} → {rule.replacement}",),
                rule=f"style:{rule.id}",
            )
        )
    return found


def may_occur(text: str, literal: str, is_case_sensitive: bool) -> bool:
    """False when :func:`_compile`'s pattern for ``literal`` cannot match ``text``: it matches the
    literal (or, case-sensitive, its all-capitals form) with look-arounds, so the literal must
    occur. Case-insensitively ``str.lower`` decides for ASCII text and literal, where it agrees
    with ``re.IGNORECASE``; elsewhere (which matches 'K' to 'k', 'ſ' to 's') the literal alone is
    searched for, without the look-arounds."""
    if is_case_sensitive:
        return literal in text or literal.upper() in text
    if text.isascii() and literal.isascii():
        return literal.lower() in text.lower()
    return _literal(literal).search(text) is not None  # twice as fast without the look-arounds


@lru_cache(maxsize=1024)
def _literal(literal: str) -> re.Pattern[str]:
    return re.compile(re.escape(literal), re.IGNORECASE)


@lru_cache(maxsize=1024)
def _compile(pattern: str, is_whole_word: bool, is_case_sensitive: bool) -> re.Pattern[str]:
    body = re.escape(pattern)
    if is_case_sensitive:
        upper = pattern.upper()
        if upper != pattern:
            body = f"(?:{body}|{re.escape(upper)})"
    if is_whole_word:
        body = rf"(?<!\w){body}(?!\w)"
    return re.compile(body, 0 if is_case_sensitive else re.IGNORECASE)


def _match_case(original: str, rule: StyleRule) -> str:
    """The replacement in the case of the matched text: all capitals, all lower or capitalised."""
    replacement = rule.replacement
    if original == rule.pattern:
        return replacement
    letters = [c for c in original if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return replacement.upper()
    if letters and all(c.islower() for c in letters):
        return replacement.lower()
    if letters and original[0].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _inside_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _explain(rule: StyleRule) -> str:
    if rule.explanation:
        return f"{rule.explanation.rstrip('.')} (rule {rule.id})."
    return f"House style: '{rule.replacement}', not '{rule.pattern}' (rule {rule.id})."
