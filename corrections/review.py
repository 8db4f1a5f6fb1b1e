"""Editors' decisions on an article: accept, reject, edit, undo, manual edits and reverts.

Every function here takes the revision number the editor saw. When it is no longer the article's
current revision the action is refused with :class:`StaleRevision` (the API answers 409 with the
current state): an edit is never merged silently into text the editor has not seen.

Rows are locked in one fixed order, article → current revision → suggestion (``SELECT ... FOR
UPDATE``), so two editors deciding on the same article at once are serialised and neither loses
an update. A text change is always a new revision (``corrections.revisions.create_revision``),
attributed to the editor, carrying untouched pending suggestions over and marking the others
stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from articles.audit import Actor, record_event
from articles.models import ApiClient, Article, Revision
from corrections import learning
from corrections.budget import NOTICE_KIND
from corrections.conflicts import settle_conflicts
from corrections.models import Alias, Suggestion
from corrections.revisions import (
    BODY,
    TITLE,
    apply_to_text,
    changes_between,
    changes_from_suggestions,
    create_revision,
    edits_clash,
    field_text,
    in_field,
    spans_clash,
)
from newsroom import metrics

PENDING = Suggestion.Status.PENDING
ACCEPTED = Suggestion.Status.ACCEPTED
REJECTED = Suggestion.Status.REJECTED
STALE = Suggestion.Status.STALE


@dataclass(frozen=True, slots=True)
class CurrentState:
    """What the article looks like now: sent back with a refusal so the editor can re-decide."""

    article_id: int
    revision: int
    text_sha256: str
    created_at: datetime
    created_by: str
    reason: str
    pending: int


class StaleRevision(Exception):
    """The editor acted on a revision that is no longer the current one (API: 409)."""

    def __init__(self, seen: int, current: CurrentState, proposed_text: str | None = None) -> None:
        self.seen = seen
        self.current = current
        self.proposed_text = proposed_text  # a manual edit that was refused, kept for re-application
        super().__init__(
            f"You were looking at revision {seen}, but revision {current.revision} is current "
            f"({current.created_by}: {current.reason or 'no reason given'}). Nothing was changed; "
            "review the current text and decide again."
        )


class AlreadyDecided(Exception):
    """The suggestion is no longer pending: someone decided it, or the text moved on (API: 409)."""

    def __init__(self, suggestion: Suggestion, current: CurrentState) -> None:
        self.suggestion = suggestion
        self.current = current
        decider = suggestion.decided_by
        who = f" by {decider.get_username()}" if decider is not None else ""
        super().__init__(f"Suggestion #{suggestion.pk} is already {suggestion.status}{who}. Nothing was changed.")


class InvalidDecision(Exception):
    """The action makes no sense as asked (nothing to accept, an unchanged text...) (API: 422)."""


@dataclass(slots=True)
class Outcome:
    """What a decision did: the revision that is now current and the suggestions it touched."""

    article: Article
    revision: Revision
    message: str
    suggestions: list[Suggestion] = field(default_factory=list)
    created_revision: bool = False
    learned: list[models.Model] = field(default_factory=list)


# --- locking ----------------------------------------------------------------------------------


def current_state(article: Article) -> CurrentState:
    revision = (
        Revision.objects.select_related("created_by_user", "created_by_client")
        .get(article_id=article.pk, number=article.revision_number)
    )
    pending = Suggestion.objects.filter(revision=revision, status=PENDING).count()
    return CurrentState(
        article_id=article.pk, revision=revision.number, text_sha256=revision.text_sha256,
        created_at=revision.created_at, created_by=revision.created_by, reason=revision.reason, pending=pending,
    )


def _lock_article(article_id: int, seen_revision: int, proposed_text: str | None = None) -> tuple[Article, Revision]:
    """Lock the article and its current revision (in that order); refuse a stale view."""
    article = Article.objects.select_for_update(of=("self",)).get(pk=article_id)
    revision = Revision.objects.select_for_update().get(article_id=article.pk, number=article.revision_number)
    if seen_revision != article.revision_number:
        raise StaleRevision(seen_revision, current_state(article), proposed_text)
    return article, revision


def _lock_suggestion(suggestion_id: int, seen_revision: int) -> tuple[Article, Revision, Suggestion]:
    article_id = (
        Suggestion.objects.filter(pk=suggestion_id).values_list("revision__article_id", flat=True).first()
    )
    if article_id is None:
        raise Suggestion.DoesNotExist(f"no suggestion {suggestion_id}")
    article, revision = _lock_article(article_id, seen_revision)
    suggestion = Suggestion.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=suggestion_id)
    if suggestion.status != PENDING or suggestion.revision_id != revision.pk:
        raise AlreadyDecided(suggestion, current_state(article))
    return article, revision, suggestion


def _user(actor: Actor) -> User | None:
    """The Django user to record as the decider (a token acts for its user)."""
    if isinstance(actor, ApiClient):
        return actor.user
    return actor if isinstance(actor, User) else None


def _quote(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{shown}”" if shown else "nothing"


def _what(s: Suggestion) -> str:
    """The suggestion's kind, and where it is when that is not the body: "grammar, in the title"."""
    return s.kind if s.field == BODY else f"{s.kind}, in the {s.field}"


