"""Settle a revision's contradicting suggestions (see corrections.passes.contradictions) in the
database: the moot ones are set aside as stale with a note, and come back when what made them moot
is gone (withdrawn by a refresh of the story's evidence, or rejected by an editor)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from articles.audit import SystemActor, record_event
from articles.models import Article, Revision
from corrections.budget import NOTICE_KIND
from corrections.models import Suggestion
from corrections.pass_config import pass_modules
from corrections.passes.contradictions import Proposal, resolve
from corrections.revisions import field_text

SET_ASIDE = "set aside:"  # how a set-aside suggestion's note begins
_ACTOR = SystemActor("contradictions")


def settle_conflicts(revision: Revision) -> int:
    """Set aside the pending suggestions of ``revision`` that contradict stronger ones, and bring
    back the set-aside ones that no longer do: after the passes ran, after a refresh from the
    story's copies, and after an editor's rejection (corrections.review) or its undo. Of the
    configured passes the earlier wins a tie. Returns how many suggestions changed status; records
    one audit row when any did. Locks the article, then the suggestions."""
    rank = {module.NAME: k for k, module in enumerate(pass_modules())}
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=revision.article_id).first()
        rows = _candidates(revision)
        if not rows:
            return 0
        # The title's suggestions and the body's point into two texts: each is settled on its own.
        notes: dict[int, str] = {}
        for field in (Suggestion.Field.BODY, Suggestion.Field.TITLE):
            indexes = [k for k, s in enumerate(rows) if s.field == field]
            proposals = [
                Proposal(rows[k].pass_name, rank.get(rows[k].pass_name, len(rank)), rows[k].kind, rows[k].start,
                         rows[k].end, rows[k].original, rows[k].replacement, rows[k].confidence)
                for k in indexes
            ]
            for aside in resolve(field_text(revision, field), proposals) if proposals else []:
                notes[indexes[aside.index]] = aside.note
        now = timezone.now()
        changed: list[tuple[Suggestion, str]] = []
        for k, row in enumerate(rows):
            note = notes.get(k)
            if note is not None and row.status == Suggestion.Status.PENDING:
                row.status, row.status_note, row.decided_at = Suggestion.Status.STALE, note, now
                changed.append((row, "set aside"))
            elif note is not None and row.status_note != note:
                row.status_note = note
                row.save(update_fields=["status_note"])
            elif note is None and row.status == Suggestion.Status.STALE:
                row.status, row.status_note, row.decided_at = Suggestion.Status.PENDING, "", None
                changed.append((row, "restored"))
        for row, _ in changed:
            row.save(update_fields=["status", "status_note", "decided_at"])
        if changed:
            record_event(action="suggestions.settled", actor=_ACTOR, obj=revision, article_id=revision.article_id,
                         revision_number=revision.number,
                         detail={"set_aside": [r.pk for r, how in changed if how == "set aside"],
                                 "restored": [r.pk for r, how in changed if how == "restored"]})
        return len(changed)


def _candidates(revision: Revision) -> list[Suggestion]:
    # A notice (corrections.budget) proposes no change: nothing can contradict it, and it must stay.
    pending = Suggestion.objects.filter(revision=revision, status=Suggestion.Status.PENDING).exclude(kind=NOTICE_KIND)
    aside = Suggestion.objects.filter(revision=revision, status=Suggestion.Status.STALE,
                                      status_note__startswith=SET_ASIDE)
    return list((pending | aside).select_for_update().order_by("start", "end", "id"))
