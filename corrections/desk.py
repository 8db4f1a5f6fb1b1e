"""What the editors' desk shows: the queue, the text with suggestions in place, readable diffs, the
story panel. Read-only: decisions live in corrections.review.

Article text reaches templates only as plain strings inside small dataclasses, so Django's
autoescaping applies to every piece however the text is sliced; nothing here builds HTML.
Invisible and bidirectional control characters are split out as their own pieces so that the
page can show a visible badge in their place instead of the character itself.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from rapidfuzz import fuzz, process

from articles.models import Article, AuditEvent, Publication, Revision, RevisionSearch, Story
from corrections.models import REVISION_BULK, Suggestion
from corrections.revisions import Change, changes_between

# --- invisible and bidi characters --------------------------------------------------------------

# Control and format characters, unusual spaces, Hangul fillers and tag characters: everything a
# reader cannot see but that changes search, spelling or the direction of the text around it.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f"
    "\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)
_SHORT_NAMES = {
    "\r": "CR", "\xa0": "NBSP", "\xad": "SHY", "\u061c": "ALM", "\u200b": "ZWSP", "\u200c": "ZWNJ",
    "\u200d": "ZWJ", "\u200e": "LRM", "\u200f": "RLM", "\u2028": "LSEP", "\u2029": "PSEP", "\u202a": "LRE",
    "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO", "\u2060": "WJ", "\u2066": "LRI",
    "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI", "\ufeff": "BOM", "\u202f": "NNBSP", "\u3000": "IDSP",
}
_JOINERS = frozenset("\u200c\u200d")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of ordinary text, or one hidden character shown as a badge."""

    text: str
    hidden: bool = False
    label: str = ""  # the badge: "RLO", "ZWSP", "U+E0041"
    name: str = ""  # for the tooltip: "U+202E RIGHT-TO-LEFT OVERRIDE"


def _is_needed_joiner(text: str, i: int) -> bool:
    """A ZWJ/ZWNJ between two non-ASCII characters belongs to an emoji sequence or a script that
    needs it (Persian, Devanagari); flagging it would only break the display."""
    return 0 < i < len(text) - 1 and not text[i - 1].isascii() and not text[i + 1].isascii()


def visible_pieces(text: str) -> list[Piece]:
    """``text`` as pieces whose ``text`` fields concatenate back to it exactly."""
    pieces: list[Piece] = []
    pos = 0
    for m in _HIDDEN.finditer(text):
        i = m.start()
        ch = m.group()
        if ch == "\r" and text[i + 1 : i + 2] == "\n":
            continue
        if ch in _JOINERS and _is_needed_joiner(text, i):
            continue
        if i > pos:
            pieces.append(Piece(text[pos:i]))
        code = f"U+{ord(ch):04X}"
        pieces.append(Piece(ch, hidden=True, label=_SHORT_NAMES.get(ch, code),
                            name=f"{code} {unicodedata.name(ch, 'control character')}"))
        pos = i + 1
    if pos < len(text):
        pieces.append(Piece(text[pos:]))
    return pieces


def plain_visible(text: str) -> str:
    """``text`` for places that take no markup (a page title, an attribute): each hidden character
    becomes its name in angle brackets."""
    return "".join(f"⟨{p.label}⟩" if p.hidden else p.text for p in visible_pieces(text))


def hidden_count(text: str) -> int:
    return sum(1 for p in visible_pieces(text) if p.hidden)


# --- the text with suggestions in place -----------------------------------------------------------


@dataclass(slots=True)
class Card:
    """One suggestion as the page shows it (in the text and in the side list)."""

    suggestion: Suggestion
    original: list[Piece]
    replacement: list[Piece]
    hidden: int  # hidden characters in the original or the replacement
    is_inline: bool = True  # False when it overlaps another suggestion shown in place
    overlaps: list[int] = field(default_factory=list)
    decide_url: str = ""
    everywhere_url: str = ""  # the preview of this change across every article (corrections.bulk)

    @property
    def is_plain(self) -> bool:
        """No hidden characters: the page may print the strings as they are (escaped)."""
        return self.hidden == 0

    @property
    def confidence_text(self) -> str:
        # What |floatformat:2 printed, at a tenth of its cost: it ran 200 times on a long page.
        return f"{self.suggestion.confidence:.2f}"