# --- accepting ----------------------------------------------------------------------------------


def _apply(
    article: Article, revision: Revision, chosen: Sequence[Suggestion], actor: Actor, reason: str,
    replacement: str | None = None,
) -> Outcome:
    """Apply ``chosen`` (pending, non-clashing, on ``revision``) as one new revision. Caller holds the locks."""
    if any(s.kind == NOTICE_KIND for s in chosen):
        raise InvalidDecision("A notice changes nothing in the text: reject it to dismiss it once read.")
    applied = list(chosen)
    if replacement is not None:  # an edited acceptance: apply the editor's text, keep the pass's proposal
        only = chosen[0]
        applied = [Suggestion(pk=only.pk, field=only.field, start=only.start, end=only.end, original=only.original,
                              replacement=replacement)]
    body, title = in_field(applied, BODY), in_field(applied, TITLE)
    try:
        text = apply_to_text(revision.text, body)
        new_title = apply_to_text(revision.title, title)
    except ValueError as ex:
        raise InvalidDecision(str(ex)) from None
    if title and not new_title.strip():
        raise InvalidDecision("The title may not be empty; reject the suggestion or edit its replacement.")
    new = create_revision(
        article=article, base=revision, text=text, changes=changes_from_suggestions(body), actor=actor,
        reason=reason, exclude_from_carry=[s.pk for s in chosen], title=new_title,
        title_changes=changes_from_suggestions(title),
    )
    user = _user(actor)
    now = timezone.now()
    learned: list[models.Model] = []
    for s, used in zip(chosen, applied, strict=True):
        s.status = ACCEPTED
        s.decided_at = now
        s.decided_by = user
        s.result_revision = new
        s.applied_replacement = used.replacement
        s.status_note = "" if replacement is None else f"accepted with the editor's replacement {_quote(replacement)}"
        s.save(update_fields=["status", "decided_at", "decided_by", "result_revision", "applied_replacement",
                              "status_note"])
        record_event(action="suggestion.accepted", actor=actor, obj=s, article_id=article.pk,
                     revision_number=revision.number, before=s.original, after=used.replacement,
                     detail={"kind": s.kind, "pass": s.pass_name, "replacement": used.replacement,
                             "edited": replacement is not None, "result_revision": new.number})
        metrics.count_suggestions([s.kind], "accepted" if used.replacement == s.replacement else "edited")
        alias = learning.learn_from_accept(s, used.replacement, actor)
        if alias is not None:
            learned.append(alias)
    return Outcome(article=article, revision=new, message=reason, suggestions=list(chosen),
                   created_revision=True, learned=learned)


@transaction.atomic
def accept_suggestion(*, suggestion_id: int, seen_revision: int, actor: Actor) -> Outcome:
    """Accept a pending suggestion of the current revision: its change becomes a new revision.

    Raises StaleRevision when ``seen_revision`` is not current, AlreadyDecided when the suggestion
    is not pending on the current revision, Suggestion.DoesNotExist for an unknown id. Pending
    suggestions whose text is untouched are carried over; clashing ones turn stale. An accepted
    name correction is learned as a misspelling alias.
    """
    article, revision, s = _lock_suggestion(suggestion_id, seen_revision)
    reason = f"accepted #{s.pk} ({_what(s)}): {_quote(s.original)} → {_quote(s.replacement)}"
    return _apply(article, revision, [s], actor, reason)


