"""What part of a revision the review page shows: sections of the text, grouped identical suggestions.

A monster article (megabytes, thousands of suggestions) cannot be one page: its HTML alone would
be tens of megabytes. The review page shows the text in **sections**, runs of whole paragraphs of
at most ``NEWSROOM_REVIEW_SECTION_CHARS`` characters (20,000) holding at most
``NEWSROOM_REVIEW_SECTION_SUGGESTIONS`` pending suggestions (200), each with its suggestions in
place. An ordinary article is one section and its page is unchanged.

Identical suggestions (same pass, kind, original and replacement: "'Kiev' → 'Kyiv'") are
**grouped** into one card for the whole article, shown first on every section, with accept-all and
reject-all (corrections.groups); each occurrence stays its own row, decided and audited one by one.
**Notices** (corrections.budget) are shown before everything else: they say what was not checked.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Length

from articles.models import Revision
from corrections.budget import NOTICE_KIND, Paragraphs
from corrections.desk import hidden_count, plain_visible
from corrections.models import Suggestion

GroupKey = tuple[str, str, str, str]  # pass, kind, original, replacement


@dataclass(frozen=True, slots=True)
class Section:
    number: int  # from 1
    start: int
    end: int  # exclusive; the last section also holds an insertion at the very end
    first_paragraph: int
    last_paragraph: int
    pending: int

    @property
    def paragraphs(self) -> str:
        if self.first_paragraph == self.last_paragraph:
            return f"paragraph {self.first_paragraph:,}"
        return f"paragraphs {self.first_paragraph:,}–{self.last_paragraph:,}"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One member of a group in the section shown, with a little of the text around it."""

    suggestion: Suggestion
    before: str  # plain text, hidden characters named (desk.plain_visible)
    original: str
    after: str


@dataclass(slots=True)
class Group:
    """Identical pending suggestions: one card, decided together."""

    representative: Suggestion  # the first in the text; the card's id and form act on it
    count: int
    here: list[Occurrence] = field(default_factory=list)  # occurrences in the section shown
    in_title: list[int] = field(default_factory=list)  # ids of occurrences in the headline

    @property
    def member_ids(self) -> str:
        """The ids of the occurrences shown (the headline's and this part's), space-separated: the
        page's script finds a mark's card by them."""
        return " ".join(str(pk) for pk in [*self.in_title, *(o.suggestion.pk for o in self.here)])

    @property
    def original(self) -> str:
        """The original for the card, hidden characters named: "Bob⟨ZWSP⟩by"."""
        return plain_visible(self.representative.original)

    @property
    def replacement(self) -> str:
        return plain_visible(self.representative.replacement)

    @property
    def hidden(self) -> int:
        return hidden_count(self.representative.original) + hidden_count(self.representative.replacement)


@dataclass(slots=True)
class ReviewWindow:
    sections: list[Section]
    current: Section
    groups: list[Group]
    notices: list[Suggestion]
    shown: list[Suggestion]  # the pending suggestions of the body in the current section (for the text)
    group_of: dict[int, int]  # suggestion id → its group's representative id
    title_shown: list[Suggestion] = field(default_factory=list)  # the headline's, shown on every part

    @property
    def is_paged(self) -> bool:
        return len(self.sections) > 1

    @property
    def previous(self) -> Section | None:
        return self.sections[self.current.number - 2] if self.current.number > 1 else None

    @property
    def next(self) -> Section | None:
        return self.sections[self.current.number] if self.current.number < len(self.sections) else None


def is_paged(article_id: int) -> bool:
    """Whether the article's current revision may need more than one section (one query; the
    text's length is read once, not per suggestion)."""
    pending = Suggestion.objects.filter(revision_id=OuterRef("pk"), status=Suggestion.Status.PENDING)
    row = (Revision.objects.filter(article_id=article_id, number=F("article__revision_number"))
           .annotate(length=Length("text"),
                     pending=Subquery(pending.values("revision_id").annotate(n=Count("id")).values("n")[:1]))
           .values_list("length", "pending").first())
    return row is not None and (row[0] > settings.NEWSROOM_REVIEW_SECTION_CHARS
                                or (row[1] or 0) > settings.NEWSROOM_REVIEW_SECTION_SUGGESTIONS)


def group_key(s: Suggestion) -> GroupKey:
    return (s.pass_name, s.kind, s.original, s.replacement)


