"""One decision for many articles: "original → replacement" applied to every pending suggestion
that makes that change, each on its article's current revision, and undone as a whole.

Like OpenRefine's cluster merge, it goes in two steps. The preview lists each article with the
revision it shows and the sentence each suggestion touches. Applying carries those revisions: an
article edited since its preview is skipped with the reason, never merged (no lost update). Each
article's suggestions are accepted through ``corrections.review.accept_all``, so revisions,
carry-over, learning and audit are exactly those of an editor's decision on that article; the
decision adds one audit row per article and one for itself, which lists the others.

Everything happens in one transaction, articles locked one at a time in id order (the order
every other decision locks in), each inside its own savepoint so that a skipped article leaves
no trace but its reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.functions import MD5
from django.utils import timezone

from articles.audit import Actor, record_event
from articles.models import ApiClient, Article, AuditEvent, Revision
from corrections import review
from corrections.models import Alias, BulkDecision, BulkDecisionArticle, Suggestion
from corrections.revisions import edits_clash, field_text

MAX_ARTICLES = 500  # per decision; a larger cluster is decided in several rounds
_CONTEXT = 160  # characters of a sentence shown at most on each side of the change
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+")

Applied = BulkDecisionArticle.Status.APPLIED
Skipped = BulkDecisionArticle.Status.SKIPPED
Undone = BulkDecisionArticle.Status.UNDONE
NotUndone = BulkDecisionArticle.Status.NOT_UNDONE


class NothingToDecide(ValueError):
    """The request names no change or no article (API: 400/422 with the field at fault)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# --- the preview -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentence:
    """The sentence a suggestion touches: ``before`` + ``original`` + ``after`` is a run of the
    text (or the title) it is anchored to; ``is_cut_*`` say where it was shortened."""

    suggestion_id: int
    field: str
    start: int
    end: int
    before: str
    original: str
    replacement: str
    after: str
    is_cut_before: bool
    is_cut_after: bool


@dataclass(frozen=True, slots=True)
class PreviewArticle:
    article: Article
    revision: int  # the revision the preview shows; applying refuses any other
    sentences: tuple[Sentence, ...]

    @property
    def suggestion_ids(self) -> list[int]:
        return [s.suggestion_id for s in self.sentences]


@dataclass(frozen=True, slots=True)
class Preview:
    original: str
    replacement: str
    articles: list[PreviewArticle]
    total: int  # articles with such a suggestion; more than len(articles) when over MAX_ARTICLES

    @property
    def suggestions(self) -> int:
        return sum(len(a.sentences) for a in self.articles)


def is_offered(s: Suggestion) -> bool:
    """Whether the desk offers to apply this suggestion's change across articles: a change of one
    line (a form cannot carry a line break through unchanged) that is not an insertion."""
    return bool(s.original) and not any(c in s.original + s.replacement for c in "\r\n")


def check_change(original: str, replacement: str) -> None:
    if original == replacement:
        raise NothingToDecide("replacement", "The replacement is the original: there is no change to apply.")
    if not original:
        raise NothingToDecide("original", "Name the text to change (an insertion has no original to match).")