@transaction.atomic
def edit_suggestion(*, suggestion_id: int, seen_revision: int, actor: Actor, replacement: str) -> Outcome:
    """Accept a pending suggestion with the editor's own replacement (same contract as accept)."""
    article, revision, s = _lock_suggestion(suggestion_id, seen_revision)
    if replacement == s.original:
        raise InvalidDecision("The edited replacement is the original text; reject the suggestion instead.")
    reason = f"accepted #{s.pk} ({_what(s)}) with an edit: {_quote(s.original)} → {_quote(replacement)}"
    return _apply(article, revision, [s], actor, reason, replacement=replacement)


@transaction.atomic
def accept_all(
    *, article_id: int, seen_revision: int, actor: Actor, kind: str | None = None,
    min_confidence: float | None = None, change: tuple[str, str] | None = None, note: str = "",
) -> Outcome:
    """Accept every pending suggestion of one kind, at or above a confidence and/or making one
    ``change`` (original, replacement), as one revision; ``note`` says why in its reason.

    Where chosen suggestions clash, the more confident wins and the other turns stale. Raises
    StaleRevision, or InvalidDecision when no suggestion matches.
    """
    if kind is None and min_confidence is None and change is None:
        raise InvalidDecision("Choose a kind or a minimum confidence.")
    article, revision = _lock_article(article_id, seen_revision)
    candidates = Suggestion.objects.select_for_update().filter(revision=revision, status=PENDING).exclude(
        kind=NOTICE_KIND)
    if kind:
        candidates = candidates.filter(kind=kind)
    if min_confidence is not None:
        candidates = candidates.filter(confidence__gte=min_confidence)
    if change is not None:
        candidates = candidates.filter(original=change[0], replacement=change[1])
    chosen: list[Suggestion] = []
    for s in sorted(candidates, key=lambda s: (-s.confidence, s.field, s.start, s.pk)):
        if not any(edits_clash(s, c) for c in chosen):
            chosen.append(s)
    if not chosen:
        raise InvalidDecision("No pending suggestion matches.")
    chosen.sort(key=lambda s: (s.field, s.start, s.end))
    what = " and ".join(filter(None, [f"kind {kind}" if kind else "",
                                      f"confidence ≥ {min_confidence:.2f}" if min_confidence is not None else "",
                                      f"{_quote(change[0])} → {_quote(change[1])}" if change is not None else ""]))
    reason = f"accepted {len(chosen)} suggestion{'s' if len(chosen) != 1 else ''} ({what})"
    if note:
        reason += f", {note}"
    return _apply(article, revision, chosen, actor, reason)


# --- rejecting ------------------------------------------------------------------------------------


@transaction.atomic
def reject_suggestion(*, suggestion_id: int, seen_revision: int, actor: Actor, note: str = "") -> Outcome:
    """Reject a pending suggestion of the current revision. The text does not change.

    Raises like accept_suggestion. A rejected name or spelling pair is suppressed so that passes
    never propose it again.
    """
    article, revision, s = _lock_suggestion(suggestion_id, seen_revision)
    s.status = REJECTED
    s.decided_at = timezone.now()
    s.decided_by = _user(actor)
    s.status_note = note[:500]
    s.save(update_fields=["status", "decided_at", "decided_by", "status_note"])
    record_event(action="suggestion.rejected", actor=actor, obj=s, article_id=article.pk,
                 revision_number=revision.number, detail={"kind": s.kind, "pass": s.pass_name, "note": note[:500]})
    metrics.count_suggestions([s.kind], "rejected")
    suppression = learning.learn_from_reject(s, actor)
    return Outcome(article=article, revision=revision, suggestions=[s],
                   message=f"rejected #{s.pk} ({_what(s)}): {_quote(s.original)} → {_quote(s.replacement)}"
                   + resettled(revision),
                   learned=[suppression] if suppression is not None else [])


def resettled(revision: Revision) -> str:
    """After a rejection or its undo: the suggestions the rejected one had set aside come back
    (and go aside again when it is pending again; corrections.conflicts). Says so when any did."""
    before = set(Suggestion.objects.filter(revision=revision, status=PENDING).values_list("pk", flat=True))
    if not settle_conflicts(revision):
        return ""
    after = set(Suggestion.objects.filter(revision=revision, status=PENDING).values_list("pk", flat=True))
    back, aside = len(after - before), len(before - after)
    parts = [f"{n} suggestion{'s' if n != 1 else ''} it had set aside back" for n in [back] if n]
    parts += [f"{n} suggestion{'s' if n != 1 else ''} set aside again" for n in [aside] if n]
    return "; " + ", ".join(parts) if parts else ""


# --- undo -------------------------------------------------------------------------------------------