def split_sections(text: str, pending: Sequence[Suggestion], max_chars: int, max_suggestions: int) -> list[Section]:
    """The text cut at paragraph starts into sections of at most ``max_chars`` characters and
    ``max_suggestions`` pending suggestions (a longer paragraph is a section of its own), never
    inside a suggestion's span. The sections cover the text exactly."""
    paragraphs = Paragraphs(text)
    starts = sorted(s.start for s in pending)
    if (len(text) <= max_chars and len(starts) <= max_suggestions) or len(paragraphs.starts) < 2:
        return [Section(1, 0, len(text), 1 if paragraphs.count else 0, paragraphs.count, len(starts))]
    inside = _Spans(pending)
    cuts = [0]
    previous = 0  # the last place a section could have ended
    for cut in [*(c for c in paragraphs.starts[1:] if not inside.holds(c)), len(text)]:
        held = bisect.bisect_left(starts, cut) - bisect.bisect_left(starts, cuts[-1])
        if (cut - cuts[-1] > max_chars or held > max_suggestions) and previous > cuts[-1]:
            cuts.append(previous)
        previous = cut
    cuts.append(len(text))
    sections = []
    for number, (start, end) in enumerate(zip(cuts, cuts[1:], strict=False), start=1):
        is_last = number == len(cuts) - 1
        held = (bisect.bisect_right if is_last else bisect.bisect_left)(starts, end) - bisect.bisect_left(starts, start)
        sections.append(Section(number, start, end, bisect.bisect_left(paragraphs.starts, start) + 1,
                                bisect.bisect_left(paragraphs.starts, end), held))
    return sections


class _Spans:
    """The suggestions' spans merged, to tell in log time whether an offset is strictly inside one
    (a section may not start there)."""

    def __init__(self, pending: Sequence[Suggestion]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted((s.start + 1, s.end) for s in pending if s.end - s.start > 1):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def holds(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


def _occurrence(text: str, s: Suggestion, width: int = 30) -> Occurrence:
    before = text[max(0, s.start - width) : s.start].rsplit("\n", 1)[-1]
    after = text[s.end : s.end + width].split("\n", 1)[0]
    return Occurrence(s, ("…" if len(before) == width else "") + plain_visible(before), plain_visible(s.original),
                      plain_visible(after) + ("…" if len(after) == width else ""))


def review_window(text: str, pending: Sequence[Suggestion], section: int | None = None,
                  at: int | None = None) -> ReviewWindow:
    """The section to show (by number, or the one holding offset ``at``; the first by default),
    with the article's groups and notices. ``pending`` holds the revision's pending suggestions."""
    body = [s for s in pending if s.field == Suggestion.Field.BODY]
    sections = split_sections(text, body, settings.NEWSROOM_REVIEW_SECTION_CHARS,
                              settings.NEWSROOM_REVIEW_SECTION_SUGGESTIONS)
    if section is not None:
        current = sections[min(max(section, 1), len(sections)) - 1]
    elif at is not None:
        index = bisect.bisect_right([s.start for s in sections], at) - 1
        current = sections[max(index, 0)]
    else:
        current = sections[0]
    is_last = current.number == len(sections)

    def in_current(s: Suggestion) -> bool:
        if s.field != Suggestion.Field.BODY:
            return False
        return current.start <= s.start < current.end or (is_last and s.start == current.end)

    members: dict[GroupKey, list[Suggestion]] = defaultdict(list)
    notices = []
    for s in pending:
        if s.kind == NOTICE_KIND:
            notices.append(s)
        else:
            members[group_key(s)].append(s)
    groups = []
    group_of: dict[int, int] = {}
    for same in members.values():
        if len(same) < 2:
            continue
        same.sort(key=lambda s: (s.field != Suggestion.Field.TITLE, s.start, s.end, s.pk))
        here = [_occurrence(text, s) for s in same if in_current(s)]
        in_title = [s.pk for s in same if s.field == Suggestion.Field.TITLE]
        groups.append(Group(representative=same[0], count=len(same), here=here, in_title=in_title))
        group_of.update((s.pk, same[0].pk) for s in same)
    groups.sort(key=lambda g: (-g.count, g.representative.start))
    notices.sort(key=lambda s: (s.start, s.pk))
    shown = [s for s in body if in_current(s)]
    title_shown = [s for s in pending if s.field == Suggestion.Field.TITLE]
    return ReviewWindow(sections=sections, current=current, groups=groups, notices=notices, shown=shown,
                        group_of=group_of, title_shown=title_shown)


# Enough to place, count and group every pending suggestion; the cards shown load the rest.
LIGHT_FIELDS = ("id", "revision_id", "pass_name", "kind", "field", "start", "end", "original", "replacement",
                "confidence", "status")


def load_window(revision: Revision, section: int | None = None,
                at: int | None = None) -> tuple[ReviewWindow, list[Suggestion]]:
    """The window of ``revision`` to show, its suggestions loaded whole, and every pending
    suggestion of the revision with only LIGHT_FIELDS (for counts): two queries however long."""
    light = list(Suggestion.objects.filter(revision=revision, status=Suggestion.Status.PENDING)
                 .only(*LIGHT_FIELDS).order_by("-field", "start", "end", "id"))
    window = review_window(revision.text, light, section=section, at=at)
    wanted = {s.pk for s in window.shown} | {s.pk for s in window.title_shown} | {
        g.representative.pk for g in window.groups} | {s.pk for s in window.notices}
    whole = Suggestion.objects.in_bulk(wanted)
    window.shown = [whole[s.pk] for s in window.shown]
    window.title_shown = [whole[s.pk] for s in window.title_shown]
    window.notices = [whole[s.pk] for s in window.notices]
    for group in window.groups:
        group.representative = whole[group.representative.pk]
    return window, light