@dataclass(frozen=True, slots=True)
class Segment:
    pieces: list[Piece]
    card: Card | None = None

    @property
    def plain(self) -> str | None:
        """The text when it holds no hidden character (the fast path of the template), else None."""
        if len(self.pieces) == 1 and not self.pieces[0].hidden:
            return self.pieces[0].text
        return None


def review_layout(text: str, suggestions: Sequence[Suggestion],
                  window: tuple[int, int] | None = None) -> tuple[list[Segment], list[Card]]:
    """The text (or its ``window``, whose suggestions ``suggestions`` are) cut into plain segments
    and suggestion segments, and one card per suggestion.

    Suggestions from different passes may overlap; the first (by position) is shown in place and
    the others only in the list, marked with what they overlap.
    """
    first, stop = window if window is not None else (0, len(text))
    cards = [
        Card(suggestion=s, original=visible_pieces(s.original), replacement=visible_pieces(s.replacement),
             hidden=0)
        for s in sorted(suggestions, key=lambda s: (s.start, s.end, s.pk))
    ]
    segments: list[Segment] = []
    pos = first
    last: Card | None = None
    for card in cards:
        s = card.suggestion
        card.hidden = sum(p.hidden for p in card.original) + sum(p.hidden for p in card.replacement)
        clashes = s.start < pos or (last is not None and s.start == s.end == last.suggestion.start == pos
                                    and last.suggestion.start == last.suggestion.end)
        if clashes and last is not None:
            card.is_inline = False
            card.overlaps.append(last.suggestion.pk)
            last.overlaps.append(s.pk)
            continue
        if s.start > pos:
            segments.append(Segment(visible_pieces(text[pos : s.start])))
        segments.append(Segment(card.original, card))
        pos = s.end
        last = card
    if pos < stop:
        segments.append(Segment(visible_pieces(text[pos:stop])))
    return segments, cards


def pending_suggestions(revision: Revision) -> QuerySet[Suggestion]:
    """The revision's pending suggestions, the title's first, each field's in text order."""
    return Suggestion.objects.filter(revision=revision, status=Suggestion.Status.PENDING).order_by(
        "-field", "start", "end", "id")


def recent_decisions(article: Article, limit: int = 12) -> QuerySet[Suggestion]:
    return (
        Suggestion.objects.filter(revision__article_id=article.pk, decided_by__isnull=False,
                                  status__in=[Suggestion.Status.ACCEPTED, Suggestion.Status.REJECTED])
        .select_related("decided_by", "revision", "result_revision")
        .defer(*REVISION_BULK, *(f"result_{name}" for name in REVISION_BULK))  # megabytes each
        .order_by("-decided_at", "-id")[:limit]
    )


# --- readable diffs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiffPart:
    op: str  # "equal", "delete", "insert", "skip"
    pieces: list[Piece]


def readable_diff(old: str, new: str, context: int = 80) -> list[DiffPart]:
    """What changed from ``old`` to ``new``, with ``context`` characters of unchanged text around
    each change and the rest elided."""
    parts: list[DiffPart] = []
    pos = 0
    changes = _whole_words(old, new, changes_between(old, new))
    for i, c in enumerate(changes):
        equal = old[pos : c.old_start]
        parts.extend(_context(equal, context, is_first=i == 0))
        if c.old_end > c.old_start:
            parts.append(DiffPart("delete", visible_pieces(old[c.old_start : c.old_end])))
        if c.new_end > c.new_start:
            parts.append(DiffPart("insert", visible_pieces(new[c.new_start : c.new_end])))
        pos = c.old_end
    if changes:
        parts.extend(_context(old[pos:], context, is_last=True))
    return parts


