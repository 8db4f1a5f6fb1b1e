"""Deciding a group of identical suggestions at once: "'Kiev' → 'Kyiv', 412 places".

Identical means the same pass, kind, original and replacement, pending on the article's current
revision (corrections.review_paging groups them on the review page). A group is decided through
any one of its members. Every occurrence stays its own row and gets its own decision and audit
row; accepting the group makes one new revision, like accepting all of one kind. The locks are
taken as corrections.review takes them (article → current revision → suggestions).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from articles.audit import Actor, record_event
from corrections import learning, review
from corrections.budget import NOTICE_KIND
from corrections.models import Suggestion
from corrections.revisions import edits_clash


def group_members(representative: Suggestion) -> QuerySet[Suggestion]:
    """The pending suggestions identical to ``representative`` on its revision, in text order."""
    return Suggestion.objects.filter(
        revision_id=representative.revision_id, status=Suggestion.Status.PENDING,
        pass_name=representative.pass_name, kind=representative.kind, original=representative.original,
        replacement=representative.replacement,
    ).order_by("-field", "start", "end", "id")  # the title's first, as the page reads


def _describe(s: Suggestion, n: int) -> str:
    return f"{n} place{'s' if n != 1 else ''} of {review._quote(s.original)} → {review._quote(s.replacement)} ({s.kind})"


@transaction.atomic
def accept_group(*, suggestion_id: int, seen_revision: int, actor: Actor) -> review.Outcome:
    """Accept every pending suggestion identical to ``suggestion_id`` as one new revision.

    Raises like review.accept_suggestion (StaleRevision, AlreadyDecided, Suggestion.DoesNotExist),
    and InvalidDecision for a notice. Occurrences that overlap an earlier one stay pending.
    """
    article, revision, representative = review._lock_suggestion(suggestion_id, seen_revision)
    if representative.kind == NOTICE_KIND:
        raise review.InvalidDecision("A notice changes nothing in the text: reject it to dismiss it once read.")
    chosen: list[Suggestion] = []
    for s in group_members(representative).select_for_update():
        if not chosen or not edits_clash(s, chosen[-1]):
            chosen.append(s)
    reason = f"accepted {_describe(representative, len(chosen))}"
    return review._apply(article, revision, chosen, actor, reason)


@transaction.atomic
def reject_group(*, suggestion_id: int, seen_revision: int, actor: Actor) -> review.Outcome:
    """Reject every pending suggestion identical to ``suggestion_id``; the text does not change.

    Raises like review.reject_suggestion. The pair is suppressed once, as one rejection would.
    All occurrences carry the same decision time, so undo reopens them together.
    """
    article, revision, representative = review._lock_suggestion(suggestion_id, seen_revision)
    members = list(group_members(representative).select_for_update())
    now = timezone.now()
    user = review._user(actor)
    note = f"rejected with {len(members) - 1} identical suggestion{'s' if len(members) != 2 else ''}"
    for s in members:
        s.status, s.decided_at, s.decided_by, s.status_note = review.REJECTED, now, user, note
        s.save(update_fields=["status", "decided_at", "decided_by", "status_note"])
        record_event(action="suggestion.rejected", actor=actor, obj=s, article_id=article.pk,
                     revision_number=revision.number,
                     detail={"kind": s.kind, "pass": s.pass_name, "note": note, "group": len(members)})
    suppression = learning.learn_from_reject(representative, actor)
    return review.Outcome(article=article, revision=revision, suggestions=members,
                          message=f"rejected {_describe(representative, len(members))}" + review.resettled(revision),
                          learned=[suppression] if suppression is not None else [])