def _map_span(old: str, new: str, start: int, end: int) -> int | None:
    """Where ``old[start:end]`` sits in ``new``, or None when an edit between them touched it."""
    delta = 0
    for c in changes_between(old, new):
        if spans_clash(start, end, c.old_start, c.old_end) or (start == end == c.old_start):
            return None
        if c.old_end <= start:
            delta = c.new_end - c.old_end
    return start + delta


def _applied_spans(batch: Sequence[Suggestion], result: Revision) -> dict[int, tuple[int, int, str]]:
    """(start, end, applied text) of each accepted suggestion inside its result revision, by id."""
    spans = {}
    for name in (BODY, TITLE):
        ordered = sorted(in_field(batch, name), key=lambda s: (s.start, s.end))
        after = field_text(result, name)
        for s, c in zip(ordered, changes_from_suggestions(ordered), strict=True):
            # applied_replacement is what was applied (an editor's edit included); rows decided
            # before it was recorded hold "" there and fall back to the length of the result.
            used = s.applied_replacement or s.replacement
            if len(ordered) == 1 and not s.applied_replacement:
                base = field_text(Revision.objects.get(pk=s.revision_id), name)
                used = after[s.start : s.start + len(after) - len(base) + (s.end - s.start)]
            spans[s.pk] = (c.new_start, c.new_start + len(used), used)
    return spans


def _last_decision(article: Article, user: User | None) -> list[Suggestion]:
    if user is None:
        return []
    last = (
        Suggestion.objects.select_for_update(of=("self",))
        .filter(revision__article_id=article.pk, decided_by=user, status__in=[ACCEPTED, REJECTED])
        .order_by("-decided_at", "-id")
        .first()
    )
    if last is None:
        return []
    if last.status == REJECTED:  # a group rejected at once (corrections.groups) shares its time
        return list(Suggestion.objects.select_for_update().filter(
            revision_id=last.revision_id, decided_by=user, status=REJECTED, decided_at=last.decided_at,
        ).order_by("start", "end", "id"))
    if last.result_revision_id is None:
        return [last]
    return list(
        Suggestion.objects.select_for_update().filter(
            result_revision_id=last.result_revision_id, decided_by=user, status=ACCEPTED
        ).order_by("start", "end")
    )


@transaction.atomic
def undo_last_decision(*, article_id: int, seen_revision: int, actor: Actor) -> Outcome:
    """Undo this editor's last decision on the article (an accept-all counts as one).

    An acceptance is undone by a new revision that puts the original text back, and the
    suggestion is pending again on it; a rejection makes the suggestion pending again. What it
    learned (alias, suppression) is forgotten. Raises StaleRevision, or InvalidDecision when there
    is nothing to undo or the text around the change has been edited since.
    """
    article, current = _lock_article(article_id, seen_revision)
    batch = _last_decision(article, _user(actor))
    if not batch:
        raise InvalidDecision("You have no decision on this article to undo.")
    now = timezone.now()
    if batch[0].status == REJECTED:
        undone = [_undo_rejection(article, current, s, actor, now) for s in batch]
        if len(undone) == 1:
            return undone[0]
        return Outcome(article=article, revision=current, suggestions=[s for u in undone for s in u.suggestions],
                       message=f"undid rejection of {len(undone)} identical suggestions")
    result = batch[0].result_revision
    assert result is not None  # an acceptance always has its result revision
    reverted = revert_spans(batch, result, current)
    if isinstance(reverted, Suggestion):
        raise InvalidDecision(
            f"The text of #{reverted.pk} was edited after it was accepted; undo cannot put it back safely. "
            "Use the history to revert instead."
        )
    reason = f"undid acceptance of #{', #'.join(str(s.pk) for s in batch)}"
    return reapply_reverted(article, current, batch, reverted, actor, reason, now)


