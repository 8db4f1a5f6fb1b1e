"""Site chrome: whole lines that belong to the page a story was scraped from, not to the story.

Two kinds of evidence. A starter list of regular expressions (seeds/boilerplate.txt, loaded into
``context.boilerplate.patterns``) recognises chrome every site has ("Post a Comment (0)",
"Advertisement", "Follow us on X"). And per source, the pipeline counts which lines opened or
closed that source's recent articles (``context.boilerplate.edge_lines``): a line that ends most of
them is that site's footer, whatever it says. Both match whole lines only, so a sentence that
merely mentions comments or cookies is never touched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from corrections.passes.base import (
    PassContext,
    Suggestion,
    make_suggestion,
    pattern_key,
    stable_digest,
)
from corrections.passes.text_cache import per_text
from corrections.passes.whitespace import Line, line_deletion_spans, split_lines

# (confidence, explanation, evidence, rule key) of a line found to be chrome
_Reason = tuple[float, str, tuple[str, ...], str]

NAME = "boilerplate"
VERSION = "4"
KINDS = ("boilerplate",)
USES_SIBLINGS = True  # a line the story's other copies print is the story's, not chrome
USES_SOURCE_HISTORY = True  # context.boilerplate: what recent articles opened and closed with


def story_evidence(text: str, context: PassContext) -> str:
    """What this pass reads of the story: which of this copy's lines the other copies print too
    (such a line is the story's, never chrome)."""
    return stable_digest(sorted(_lines_of(text) & _sibling_lines(context)))


EDGE_DEPTH = 5  # how many non-blank lines at each end count as the top or the bottom
MAX_CHROME_CHARS = 250  # longer lines are prose, whatever they look like
_MAX_REMEMBERED_LINE = 2000  # matches_chrome remembers its answer for lines up to this long
# A learned line must have opened (or closed) at least this many of the recent articles, and at
# least this share of them: a footer recurs in nearly every article, a coincidence in a few.
MIN_LEARNED_COUNT = 3
MIN_LEARNED_SHARE = 0.6
# A line at the edge of articles of this many other stories, from this many outlets, is chrome
# that travels: a story's own lines (its headline, its last sentence) belong to one story only.
MIN_SHARED_STORIES = 3
MIN_SHARED_SOURCES = 2

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_DECORATION = " \t•·|»«›‹>*#=_~"
# Datelines and bare dates recur across a day's articles without being chrome.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tues?|wed|thu|thurs|fri|sat|sun)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"(?:{_WEEKDAY},? )?(?:{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|{_WEEKDAY})"
    r"(?:,? \d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [a-z]{2,5})?)?",
)


def normalise_line(line: str) -> str:
    """The form under which lines are compared and counted: invisible characters removed,
    whitespace collapsed, surrounding bullets and separators stripped, case folded."""
    return _pattern_form(line).casefold()


def edge_lines(text: str) -> list[tuple[Literal["top", "bottom"], str]]:
    """The normalised first and last few non-blank lines of ``text`` (each distinct line once
    per end), for the per-source statistics that :func:`run` consults."""
    contents = [text[line.start : line.end] for line in split_lines(text)]
    out: list[tuple[Literal["top", "bottom"], str]] = []
    seen: set[tuple[str, str]] = set()
    ends: tuple[tuple[Literal["top", "bottom"], list[str]], ...] = (
        ("top", contents[:EDGE_DEPTH]),
        ("bottom", contents[-EDGE_DEPTH:]),
    )
    for position, chosen in ends:
        for content in chosen:
            key = normalise_line(content)
            if key and (position, key) not in seen:
                seen.add((position, key))
                out.append((position, key))
    return out


def matches_chrome(line: str, patterns: tuple[str, ...]) -> bool:
    """Whether a whole line is site chrome according to the starter ``patterns``."""
    if len(line) <= _MAX_REMEMBERED_LINE:
        return _matches_chrome_remembered(line, patterns)
    return _matches_chrome(line, patterns)


@lru_cache(maxsize=8192)
def _matches_chrome_remembered(line: str, patterns: tuple[str, ...]) -> bool:
    """The boilerplate and duplicate passes both ask about every line of an article, and a
    source's chrome lines recur from article to article."""
    return _matches_chrome(line, patterns)