def _whole_words(old: str, new: str, changes: list[Change]) -> list[Change]:
    """Widen character-level changes to whole words ("Zelanski" → "Zelensky", not "a" → "e" and
    "i" → "y"), merging changes that then touch. Text outside changes is the same in both."""
    widened: list[Change] = []
    for c in changes:
        os_, oe, ns, ne = c.old_start, c.old_end, c.new_start, c.new_end
        changed = old[os_:oe] + new[ns:ne]
        floor = widened[-1].old_end if widened else 0
        while changed[:1].isalnum() and os_ > floor and old[os_ - 1].isalnum():
            os_, ns = os_ - 1, ns - 1
        while changed[-1:].isalnum() and oe < len(old) and old[oe].isalnum():
            oe, ne = oe + 1, ne + 1
        if widened and os_ <= widened[-1].old_end:
            last = widened.pop()
            os_, ns = last.old_start, last.new_start
        widened.append(Change(os_, oe, ns, ne))
    return widened


def _context(equal: str, context: int, is_first: bool = False, is_last: bool = False) -> list[DiffPart]:
    if not equal:
        return []
    head = 0 if is_first else context
    tail = 0 if is_last else context
    if len(equal) <= head + tail + 20:
        return [DiffPart("equal", visible_pieces(equal))]
    out = []
    if head:
        out.append(DiffPart("equal", visible_pieces(equal[:head])))
    skipped = len(equal) - head - tail
    out.append(DiffPart("skip", [Piece(f"… {skipped} unchanged characters …")]))
    if tail:
        out.append(DiffPart("equal", visible_pieces(equal[-tail:])))
    return out


# --- the queue -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilters:
    status: str = Article.Status.IN_REVIEW
    source: str = ""
    kind: str = ""
    story: int | None = None
    q: str = ""
    newest_first: bool = True


@dataclass(slots=True)
class QueueRow:
    article: Article
    pending: list[tuple[str, int]]  # (kind, count), most frequent first

    @property
    def title(self) -> list[Piece]:
        title = self.article.title
        return visible_pieces(title if len(title) <= 120 else title[:119] + "…")

    @property
    def pending_total(self) -> int:
        return sum(n for _, n in self.pending)


