"""Duplicates: a headline printed twice, paragraphs repeated (exactly or nearly), a sentence or a
run of words said twice in a row ("a number of number of casualties").

The later copy is the one suggested for deletion, one suggestion per copy, so an editor can keep
a copy that turns out to be deliberate. Legitimate doubles ("had had", "that that", names such as
"Sirhan Sirhan") are left alone, and the body's first line is never damage merely because it
repeats the title sent beside the body.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from corrections.passes.base import (
    WORD_DEBRIS,
    PassContext,
    Suggestion,
    drop_overlaps,
    make_suggestion,
)
from corrections.passes.boilerplate import matches_chrome
from corrections.passes.whitespace import Line, line_deletion_spans, split_lines

NAME = "duplicate"
VERSION = "3"  # 3: the debris of a mis-decoded letter is part of the word it sits in
KINDS = ("duplicate",)
USES_SIBLINGS = False
USES_SOURCE_HISTORY = False
story_evidence = None

# A paragraph long enough that repeating it anywhere in the story is an accident rather than a
# refrain. Shorter lines count only among the first lines, where a headline printed twice sits
# (headline, headline; or headline, dateline, headline): further down, repeated short lines are
# usually photo captions and credits of a gallery.
MIN_PARAGRAPH_WORDS = 8
MIN_HEADLINE_WORDS = 2
MIN_SENTENCE_WORDS = 4  # "Yes. Yes." is speech; "He said it was over. He said it was over." is not
TOP_LINES = 4
NEAR_RATIO = 90.0  # rapidfuzz ratio on normalised text
MIN_CONTAINED_CHARS = 80
MAX_RUN_WORDS = 8

_NON_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(rf"(?:\w|{WORD_DEBRIS})+(?:['’](?:\w|{WORD_DEBRIS})+)*")
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))[ \t\xa0]+(?=[\"“‘(]?[A-Z0-9])")
# Words that English legitimately doubles ("he had had enough", "she said that that was all")
# and common reduplications ("bye bye", "very very").
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s*$")
_LEGITIMATE_DOUBLES = frozenset(
    "had that bye ha no so very really knock tut blah yeah aye".split()
)


def run(text: str, context: PassContext) -> list[Suggestion]:
    """Suggest deleting the later copy of repeated lines, paragraphs, sentences and word runs."""
    lines = split_lines(text)
    found = _repeated_lines(text, lines, context)
    taken = [(s.start, s.end) for s in found]
    for line in lines:
        if any(a <= line.start and line.end <= b for a, b in taken):
            continue
        found.extend(_repeated_sentences(text, line))
        found.extend(_repeated_runs(text, line))
    kept = drop_overlaps(found)
    return [s for s in kept if (s.original, s.replacement) not in context.suppressed]


def _normalise(content: str) -> str:
    return _NON_WORD.sub(" ", content.casefold()).strip()


def _repeated_lines(text: str, lines: list[Line], context: PassContext) -> list[Suggestion]:
    patterns = context.boilerplate.patterns
    forms: list[str | None] = []
    words: list[int] = []
    sentences: list[bool] = []  # ends like a sentence: not a caption, label or list item
    for line in lines:
        content = text[line.start : line.end]
        chrome = bool(patterns) and matches_chrome(content, patterns)
        normal = _normalise(content)
        forms.append(None if chrome or not normal else normal)
        words.append(normal.count(" ") + 1 if normal else 0)
        sentences.append(_SENTENCE_END.search(content) is not None)

    copies: dict[int, tuple[float, str]] = {}
    origin: dict[int, int] = {}  # copy -> the line it repeats (exact repeats only)
    first_seen: dict[str, int] = {}  # normalised line -> first line holding it
    paragraphs: list[int] = []  # earlier paragraph-length lines that are not copies
    for j, form in enumerate(forms):
        if form is None:
            continue
        is_paragraph = words[j] >= MIN_PARAGRAPH_WORDS
        if is_paragraph:
            candidates = paragraphs
        elif j < TOP_LINES and words[j] >= MIN_HEADLINE_WORDS:
            candidates = [i for i in range(j) if forms[i] is not None and i not in copies
                          and words[i] >= MIN_HEADLINE_WORDS]
        else:
            candidates = []
        verdict = _find_original(j, form, forms, first_seen, candidates, is_paragraph)
        if verdict is not None:
            copies[j] = verdict
            if first_seen.get(form) is not None:
                origin[j] = first_seen[form]
            continue
        first_seen.setdefault(form, j)
        if is_paragraph:
            paragraphs.append(j)
    _short_copies(forms, words, sentences, first_seen, copies, origin)
    if not copies:
        return []
    spans = line_deletion_spans(text, lines, sorted(copies))
    out = []
    for j, (start, end) in sorted(spans.items()):
        confidence, explanation = copies[j]
        out.append(make_suggestion(text, start, end, "", "duplicate", confidence, explanation))
    return out


def _short_copies(
    forms: list[str | None], words: list[int], sentences: list[bool], first_seen: dict[str, int],
    copies: dict[int, tuple[float, str]], origin: dict[int, int],
) -> None:
    """Short lines are copies too when the repetition is plainly an accident: a sentence printed
    twice in a row, or a short line inside a block of paragraphs that was pasted again (its
    neighbour is a copy of the neighbour of the line it repeats). Two photos of a gallery may
    share a caption ("Store display" twice), so a line repeated in a row must be a sentence."""
    kept = [j for j, form in enumerate(forms) if form is not None]
    position = {j: k for k, j in enumerate(kept)}

    def neighbour(j: int, step: int) -> int | None:
        k = position[j] + step
        return kept[k] if 0 <= k < len(kept) else None

    changed = True
    while changed:
        changed = False
        for j in kept:
            form = forms[j]
            i = first_seen.get(form) if form is not None else None
            if j in copies or i is None or i >= j or words[j] < MIN_HEADLINE_WORDS:
                continue
            if neighbour(j, -1) == i and words[j] >= MIN_SENTENCE_WORDS and sentences[j]:
                copies[j] = (0.85, "This line repeats the line above word for word: delete this copy.")
            elif any(
                (n := neighbour(j, step)) is not None and n in origin and origin[n] == neighbour(i, step)
                for step in (-1, 1)
            ):
                copies[j] = (0.8, f"This line repeats line {i + 1} inside a repeated block of paragraphs: "
                                  "delete this copy.")
            else:
                continue
            origin[j] = i
            changed = True


def _find_original(
    j: int, form: str, forms: list[str | None], first_seen: dict[str, int], candidates: list[int],
    is_paragraph: bool,
) -> tuple[float, str] | None:
    """Whether line j repeats one of the ``candidates`` lines before it, and how sure that is."""
    if not candidates:
        return None
    what = "paragraph" if is_paragraph else "line"

    def where(i: int) -> str:
        adjacent = all(forms[k] is None for k in range(i + 1, j))
        return f"the {what} above" if adjacent else f"{what} {i + 1}"

    i = first_seen.get(form)
    if i is not None and i in candidates:
        confidence = 0.9 if is_paragraph else 0.85
        return confidence, f"This {what} repeats {where(i)} word for word: delete this copy."
    choices = [forms[i] or "" for i in candidates]
    best = process.extractOne(form, choices, scorer=fuzz.ratio, score_cutoff=NEAR_RATIO)
    if best is not None:
        i = candidates[best[2]]
        return 0.75, (
            f"This {what} repeats {where(i)} almost word for word ({best[1]:.0f}% the same): "
            "delete this copy."
        )
    if is_paragraph and len(form) >= MIN_CONTAINED_CHARS:
        for i, earlier in zip(candidates, choices, strict=True):
            if form in earlier:
                return 0.7, f"This paragraph repeats part of {where(i)}: delete this copy."
    return None


def _repeated_sentences(text: str, line: Line) -> list[Suggestion]:
    content = text[line.start : line.end]
    if len(content) < 40:
        return []
    breaks = [m.span() for m in _SENTENCE_BREAK.finditer(content)]
    if not breaks:
        return []
    # Sentence k runs from the end of break k-1 to the start of break k.
    starts = [0] + [end for _, end in breaks]
    ends = [start for start, _ in breaks] + [len(content)]
    out = []
    previous = ""
    for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
        form = _normalise(content[a:b])
        if k and form and form == previous and form.count(" ") + 1 >= MIN_SENTENCE_WORDS:
            # The space before the copy goes with it.
            out.append(make_suggestion(
                text, line.start + ends[k - 1], line.start + b, "", "duplicate", 0.8,
                "This sentence repeats the one before it: delete this copy.",
            ))
        previous = form
    return out


def _repeated_runs(text: str, line: Line) -> list[Suggestion]:
    content = text[line.start : line.end]
    spans = [m.span() for m in _TOKEN.finditer(content)]
    words = [content[a:b].lower() for a, b in spans]
    # (i, n): words i..i+n are said again right after. A run of n words said twice has its
    # first word again n tokens later, so only recent positions of the same word are tried.
    repeats: list[tuple[int, int]] = []
    recent: dict[str, list[int]] = {}
    for j, word in enumerate(words):
        seen = recent.setdefault(word, [])
        for i in reversed(seen):
            n = j - i
            if n > MAX_RUN_WORDS:
                break
            if j + n > len(words) or (n > 1 and words[i + 1] != words[j + 1]):
                continue  # cheap refusals first: most recent uses of a word start no repeat
            if words[i:j] == words[j : j + n]:
                repeats.append((i, n))
        seen.append(j)
    out = []
    copy_start = 0
    # The earliest run first, and the longest there: "to get to to get to" repeats "to get to",
    # not "to".
    for i, n in sorted(repeats, key=lambda r: (r[0], -r[1])):
        if i < copy_start:
            continue
        j = i + n
        first_end, second_start, second_end = spans[j - 1][1], spans[j][0], spans[j + n - 1][1]
        first, second = content[spans[i][0] : first_end], content[second_start:second_end]
        if not _is_inline_space(content[first_end:second_start]):
            continue
        if not _is_accidental(first, second, content, spans, i, j, n):
            continue
        out.append(make_suggestion(
            text, line.start + first_end, line.start + second_end, "", "duplicate",
            0.85 if n > 1 else 0.75,
            f"'{first}' is repeated: delete the second copy.",
        ))
        copy_start = j  # a third copy repeats this one
    return out


def _is_inline_space(gap: str) -> bool:
    return bool(gap) and all(ch in " \t\xa0" for ch in gap)


def _is_accidental(
    first: str, second: str, content: str, spans: list[tuple[int, int]], i: int, j: int, n: int
) -> bool:
    """Whether ``second`` (words j..j+n) is a slip repeating ``first`` (words i..j), rather than
    English that doubles a word on purpose or a name."""
    # The words inside each copy must be separated by spaces only: "that is, that is" and
    # "one by one, one by one" are deliberate.
    for k in (*range(i, j - 1), *range(j, j + n - 1)):
        if not _is_inline_space(content[spans[k][1] : spans[k + 1][0]]):
            return False
    words = _WORD.findall(first)
    if all(w.isdigit() for w in words):
        return False
    if not all(ord(ch) < 0x250 for ch in first):
        # Many languages repeat words grammatically (Hindi, Indonesian, Chinese); this check is
        # for English copy.
        return False
    if n == 1:
        if first.lower() in _LEGITIMATE_DOUBLES:
            return False
        # "Sirhan Sirhan", "Walla Walla": a capitalised double is a name; "The the" is a slip.
        if second[:1].isupper():
            return False
    return True