def _matches_chrome(line: str, patterns: tuple[str, ...]) -> bool:
    form = _pattern_form(line)
    if not form or len(form) > MAX_CHROME_CHARS:
        return False
    return any(pattern.fullmatch(form) for pattern in _compile(patterns))


def chrome_pattern(line: str, patterns: tuple[str, ...]) -> str | None:
    """The first starter pattern that recognises ``line`` as chrome, or None."""
    if not matches_chrome(line, patterns):
        return None
    return _first_pattern(_pattern_form(line), patterns)


@lru_cache(maxsize=4096)
def _first_pattern(form: str, patterns: tuple[str, ...]) -> str | None:
    """A source's chrome lines recur from article to article: the search runs once per line."""
    for pattern in patterns:
        compiled = _compile_one(pattern)
        if compiled is not None and compiled.fullmatch(form):
            return pattern
    return None


@lru_cache(maxsize=1024)
def _compile_one(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None


def run(text: str, context: PassContext) -> list[Suggestion]:
    """Suggest deleting chrome lines, each together with one adjacent run of line breaks."""
    lines = split_lines(text)
    if not lines:
        return []
    reasons: dict[int, _Reason] = {}
    profile = context.boilerplate
    for i, line in enumerate(lines):
        pattern = chrome_pattern(text[line.start : line.end], profile.patterns)
        if pattern is not None:
            reasons[i] = (0.9, "Site chrome, not part of the story: delete the line.", (),
                          f"pattern:{pattern_key(pattern)}")
    for i, reason in _learned(text, lines, context).items():
        if i not in reasons or reason[0] > reasons[i][0]:
            reasons[i] = reason
    if not reasons:
        return []
    for i, reason in _chrome_blocks(text, lines, reasons, context).items():
        reasons.setdefault(i, reason)
    spans = line_deletion_spans(text, lines, sorted(reasons))
    out = []
    for i, (start, end) in sorted(spans.items()):
        confidence, explanation, evidence, rule = reasons[i]
        s = make_suggestion(text, start, end, "", "boilerplate", confidence, explanation, evidence, rule)
        if (s.original, s.replacement) not in context.suppressed:
            out.append(s)
    return out


def _learned(text: str, lines: list[Line], context: PassContext) -> dict[int, _Reason]:
    found = _learned_from_source(text, lines, context)
    for i, reason in _learned_across_stories(text, lines, context).items():
        found.setdefault(i, reason)
    return found


def _learned_across_stories(
    text: str, lines: list[Line], context: PassContext
) -> dict[int, _Reason]:
    shared = {
        (stat.position, stat.line): stat
        for stat in context.boilerplate.shared_lines
        if stat.count >= MIN_SHARED_STORIES and stat.sources >= MIN_SHARED_SOURCES
    }
    if not shared:
        return {}
    title = normalise_line(context.title)
    found: dict[int, _Reason] = {}
    for position, i in _edge_indices(len(lines)):
        key = normalise_line(text[lines[i].start : lines[i].end])
        stat = shared.get((position, key))
        if stat is None or not key or len(key) > MAX_CHROME_CHARS or key == title or _DATE_LINE.fullmatch(key):
            continue
        verb = "opens" if position == "top" else "closes"
        found[i] = (
            0.75,
            f"This line also {verb} recent articles of {stat.count} other stories from {stat.sources} outlets: "
            "it is site chrome, not this story's.",
            (f"{position} line in {stat.count} other stories, {stat.sources} outlets",),
            "chrome:shared",
        )
    return found


def _edge_indices(n: int) -> list[tuple[Literal["top", "bottom"], int]]:
    """(position, line index) of the lines at each end; in a short text a line can be both."""
    out: list[tuple[Literal["top", "bottom"], int]] = [("top", i) for i in range(min(EDGE_DEPTH, n))]
    out += [("bottom", i) for i in range(max(0, n - EDGE_DEPTH), n)]
    return out


def _learned_from_source(
    text: str, lines: list[Line], context: PassContext
) -> dict[int, _Reason]:
    profile = context.boilerplate
    recent = profile.recent_articles
    if recent < MIN_LEARNED_COUNT or not profile.edge_lines:
        return {}
    counts = {(stat.position, stat.line): stat.count for stat in profile.edge_lines}
    title = normalise_line(context.title)
    found: dict[int, _Reason] = {}
    for position, i in _edge_indices(len(lines)):
        key = normalise_line(text[lines[i].start : lines[i].end])
        count = min(counts.get((position, key), 0), recent)
        if count < MIN_LEARNED_COUNT or count < MIN_LEARNED_SHARE * recent:
            continue
        if not key or len(key) > MAX_CHROME_CHARS or key == title or _DATE_LINE.fullmatch(key):
            continue
        verb = "starts" if position == "top" else "ends"
        share = count / recent
        found.setdefault(i, (
            round(0.6 + 0.3 * share, 3),
            f"This line {verb} {count} of the last {recent} articles from this source: "
            "it is the site's, not the story's.",
            (f"{position} line of {count}/{recent} recent articles",),
            "chrome:source",
        ))
    return found


# A line of a chrome block: short, as menus, buttons, labels and footers are.
MAX_BLOCK_WORDS = 15
MAX_BLOCK_CHARS = 150
_NON_WORD = re.compile(r"[\W_]+")


def _chrome_blocks(
    text: str, lines: list[Line], known: dict[int, _Reason], context: PassContext
) -> dict[int, _Reason]:
    """Short lines that belong with recognised chrome: site chrome comes in blocks at the edges
    of a page, so a short line below the first recognised chrome line of the block that ends the
    text, or between recognised chrome lines before the story starts, or above the headline, is
    the page's too ("Tweet" beside "Share this article", a site's tagline under its comment
    links), whatever it says. A line the story's other copies print (the story's own last line,
    cut off by an inline advertisement) and the headline itself are never taken."""
    n = len(lines)
    contents = [text[line.start : line.end] for line in lines]
    forms = [_loose(c) for c in contents]
    title = _loose(context.title)
    story_lines = _sibling_lines(context)

    def short(i: int) -> bool:
        return len(contents[i].split()) <= MAX_BLOCK_WORDS and len(contents[i].strip()) <= MAX_BLOCK_CHARS

    def takeable(i: int) -> bool:
        return i not in known and short(i) and bool(forms[i]) and forms[i] != title and forms[i] not in story_lines

    found: dict[int, _Reason] = {}
    # the block that ends the text, up to the story's last long line
    k = n - 1
    while k >= 0 and (k in known or short(k)):
        k -= 1
    anchors = [i for i in range(k + 1, n) if i in known]
    if k >= 0 and anchors:
        for i in range(anchors[0] + 1, n):
            if takeable(i):
                found[i] = (0.65, "This short line sits among the site's chrome at the end of the text: "
                                  "delete it.", ("chrome block",), "chrome:block")
    # the block that opens the text: between recognised chrome lines, and above the headline
    k = 0
    while k < n and (k in known or short(k)):
        k += 1
    if k < n:
        anchors = [i for i in range(k) if i in known]
        headline = next((i for i in range(min(k, EDGE_DEPTH + 1)) if title and forms[i] == title), None)
        for i in range(k):
            between = len(anchors) >= 2 and anchors[0] < i < anchors[-1]
            above = headline is not None and i < headline
            if (between or above) and takeable(i):
                found[i] = (0.65, "This short line sits among the site's chrome above the story: "
                                  "delete it.", ("chrome block",), "chrome:block")
    return found


def _loose(line: str) -> str:
    """Words only, case folded: the headline and the story's lines compare this way across
    outlets (curly or straight quotes, dashes)."""
    return _NON_WORD.sub(" ", line.casefold()).strip()


def _sibling_lines(context: PassContext) -> frozenset[str]:
    return frozenset(form for sibling in context.siblings for form in _lines_of(sibling.text))


@per_text()
def _lines_of(text: str) -> frozenset[str]:
    return frozenset(_loose(text[line.start : line.end]) for line in split_lines(text))


def _pattern_form(line: str) -> str:
    form = _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip(_DECORATION + " ")
    return form


@lru_cache(maxsize=8)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The usable patterns, joined into one alternation when they allow it (one scan per line).
    A pattern that does not compile is skipped rather than failing every article: the list is
    data an administrator edits."""
    usable: list[str] = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error:
            continue
        usable.append(pattern)
    if not usable:
        return ()
    try:
        return (re.compile("|".join(f"(?:{p})" for p in usable), re.IGNORECASE),)
    except re.error:  # e.g. a pattern carrying its own global flags
        return tuple(re.compile(p, re.IGNORECASE) for p in usable)