@dataclass(slots=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


def encode_cursor(created_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        return datetime.fromisoformat(when), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def _current_revision_of(ref: str = "pk") -> dict[str, object]:
    return {"revision__article_id": OuterRef(ref), "revision__number": OuterRef("revision_number")}


def queue_articles(filters: QueueFilters) -> QuerySet[Article]:
    articles = Article.objects.select_related("source", "story")
    if filters.status:
        articles = articles.filter(status=filters.status)
    if filters.source:
        articles = articles.filter(source__slug=filters.source)
    if filters.story is not None:
        articles = articles.filter(story_id=filters.story)
    if filters.kind:
        articles = articles.filter(Exists(Suggestion.objects.filter(
            status=Suggestion.Status.PENDING, kind=filters.kind, **_current_revision_of())))
    if filters.q.strip():
        # A semi-join on any revision's text (not a correlated EXISTS per article), so that a GIN
        # index on to_tsvector('english', COALESCE(text, '')) can serve it; an article whose older
        # revision matched (a misspelling since corrected) is found too.
        # Two semi-joins, each served by its GIN index: an OR with the title's own tsvector would
        # make PostgreSQL compute that tsvector for every article instead. Revisions keep their
        # tsvector stored (articles.search), so a search that matches most of them stays a fast scan.
        query = SearchQuery(filters.q, search_type="websearch", config="english")
        in_text = RevisionSearch.objects.filter(vector=query).values("article_id")
        in_title = Article.objects.annotate(document=SearchVector("title", config="english")).filter(
            document=query).values("id")
        articles = articles.filter(Q(pk__in=in_title) | Q(pk__in=in_text))
    return articles


def queue_page(filters: QueueFilters, cursor: str | None = None, limit: int = 50) -> QueuePage:
    """One page of the queue, newest first (or oldest), after ``cursor`` (keyset pagination)."""
    articles = queue_articles(filters)
    after = decode_cursor(cursor) if cursor else None
    if filters.newest_first:
        if after:
            articles = articles.filter(Q(created_at__lt=after[0]) | Q(created_at=after[0], pk__lt=after[1]))
        articles = articles.order_by("-created_at", "-id")
    else:
        if after:
            articles = articles.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
        articles = articles.order_by("created_at", "id")
    page = list(articles[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    counts = pending_counts([a.pk for a in page])
    rows = [QueueRow(article=a, pending=counts.get(a.pk, [])) for a in page]
    next_cursor = encode_cursor(page[-1].created_at, page[-1].pk) if more and page else None
    return QueuePage(rows=rows, next_cursor=next_cursor)


def pending_counts(article_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    """Pending suggestions on each article's current revision, counted by kind (one query)."""
    rows = (
        Suggestion.objects.filter(revision__article_id__in=list(article_ids), status=Suggestion.Status.PENDING,
                                  revision__number=F("revision__article__revision_number"))
        .values_list("revision__article_id", "kind")
        .annotate(n=Count("id"))
    )
    counts: dict[int, list[tuple[str, int]]] = {}
    for article_id, kind, n in rows:
        counts.setdefault(article_id, []).append((kind, n))
    for value in counts.values():
        value.sort(key=lambda kn: (-kn[1], kn[0]))
    return counts


# --- the story panel ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Spelling:
    surface: str
    count: int
    matches_name: str  # the name in question it resembles


@dataclass(slots=True)
class StoryCopy:
    article: Article
    spellings: list[Spelling]
    excerpts: list[list[tuple[list[Piece], bool]]]  # each excerpt: (pieces, is_highlighted) runs

    @property
    def title(self) -> str:
        return plain_visible(self.article.title)


_WORD = re.compile(r"\w[\w'’-]*\w|\w")
_NAME_SIMILARITY = 80


def names_in_question(suggestions: Iterable[Suggestion]) -> list[str]:
    """The capitalised words of the name suggestions' originals and replacements."""
    names: dict[str, None] = {}
    for s in suggestions:
        if s.kind != "entity":
            continue
        for text in (s.original, s.replacement):
            for word in _WORD.findall(text):
                if len(word) >= 3 and word[0].isupper():
                    names.setdefault(word, None)
    return list(names)


def _spelling_spans(text: str, names: Sequence[str]) -> list[tuple[int, int, str]]:
    spans = []
    for m in _WORD.finditer(text):
        word = m.group()
        if len(word) < 3 or not word[0].isupper():
            continue
        best = process.extractOne(word, names, scorer=fuzz.ratio, score_cutoff=_NAME_SIMILARITY)
        if best is not None:
            spans.append((m.start(), m.end(), best[0]))
    return spans


def _excerpt(text: str, spans: list[tuple[int, int, str]], first: int, width: int = 90) -> list[tuple[list[Piece], bool]]:
    start = max(0, spans[first][0] - width)
    end = min(len(text), spans[first][1] + width)
    runs: list[tuple[list[Piece], bool]] = []
    pos = start
    for s, e, _ in spans:
        if e <= start or s >= end:
            continue
        if s > pos:
            runs.append((visible_pieces(text[pos:s]), False))
        runs.append((visible_pieces(text[s:e]), True))
        pos = e
    if pos < end:
        runs.append((visible_pieces(text[pos:end]), False))
    return runs


def story_copies(article: Article, names: Sequence[str], max_excerpts: int = 3) -> list[StoryCopy]:
    """The story's other copies with how each spells the names in question."""
    if article.story_id is None:
        return []
    current = Revision.objects.filter(article_id=OuterRef("pk"), number=OuterRef("revision_number")).values("text")[:1]
    others = (
        Article.objects.filter(story_id=article.story_id).exclude(pk=article.pk).select_related("source")
        .annotate(current_text=Subquery(current)).order_by("source__slug", "id")[:20]
    )
    copies = []
    for other in others:
        text = other.current_text or ""
        spans = _spelling_spans(text, names) if names else []
        counts = Counter((text[s:e], name) for s, e, name in spans)
        spellings = [Spelling(surface=w, count=n, matches_name=name) for (w, name), n in counts.most_common()]
        excerpts: list[list[tuple[list[Piece], bool]]] = []
        covered_to = -1
        for i, (s, e, _) in enumerate(spans):
            if s <= covered_to or len(excerpts) >= max_excerpts:
                continue
            excerpts.append(_excerpt(text, spans, i))
            covered_to = e + 180
        copies.append(StoryCopy(article=other, spellings=spellings, excerpts=excerpts))
    return copies


# --- publishing -----------------------------------------------------------------------------------


@dataclass(slots=True)
class PublishState:
    """What a publisher needs to see before publishing ``revision``: the suggestions still pending
    on it, and for a correction, what changes since the latest publication."""

    revision: Revision
    pending: int
    latest: Publication | None
    diff: list[DiffPart]
    title_diff: list[DiffPart] = field(default_factory=list)

    @property
    def is_correction(self) -> bool:
        return self.latest is not None

    @property
    def is_published_already(self) -> bool:
        return self.latest is not None and self.latest.revision_id == self.revision.pk


def latest_publication(article: Article) -> Publication | None:
    """The article's canonical version (without its text), or None when it was never published."""
    return (Publication.objects.filter(article_id=article.pk).select_related("revision", "published_by")
            .defer("revision__text").order_by("-number").first())


def canonical_copy(article: Article) -> Article | None:
    """The copy an editor picked as canonical for the article's story, if any."""
    if article.story is None or article.story.canonical_article_id is None:
        return None
    return Article.objects.select_related("source").filter(pk=article.story.canonical_article_id).first()


def publish_state(article: Article, revision_number: int) -> PublishState:
    """Raises Revision.DoesNotExist."""
    revision = Revision.objects.get(article=article, number=revision_number)
    latest = (Publication.objects.filter(article=article).select_related("revision", "published_by")
              .order_by("-number").first())
    diff = readable_diff(latest.revision.text, revision.text) if latest is not None else []
    title_diff = (readable_diff(latest.revision.title, revision.title)
                  if latest is not None and latest.revision.title != revision.title else [])
    pending = Suggestion.objects.filter(revision=revision, status=Suggestion.Status.PENDING).count()
    return PublishState(revision=revision, pending=pending, latest=latest, diff=diff, title_diff=title_diff)


@dataclass(slots=True)
class PublishedView:
    """One publication exactly as published, with the article's public record around it."""

    publication: Publication
    text: list[Piece]
    publications: list[Publication]  # every publication of the article, newest first

    @property
    def corrections(self) -> list[Publication]:
        """The correction notes up to this publication, newest first: the public record."""
        return [p for p in self.publications if 1 < p.number <= self.publication.number]

    @property
    def corrected_by(self) -> Publication | None:
        """The publication that corrects this one, when a later one exists."""
        return next((p for p in self.publications if p.corrects_id == self.publication.pk), None)


def published_view(article: Article, number: int | None = None) -> PublishedView:
    """Publication ``number`` of the article, or its latest. Raises Publication.DoesNotExist."""
    publications = list(
        Publication.objects.filter(article=article).select_related("revision", "published_by")
        .defer("revision__text").order_by("-number")
    )
    if number is None:
        shown = publications[0] if publications else None
    else:
        shown = next((p for p in publications if p.number == number), None)
    if shown is None:
        raise Publication.DoesNotExist(f"article {article.pk} has no publication {number}")
    text = Revision.objects.filter(pk=shown.revision_id).values_list("text", flat=True).get()
    return PublishedView(publication=shown, text=visible_pieces(text), publications=publications)


# --- the story page -------------------------------------------------------------------------------


@dataclass(slots=True)
class StoryMember:
    article: Article
    pending: int
    published: int | None  # the latest publication's number
    excerpt: list[Piece]

    @property
    def title(self) -> list[Piece]:
        return visible_pieces(self.article.title[:160])


def story_members(story: Story, limit: int = 100, excerpt: int = 280) -> list[StoryMember]:
    """The story's copies, by outlet, each with its pending count, publication and opening lines."""
    current = Revision.objects.filter(article_id=OuterRef("pk"), number=OuterRef("revision_number"))
    articles = list(
        Article.objects.filter(story=story).select_related("source")
        .annotate(opening=Subquery(current.annotate(head=Substr("text", 1, excerpt)).values("head")[:1]),
                  published=Subquery(Publication.objects.filter(article_id=OuterRef("pk")).order_by("-number")
                                     .values("number")[:1]))
        .order_by("source__slug", "id")[:limit]
    )
    counts = pending_counts([a.pk for a in articles])
    return [StoryMember(article=a, pending=sum(n for _, n in counts.get(a.pk, [])), published=a.published,
                        excerpt=visible_pieces(a.opening or "")) for a in articles]


# --- the audit trail ------------------------------------------------------------------------------

# Offered in the action filter (which matches prefixes, so "suggestion." finds every decision).
AUDIT_ACTIONS = (
    "article.ingested", "pass.", "pipeline.", "suggestion.", "suggestion.accepted", "suggestion.rejected",
    "suggestion.undone", "revision.created", "publication.", "publication.created", "publication.corrected",
    "story.canonical_set", "bulk.", "alias.", "entity.", "stylerule.", "suppression.", "token.", "auth.",
    "auth.login_failed",
)


@dataclass(frozen=True, slots=True)
class AuditFilters:
    article: int | None = None
    actor: str = ""
    action: str = ""


# What each action means, for people; an action missing here is shown by its name.
_AUDIT_WHAT = {
    "article.ingested": "ingested an article", "pass.run": "ran a pass", "pass.refreshed": "re-ran a pass",
    "pipeline.done": "finished the pipeline", "pipeline.failed": "failed the pipeline",
    "suggestion.accepted": "accepted a suggestion", "suggestion.rejected": "rejected a suggestion",
    "suggestion.applied": "applied a suggestion", "suggestion.undone": "undid a decision",
    "suggestion.always": "asked to always make a change", "revision.created": "made a revision",
    "publication.created": "published", "publication.corrected": "published a correction",
    "story.canonical_set": "picked a story's canonical copy",
    "bulk.applied": "applied a change across articles", "bulk.article_applied": "applied a change across articles here",
    "bulk.article_skipped": "skipped an article in a change across articles", "bulk.undone": "undid a change across articles",
    "bulk.article_undone": "undid a change across articles here",
    "bulk.article_not_undone": "could not undo a change across articles here", "alias.learned": "taught the gazetteer an alias",
    "suppression.created": "suppressed a change", "token.created": "created an API token",
    "token.revoked": "revoked an API token", "auth.logged_in": "logged in", "auth.login_failed": "failed to log in",
    "auth.login_locked": "was locked out",
}


@dataclass(frozen=True, slots=True)
class AuditRow:
    event: AuditEvent

    @property
    def what(self) -> str:
        return _AUDIT_WHAT.get(self.event.action, self.event.action)

    @property
    def detail(self) -> list[tuple[str, str]]:
        return [(str(k), str(v) if len(str(v)) <= 120 else str(v)[:119] + "…")
                for k, v in sorted(self.event.detail.items())] if isinstance(self.event.detail, dict) else []


@dataclass(slots=True)
class AuditPage:
    rows: list[AuditRow]
    next_before: int | None  # the cursor of the next (older) page


def audit_page(filters: AuditFilters, before: int | None = None, limit: int = 50) -> AuditPage:
    """Audit rows, newest first, matching the filters (actor: part of the label; action: a prefix),
    older than the row ``before`` (keyset pagination on the id)."""
    events = AuditEvent.objects.all()
    if filters.article is not None:
        events = events.filter(article_id=filters.article)
    if filters.actor.strip():
        events = events.filter(actor_label__icontains=filters.actor.strip())
    if filters.action.strip():
        events = events.filter(action__startswith=filters.action.strip())
    if before is not None:
        events = events.filter(id__lt=before)
    events_page = list(events.order_by("-id")[: limit + 1])
    more = len(events_page) > limit
    rows = [AuditRow(e) for e in events_page[:limit]]
    return AuditPage(rows=rows, next_before=rows[-1].event.pk if more and rows else None)