@transaction.atomic
def undo_acceptance(*, article_id: int, suggestion_ids: Sequence[int], actor: Actor, reason: str) -> Outcome:
    """Undo suggestions accepted together (into one revision), on the article's current text: a
    new revision puts their originals back, and they are pending again on it.

    For decisions made elsewhere than the current view (a bulk decision), so it takes no seen
    revision; it changes only the accepted spans, and refuses (InvalidDecision) when one of them
    is no longer accepted or its text was edited since.
    """
    article = Article.objects.select_for_update(of=("self",)).get(pk=article_id)
    current = Revision.objects.select_for_update().get(article_id=article.pk, number=article.revision_number)
    batch = list(Suggestion.objects.select_for_update(of=("self",)).select_related("result_revision")
                 .filter(pk__in=suggestion_ids, revision__article_id=article.pk).order_by("start", "end", "id"))
    if not batch or len(batch) != len(set(suggestion_ids)):
        raise InvalidDecision("Its suggestions are gone (removed by retention); nothing to undo.")
    for s in batch:
        if s.status != ACCEPTED:
            why = f" ({s.status_note})" if s.status_note else ""
            raise InvalidDecision(f"Suggestion #{s.pk} is {s.status} now{why}; nothing was changed.")
    result = batch[0].result_revision
    if result is None or any(s.result_revision_id != result.pk for s in batch):
        raise InvalidDecision("Its suggestions were not accepted together; undo them one by one.")
    reverted = revert_spans(batch, result, current)
    if isinstance(reverted, Suggestion):
        raise InvalidDecision(
            f"The text of #{reverted.pk} was edited after it was accepted (revision {current.number} is "
            "current); nothing was changed."
        )
    return reapply_reverted(article, current, batch, reverted, actor, reason, timezone.now())


def revert_spans(batch: Sequence[Suggestion], result: Revision, current: Revision) -> list[Suggestion] | Suggestion:
    """Edits on ``current`` that put back the originals of ``batch`` (accepted together into
    ``result``), one per suggestion in the batch's order; or the first suggestion whose applied
    text was touched since, when one was. Touched includes its edges: a letter added right after
    "Zelensky" makes another word, which the original must not be put back into."""
    applied = _applied_spans(batch, result)
    spans = []
    for s in batch:
        start, end, used = applied[s.pk]
        after, now_text = field_text(result, s.field), field_text(current, s.field)
        at = start if result.pk == current.pk else _map_span(after, now_text, start, end)
        if at is None or now_text[at : at + (end - start)] != used:
            return s
        edges = (after[start - 1 : start], after[end : end + 1])
        if edges != (now_text[at - 1 : at] if at else "", now_text[at + end - start : at + end - start + 1]):
            return s
        spans.append(Suggestion(id=s.pk or 0, field=s.field, start=at, end=at + (end - start), original=used,
                                replacement=s.original))
    return spans


def reapply_reverted(article: Article, current: Revision, batch: Sequence[Suggestion], spans: list[Suggestion],
                     actor: Actor, reason: str, now: datetime) -> Outcome:
    """Make the revision that applies ``spans`` (from revert_spans) to ``current`` and reopen each
    suggestion of ``batch`` as pending on it. Caller holds the article's lock."""
    body, title = in_field(spans, BODY), in_field(spans, TITLE)
    new = create_revision(article=article, base=current, text=apply_to_text(current.text, body),
                          changes=changes_from_suggestions(body), actor=actor, reason=reason,
                          title=apply_to_text(current.title, title), title_changes=changes_from_suggestions(title))
    starts = {}
    for edits in (body, title):
        for span, change in zip(sorted(edits, key=lambda e: (e.start, e.end)), changes_from_suggestions(edits),
                                strict=True):
            starts[span.pk] = change.new_start
    restored = [_reopen(s, new, starts[s.pk], now, actor, article, current) for s in batch]
    return Outcome(article=article, revision=new, message=reason, suggestions=restored, created_revision=True)


def _undo_rejection(article: Article, current: Revision, s: Suggestion, actor: Actor, now: datetime) -> Outcome:
    if s.revision_id == current.pk:
        s.status, s.decided_at, s.decided_by, s.status_note = PENDING, None, None, ""
        s.save(update_fields=["status", "decided_at", "decided_by", "status_note"])
        learning.forget(s)
        record_event(action="suggestion.undone", actor=actor, obj=s, article_id=article.pk,
                     revision_number=current.number, detail={"was": "rejected"})
        return Outcome(article=article, revision=current, suggestions=[s],
                       message=f"undid rejection of #{s.pk}" + resettled(current))
    old_text = field_text(Revision.objects.get(pk=s.revision_id), s.field)
    now_text = field_text(current, s.field)
    at = _map_span(old_text, now_text, s.start, s.end)
    if at is None or now_text[at : at + len(s.original)] != s.original:
        raise InvalidDecision(f"The text of #{s.pk} has changed since it was rejected; nothing to undo.")
    reopened = _reopen(s, current, at, now, actor, article, current)
    return Outcome(article=article, revision=current, suggestions=[reopened], message=f"undid rejection of #{s.pk}")


