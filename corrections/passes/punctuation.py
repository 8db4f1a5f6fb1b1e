"""Punctuation slips that machine translation and re-keying leave: a closing curly quote written
as an opening one (or the reverse), a space before a comma or full stop, a space inside a
hyphenated word (" -led"). Low confidence: these are pointers for an editor, not repairs to
apply blindly.
"""

from __future__ import annotations

import re

from corrections.passes.base import PassContext, Suggestion, drop_overlaps, make_suggestion
from corrections.passes.whitespace import split_lines

NAME = "punctuation"
VERSION = "1"
KINDS = ("punctuation",)
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None

# An opening quote in closing position: after a word or a space, and before punctuation, a space
# or the end of the paragraph.
_OPENING_AS_CLOSING = re.compile(r"(?<=\S)“|[ \t\xa0]+“(?=[.,;:!?)]|$)")
_CLOSING_POSITION = re.compile(r"[\s.,;:!?)\]]|$")
# A closing quote in opening position: at the start of a paragraph or after a space or an
# opening bracket, directly before a word.
_CLOSING_AS_OPENING = re.compile(r"(?:^|(?<=[\s(\[]))”(?=\w)")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=[A-Za-z])[ \t\xa0]+(?=[,.;:!?](?:[\s\"”’]|$))")
_SPACED_HYPHEN = re.compile(r"(?<=[A-Za-z])[ \t\xa0]+(?=-[a-z]{2,}\b)")


def run(text: str, context: PassContext) -> list[Suggestion]:
    """Suggest fixing wrong-way curly double quotes and stray spaces in punctuation."""
    found: list[Suggestion] = []
    for line in split_lines(text):
        paragraph = text[line.start : line.end]
        found.extend(_quotes(text, line.start, paragraph))
        for m in _SPACE_BEFORE_PUNCTUATION.finditer(paragraph):
            mark = paragraph[m.end()]
            found.append(make_suggestion(
                text, line.start + m.start(), line.start + m.end(), "", "punctuation", 0.5,
                f"A space before '{mark}': delete it.",
            ))
        for m in _SPACED_HYPHEN.finditer(paragraph):
            found.append(make_suggestion(
                text, line.start + m.start(), line.start + m.end(), "", "punctuation", 0.4,
                "A space inside a hyphenated word: delete it.",
            ))
    kept = drop_overlaps(found)
    return [s for s in kept if (s.original, s.replacement) not in context.suppressed]


def _quotes(text: str, offset: int, paragraph: str) -> list[Suggestion]:
    if "“" not in paragraph and "”" not in paragraph:
        return []
    out = []
    for m in _OPENING_AS_CLOSING.finditer(paragraph):
        quote_at = m.end() - 1
        after = paragraph[quote_at + 1 : quote_at + 2]
        if not _CLOSING_POSITION.match(after):
            continue
        # 'word“ next' may be a missing space before an opening quote unless a quote is open;
        # ' “.' cannot open anything.
        if m.start() == quote_at and not _is_open(paragraph, quote_at):
            continue
        out.append(make_suggestion(
            text, offset + m.start(), offset + m.end(), "”", "punctuation", 0.5,
            "This quotation closes a quote but is written as an opening mark: use '”'.",
        ))
    for m in _CLOSING_AS_OPENING.finditer(paragraph):
        if _is_open(paragraph, m.start()):
            continue
        out.append(make_suggestion(
            text, offset + m.start(), offset + m.end(), "“", "punctuation", 0.4,
            "This quotation mark opens a quote but is written as a closing mark: use '“'.",
        ))
    return out


def _is_open(paragraph: str, position: int) -> bool:
    """Whether a double quote opened before ``position`` is still unclosed there."""
    before = paragraph[:position]
    return before.count("“") > before.count("”")
