"""Whitespace: runs of blank lines, whitespace-only lines, trailing and doubled spaces, tabs.

Paragraph structure is kept: a paragraph break stays a paragraph break (one blank line at most),
a single line break stays a single line break, and the line-ending style of the copy (LF or CRLF)
is kept. Also home of the line helpers the other layout passes (boilerplate, duplicate) share, so
that they delete whole lines the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corrections.passes.base import PassContext, Suggestion, make_suggestion

NAME = "whitespace"
VERSION = "1"
KINDS = ("whitespace",)
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None

_SPACE_RUN = re.compile(r"\s+")
# Single characters that legitimately separate words: a space, a no-break space ("10\xa0km"),
# thin and narrow no-break spaces (digit groups, French punctuation).
_WORD_SEPARATORS = frozenset(" \xa0\u2009\u202f\u2007\u200a")


@dataclass(frozen=True, slots=True)
class Line:
    """A non-blank line: ``text[start:end]`` is its content without the line break."""

    start: int
    end: int


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` (lines holding only whitespace are skipped)."""
    lines: list[Line] = []
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        content_end = end - 1 if end > pos and text[end - 1] == "\r" else end
        if content_end > pos and not text[pos:content_end].isspace():
            lines.append(Line(pos, content_end))
        pos = end + 1
    return lines


def line_deletion_spans(text: str, lines: list[Line], doomed: list[int]) -> dict[int, tuple[int, int]]:
    """Spans that delete the lines ``lines[i]`` for i in ``doomed`` so that the rest stays
    well-formed: a line goes together with the line breaks before it (the paragraph break
    before it disappears with it), except at the top of the text, where nothing precedes it and
    it goes with the breaks after it. The spans never overlap one another."""
    doomed_set = set(doomed)
    spans: dict[int, tuple[int, int]] = {}
    for i in sorted(doomed_set):
        line = lines[i]
        earlier_kept = any(k not in doomed_set for k in range(i))
        if earlier_kept or i == 0 and len(lines) == 1:
            start = lines[i - 1].end if i > 0 else 0
            spans[i] = (start, line.end)
        elif i + 1 < len(lines):
            spans[i] = (line.start, lines[i + 1].start)
        else:
            spans[i] = (line.start, len(text))
    return spans


def run(text: str, context: PassContext) -> list[Suggestion]:
    """Suggest normalising whitespace without changing the paragraph structure."""
    out: list[Suggestion] = []
    n = len(text)
    for m in _SPACE_RUN.finditer(text):
        run_text = m.group()
        start, end = m.span()
        if "\n" in run_text:
            found = _break_run(text, start, end, at_start=start == 0, at_end=end == n)
        elif run_text in _WORD_SEPARATORS and 0 < start and end < n:
            continue
        else:
            found = _inline_run(text, start, end)
        if found is not None and (found.original, found.replacement) not in context.suppressed:
            out.append(found)
    return out


def _break_run(text: str, start: int, end: int, at_start: bool, at_end: bool) -> Suggestion | None:
    run_text = text[start:end]
    breaks = run_text.count("\n")
    newline = "\r\n" if "\r\n" in run_text else "\n"
    if at_start:
        wanted = ""
    elif at_end:
        wanted = newline
    else:
        wanted = newline * min(breaks, 2)
    if run_text == wanted:
        return None
    lines = run_text.split("\n")
    if breaks > 2 and not at_start and not at_end:
        blank = breaks - 1
        has_spaces = any(part.strip("\r") for part in lines[1:-1])
        what = f"{blank} blank lines" + (" (some holding only spaces)" if has_spaces else "")
        explanation = f"{what} between paragraphs: keep one."
        confidence = 0.9
    elif at_start:
        explanation, confidence = "Blank space before the first line: delete it.", 0.85
    elif at_end:
        explanation, confidence = "Blank space after the last line: delete it.", 0.7
    elif breaks == 2 and lines[1].strip("\r"):
        explanation = "A line holding only spaces between paragraphs: make it a plain blank line."
        confidence = 0.85
    elif lines[0].strip("\r"):
        explanation, confidence = "Spaces at the end of a line: delete them.", 0.85
    else:
        explanation = "Indentation at the start of a line: delete it."
        confidence = 0.6
    return _minimal(text, start, end, wanted, confidence, explanation)


def _inline_run(text: str, start: int, end: int) -> Suggestion | None:
    run_text = text[start:end]
    if "\r" in run_text or not set(run_text) <= _HORIZONTAL:
        return None  # a lone CR or an exotic separator: not ours to guess about
    if start == 0:
        return _minimal(text, start, end, "", 0.85, "Spaces before the first word: delete them.")
    if end == len(text):
        return _minimal(text, start, end, "", 0.7, "Spaces after the last word: delete them.")
    if "\t" in run_text:
        return _minimal(text, start, end, " ", 0.8, "A tab inside a line: use a single space.")
    if run_text == "  " and _ends_sentence(text, start) and _starts_sentence(text[end]):
        return None  # two spaces between sentences is a typing convention, not damage
    what = "Two spaces" if len(run_text) == 2 else f"{len(run_text)} spaces"
    return _minimal(text, start, end, " ", 0.8, f"{what} between words: use one.")


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the text just before ``end`` closes a sentence ('.', '?', '!' or a danda,
    possibly followed by closing quotes or brackets)."""
    k = end
    while k > 0 and text[k - 1] in _CLOSERS:
        k -= 1
    return k > 0 and text[k - 1] in ".!?।"


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in _OPENERS


_CLOSERS = frozenset("\"'”’)]")
_OPENERS = frozenset("\"'“‘([")
_HORIZONTAL = frozenset(" \t\xa0\u2009\u202f\u2007\u200a\u2002\u2003\u3000")


def _minimal(text: str, start: int, end: int, wanted: str, confidence: float, explanation: str) -> Suggestion | None:
    """The suggestion turning ``text[start:end]`` into ``wanted``, trimmed to the characters that
    actually change."""
    original = text[start:end]
    prefix = 0
    while prefix < min(len(original), len(wanted)) and original[prefix] == wanted[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(original), len(wanted)) - prefix
        and original[len(original) - 1 - suffix] == wanted[len(wanted) - 1 - suffix]
    ):
        suffix += 1
    if prefix == len(original) and prefix == len(wanted):
        return None
    return make_suggestion(
        text, start + prefix, end - suffix, wanted[prefix : len(wanted) - suffix],
        "whitespace", confidence, explanation,
    )