def _reopen(s: Suggestion, revision: Revision, start: int, now: datetime, actor: Actor, article: Article,
            seen: Revision) -> Suggestion:
    """A pending copy of ``s`` on ``revision`` at ``start``; ``s`` itself is closed as undone."""
    was = s.status
    copy, _ = Suggestion.objects.get_or_create(
        revision=revision, pass_name=s.pass_name, field=s.field, start=start, end=start + len(s.original),
        replacement=s.replacement,
        defaults={"pass_run": s.pass_run, "kind": s.kind, "original": s.original, "confidence": s.confidence,
                  "explanation": s.explanation, "evidence": s.evidence, "rule": s.rule, "carried_from": s},
    )
    if copy.status != PENDING:
        copy.status, copy.decided_at, copy.decided_by, copy.status_note = PENDING, None, None, ""
        copy.save(update_fields=["status", "decided_at", "decided_by", "status_note"])
    s.status = STALE
    s.status_note = f"decision undone; pending again as #{copy.pk} on revision {revision.number}"
    s.save(update_fields=["status", "status_note"])
    learning.forget(s)
    record_event(action="suggestion.undone", actor=actor, obj=s, article_id=article.pk,
                 revision_number=seen.number, detail={"was": was, "reopened_as": copy.pk,
                                                      "revision": revision.number})
    return copy


# --- manual edits and reverts ---------------------------------------------------------------------


@transaction.atomic
def edit_text(
    *, article_id: int, seen_revision: int, actor: Actor, text: str, reason: str = "", title: str | None = None,
) -> Outcome:
    """Save the editor's own text (and title, when given) as a new revision, carrying untouched
    pending suggestions over.

    Raises StaleRevision (carrying ``text`` so that the edit is not lost) when someone changed
    the article meanwhile, InvalidDecision when nothing changed or the text or title is empty.
    """
    article, current = _lock_article(article_id, seen_revision, proposed_text=text)
    if not text.strip():
        raise InvalidDecision("The text may not be empty.")
    if title is not None and not title.strip():
        raise InvalidDecision("The title may not be empty.")
    if text == current.text and title in (None, current.title):
        raise InvalidDecision("The text is unchanged.")
    why = reason.strip() or "manual edit"
    new = create_revision(article=article, base=current, text=text, changes=changes_between(current.text, text),
                          actor=actor, reason=why, title=title)
    return Outcome(article=article, revision=new, message=f"saved revision {new.number} ({why})",
                   created_revision=True)


@transaction.atomic
def revert_to_revision(*, article_id: int, seen_revision: int, actor: Actor, number: int) -> Outcome:
    """Make the text of revision ``number`` current again, as a new revision (history is kept)."""
    article, current = _lock_article(article_id, seen_revision)
    target = Revision.objects.filter(article_id=article.pk, number=number).first()
    if target is None:
        raise InvalidDecision(f"There is no revision {number}.")
    if target.text == current.text and target.title == current.title:
        raise InvalidDecision(f"The current text is already that of revision {number}.")
    reason = f"reverted to revision {number}"
    new = create_revision(article=article, base=current, text=target.text,
                          changes=changes_between(current.text, target.text), actor=actor, reason=reason,
                          title=target.title)
    return Outcome(article=article, revision=new, message=reason, created_revision=True)


# --- "always correct X to Y" ------------------------------------------------------------------------


@transaction.atomic
def always_correct(*, suggestion_id: int, seen_revision: int, actor: Actor) -> Outcome:
    """Teach the desk to propose this suggestion's change everywhere: a misspelling alias when the
    replacement is a gazetteer name, else a house-style rule. The suggestion itself stays pending.

    Raises StaleRevision, AlreadyDecided, or InvalidDecision when the pair cannot be a rule.
    """
    article, revision, s = _lock_suggestion(suggestion_id, seen_revision)
    try:
        learned = learning.add_rule_from_suggestion(s, actor)
    except learning.CannotLearn as ex:
        raise InvalidDecision(str(ex)) from None
    what = "alias" if isinstance(learned, Alias) else "house-style rule"
    record_event(action="suggestion.always", actor=actor, obj=s, article_id=article.pk,
                 revision_number=revision.number, detail={"learned": what, "id": learned.pk})
    return Outcome(article=article, revision=revision, suggestions=[s], learned=[learned],
                   message=f"always correct {_quote(s.original)} → {_quote(s.replacement)} (new {what})")