def pending_with_change(original: str, replacement: str) -> list[Suggestion]:
    """Pending suggestions on current revisions that change ``original`` into ``replacement``,
    by article, then the title's first, then in text order."""
    digest = hashlib.md5(original.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
    return list(
        Suggestion.objects.annotate(original_md5=MD5("original"))
        .filter(original_md5=digest, status=Suggestion.Status.PENDING, original=original, replacement=replacement,
                revision__number=F("revision__article__revision_number"))
        .select_related("revision__article__source")
        .order_by("revision__article_id", "-field", "start", "-confidence", "id")
    )


def change_for_alias(alias: Alias) -> tuple[str, str]:
    """The change the passes propose for a misspelling alias: to its entity's name, or to the
    surname a one-word alias of a person stands for ("Zelanski" → "Zelensky" of "Volodymyr
    Zelensky"), whichever pending suggestions make."""
    name = alias.entity.name
    proposed = set(Suggestion.objects.filter(status=Suggestion.Status.PENDING, original=alias.surface)
                   .values_list("replacement", flat=True)[:100])
    surname = name.rsplit(" ", 1)[-1]
    if name not in proposed and surname in proposed and " " not in alias.surface.strip():
        return alias.surface, surname
    return alias.surface, name


def _one_per_span(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """Two passes may propose the same change at the same place: the first (most confident) speaks."""
    chosen: list[Suggestion] = []
    for s in suggestions:
        if not any(edits_clash(s, c) for c in chosen):
            chosen.append(s)
    return chosen


def sentence_around(text: str, start: int, end: int, limit: int = _CONTEXT) -> tuple[int, int, bool, bool]:
    """The sentence around ``text[start:end]``: from the last sentence end or line break before it
    to the next one after it, at most ``limit`` characters each way. Returns its start and end, and
    whether the limit cut it short before and after."""
    line_start = text.rfind("\n", 0, start) + 1
    floor = max(line_start, start - limit)
    lo = floor
    for before in _SENTENCE_END.finditer(text, floor, start):
        lo = before.end()
    line_end = text.find("\n", end)
    ceiling = min(len(text) if line_end < 0 else line_end, end + limit)
    after = _SENTENCE_END.search(text, end, ceiling)
    hi = after.start() + len(after.group().rstrip()) if after else ceiling
    return lo, hi, lo == floor > line_start, after is None and hi == end + limit < len(text)


def _sentence(s: Suggestion, revision: Revision) -> Sentence:
    text = field_text(revision, s.field)
    lo, hi, is_cut_before, is_cut_after = sentence_around(text, s.start, s.end)
    return Sentence(
        suggestion_id=s.pk, field=s.field, start=s.start, end=s.end, before=text[lo : s.start],
        original=s.original, replacement=s.replacement, after=text[s.end : hi],
        is_cut_before=is_cut_before, is_cut_after=is_cut_after,
    )


def preview_change(original: str, replacement: str, limit: int = MAX_ARTICLES) -> Preview:
    """Every article whose current revision has a pending suggestion changing ``original`` into
    ``replacement``, with the sentences it touches (at most ``limit`` articles, oldest first).
    Raises NothingToDecide when the pair is no change."""
    check_change(original, replacement)
    by_article: dict[int, list[Suggestion]] = {}
    for s in pending_with_change(original, replacement):
        by_article.setdefault(s.revision.article_id, []).append(s)
    articles = []
    for suggestions in list(by_article.values())[:limit]:
        revision = suggestions[0].revision
        chosen = sorted(_one_per_span(suggestions), key=lambda s: (s.field != "title", s.start))
        articles.append(PreviewArticle(article=revision.article, revision=revision.number,
                                       sentences=tuple(_sentence(s, revision) for s in chosen)))
    return Preview(original=original, replacement=replacement, articles=articles, total=len(by_article))


# --- applying ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seen:
    """An article and the revision the preview showed of it."""

    article_id: int
    revision: int


def _user(actor: Actor) -> User:
    """The editor behind the actor (a token acts for its user)."""
    user = actor.user if isinstance(actor, ApiClient) else actor
    if not isinstance(user, User):
        raise PermissionDenied("A decision across articles is an editor's: it needs a user.")
    return user


def _quote(text: str, limit: int = 40) -> str:
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


@transaction.atomic
def apply_change(*, original: str, replacement: str, seen: Sequence[Seen], actor: Actor) -> BulkDecision:
    """Accept, on each article of ``seen`` (as its preview showed it), every pending suggestion
    changing ``original`` into ``replacement``, one new revision per article.

    An article whose current revision is not the one seen, or that has no such suggestion any
    more, is skipped with the reason. Raises NothingToDecide when the pair is no change or
    ``seen`` is empty or too long. Records one audit row per article and one for the decision.
    """
    check_change(original, replacement)
    if not seen:
        raise NothingToDecide("articles", "List the articles of the preview, each with the revision it showed.")
    if len(seen) > MAX_ARTICLES:
        raise NothingToDecide("articles", f"At most {MAX_ARTICLES} articles in one decision; this lists {len(seen)}.")
    if len({s.article_id for s in seen}) != len(seen):
        raise NothingToDecide("articles", "Each article may be listed once.")
    missing = sorted({s.article_id for s in seen} - set(
        Article.objects.filter(pk__in=[s.article_id for s in seen]).values_list("pk", flat=True)))
    if missing:
        raise NothingToDecide("articles", f"There is no article {', '.join(map(str, missing))}.")
    decision = BulkDecision.objects.create(original=original, replacement=replacement, created_by=_user(actor))
    note = f"bulk decision #{decision.pk}"
    rows = []
    for item in sorted(seen, key=lambda s: s.article_id):
        row = BulkDecisionArticle(decision=decision, article_id=item.article_id, seen_revision=item.revision)
        try:
            with transaction.atomic():
                outcome = review.accept_all(article_id=item.article_id, seen_revision=item.revision, actor=actor,
                                            change=(original, replacement), note=note)
        except review.StaleRevision as ex:
            row.status = Skipped
            row.reason = (f"Edited since the preview: revision {ex.current.revision} is current "
                          f"({ex.current.created_by}: {ex.current.reason or 'no reason given'}), not {item.revision}.")
        except review.InvalidDecision:
            row.status = Skipped
            row.reason = f"No pending suggestion changes {_quote(original)} into {_quote(replacement)} any more."
        else:
            row.status, row.result_revision = Applied, outcome.revision
            row.suggestion_ids = [s.pk for s in outcome.suggestions]
        row.save()
        rows.append(row)
    events = [_record_article(row, actor, "applied" if row.status == Applied else "skipped") for row in rows]
    record_event(action="bulk.applied", actor=actor, obj=decision,
                 detail={"original": original[:200], "replacement": replacement[:200],
                         "applied": [r.article_id for r in rows if r.status == Applied],
                         "skipped": [r.article_id for r in rows if r.status == Skipped],
                         "audit_rows": [e.pk for e in events]})
    return decision


def _record_article(row: BulkDecisionArticle, actor: Actor, what: str) -> AuditEvent:
    revision = {"applied": row.result_revision, "undone": row.undo_revision}.get(what)
    return record_event(
        action=f"bulk.article_{what}", actor=actor, obj=row, article_id=row.article_id,
        revision_number=revision.number if revision is not None else row.seen_revision,
        detail={"decision": row.decision_id, "suggestions": row.suggestion_ids,
                **({"reason": row.reason} if row.reason else {})},
    )


# --- undoing --------------------------------------------------------------------------------------------


@transaction.atomic
def undo_change(*, decision_id: int, actor: Actor) -> BulkDecision:
    """Undo the decision on every article it changed: a new revision per article putting back the
    original where the change still stands untouched, and its suggestions pending again. An
    article whose changed text was edited since (or whose acceptance was undone on its own) is
    reported with the reason and left as it is; undoing again retries those.

    Raises BulkDecision.DoesNotExist, or review.InvalidDecision when nothing is left to undo.
    """
    decision = BulkDecision.objects.select_for_update().get(pk=decision_id)
    rows = list(decision.articles.filter(status__in=[Applied, NotUndone]).order_by("article_id"))
    if not rows:
        raise review.InvalidDecision(f"Bulk decision #{decision.pk} has nothing left to undo.")
    note = f"undid bulk decision #{decision.pk}"
    events = []
    for row in rows:
        try:
            with transaction.atomic():
                outcome = review.undo_acceptance(article_id=row.article_id, suggestion_ids=row.suggestion_ids,
                                                 actor=actor, reason=note)
        except review.InvalidDecision as ex:
            row.status, row.reason = NotUndone, str(ex)
        else:
            row.status, row.reason, row.undo_revision = Undone, "", outcome.revision
        row.save(update_fields=["status", "reason", "undo_revision"])
        events.append(_record_article(row, actor, "undone" if row.status == Undone else "not_undone"))
    left = decision.articles.filter(status__in=[Applied, NotUndone]).exists()
    decision.status = BulkDecision.Status.PARTLY_UNDONE if left else BulkDecision.Status.UNDONE
    decision.undone_at, decision.undone_by = timezone.now(), _user(actor)
    decision.save(update_fields=["status", "undone_at", "undone_by"])
    record_event(action="bulk.undone", actor=actor, obj=decision,
                 detail={"undone": [r.article_id for r in rows if r.status == Undone],
                         "not_undone": [r.article_id for r in rows if r.status == NotUndone],
                         "audit_rows": [e.pk for e in events]})
    return decision
