"""New revisions from applied suggestions or manual edits, and carrying pending suggestions over.

A revision holds two texts a suggestion may address (``Suggestion.field``): the body
(``Revision.text``) and the title. A pending suggestion survives into the next revision only when
the text it covers is untouched; it is then re-anchored at its shifted offsets in the same field
(and checked). Otherwise it becomes ``stale``: never applied at shifted offsets.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from articles.audit import Actor, SystemActor, record_event, sha256_text
from articles.models import ApiClient, Article, Revision
from corrections.models import Suggestion
from corrections.passes.base import apply_suggestions, spans_clash


@dataclass(frozen=True, slots=True)
class Change:
    """``old[old_start:old_end]`` became ``new[new_start:new_end]``."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


BODY = Suggestion.Field.BODY
TITLE = Suggestion.Field.TITLE


def field_text(revision: Revision, field: str) -> str:
    """The text a suggestion of ``field`` is anchored to."""
    return revision.title if field == TITLE else revision.text


def in_field(suggestions: Iterable[Suggestion], field: str) -> list[Suggestion]:
    return [s for s in suggestions if s.field == field]


def edits_clash(a: Suggestion, b: Suggestion) -> bool:
    """Two suggestions clash when they address the same field and their spans clash."""
    return a.field == b.field and spans_clash(a.start, a.end, b.start, b.end)


def changes_from_suggestions(suggestions: Sequence[Suggestion]) -> list[Change]:
    changes = []
    delta = 0
    for s in sorted(suggestions, key=lambda s: (s.start, s.end)):
        changes.append(Change(s.start, s.end, s.start + delta, s.start + delta + len(s.replacement)))
        delta += len(s.replacement) - (s.end - s.start)
    return changes


def apply_to_text(text: str, suggestions: Sequence[Suggestion]) -> str:
    """Apply non-overlapping suggestions. Raises ValueError if they overlap or no longer match."""
    return apply_suggestions(text, suggestions)


def changes_between(old: str, new: str) -> list[Change]:
    """The regions that differ between two texts: lines first, then characters inside them."""
    changes: list[Change] = []
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_offsets = _line_offsets(old_lines)
    new_offsets = _line_offsets(new_lines)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        o1, o2 = old_offsets[i1], old_offsets[i2]
        n1, n2 = new_offsets[j1], new_offsets[j2]
        a, b = old[o1:o2], new[n1:n2]
        if tag == "replace" and len(a) + len(b) <= 20_000:
            inner = difflib.SequenceMatcher(None, a, b, autojunk=False)
            for t2, k1, k2, m1, m2 in inner.get_opcodes():
                if t2 != "equal":
                    changes.append(Change(o1 + k1, o1 + k2, n1 + m1, n1 + m2))
        else:
            changes.append(Change(o1, o2, n1, n2))
    return changes


def _line_offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def _shift(pos: int, changes: Iterable[Change]) -> int:
    """Where an untouched position moves to; ``changes`` sorted by old offset. (An insertion
    exactly at ``pos`` lands before it.)"""
    delta = 0
    for c in changes:
        if c.old_end > pos:
            break
        delta = c.new_end - c.old_end  # the total shift after this change
    return pos + delta


def carry_over(
    old: Revision, new: Revision, changes: list[Change], exclude: Iterable[int] = (),
    title_changes: list[Change] | None = None,
) -> tuple[int, int]:
    """Re-anchor the pending suggestions of ``old`` onto ``new``; returns (carried, stale).

    ``changes`` are the body's, ``title_changes`` the title's (none when omitted). Caller holds a
    lock on the article. Suggestions in ``exclude`` are left alone.
    """
    by_field: dict[str, list[Change]] = {
        BODY: sorted(changes, key=lambda c: (c.old_start, c.old_end)),
        TITLE: sorted(title_changes or [], key=lambda c: (c.old_start, c.old_end)),
    }
    excluded = set(exclude)
    carried_rows: list[Suggestion] = []
    carried_ids: list[int] = []
    stale_ids: list[int] = []
    for s in old.suggestions.filter(status=Suggestion.Status.PENDING).order_by("field", "start", "end", "id"):
        if s.pk in excluded:
            continue
        field_changes = by_field.get(s.field, [])
        if any(spans_clash(s.start, s.end, c.old_start, c.old_end) for c in field_changes):
            stale_ids.append(s.pk)
            continue
        start = _shift(s.start, field_changes)
        end = start + (s.end - s.start)
        if field_text(new, s.field)[start:end] != s.original:
            stale_ids.append(s.pk)
            continue
        carried_rows.append(
            Suggestion(
                revision=new, pass_run_id=s.pass_run_id, pass_name=s.pass_name, kind=s.kind, field=s.field, start=start,
                end=end, original=s.original, replacement=s.replacement, confidence=s.confidence,
                explanation=s.explanation, evidence=s.evidence, rule=s.rule, carried_from=s,
            )
        )
        carried_ids.append(s.pk)
    Suggestion.objects.bulk_create(carried_rows, ignore_conflicts=True)
    now = timezone.now()
    Suggestion.objects.filter(pk__in=carried_ids).update(
        status=Suggestion.Status.STALE, status_note=f"carried over to revision {new.number}", decided_at=now
    )
    Suggestion.objects.filter(pk__in=stale_ids).update(
        status=Suggestion.Status.STALE,
        status_note=f"its text changed in revision {new.number}",
        decided_at=now,
    )
    return len(carried_ids), len(stale_ids)


def mark_pending_stale(revision: Revision, note: str) -> int:
    return Suggestion.objects.filter(revision=revision, status=Suggestion.Status.PENDING).update(
        status=Suggestion.Status.STALE, status_note=note, decided_at=timezone.now()
    )


def _creator_fields(actor: Actor) -> dict[str, object]:
    if isinstance(actor, ApiClient):
        return {"created_by_client": actor, "created_by_user": actor.user}
    if isinstance(actor, SystemActor):
        return {"created_by_system": actor.label}
    if actor is not None and actor.is_authenticated:
        return {"created_by_user": actor}
    raise ValueError("a revision needs an authenticated actor")


@transaction.atomic
def create_revision(
    *,
    article: Article,
    base: Revision,
    text: str,
    changes: list[Change],
    actor: Actor,
    reason: str,
    exclude_from_carry: Iterable[int] = (),
    title: str | None = None,
    title_changes: list[Change] | None = None,
) -> Revision:
    """Add revision ``base.number + 1`` with ``text`` and ``title`` (``base``'s title when None)
    and carry pending suggestions over; the article's title follows the new revision's.

    ``changes`` say where the body changed, ``title_changes`` where the title did (computed when
    omitted). Caller holds a lock on the article row and has checked that ``base`` is its current
    revision.
    """
    if title is None:
        title, title_changes = base.title, []
    elif title_changes is None:
        title_changes = changes_between(base.title, title)
    revision = Revision.objects.create(
        article=article,
        number=base.number + 1,
        title=title,
        text=text,
        text_sha256=sha256_text(text),
        reason=reason,
        **_creator_fields(actor),
    )
    carry_over(base, revision, changes, exclude=exclude_from_carry, title_changes=title_changes)
    article.revision_number = revision.number
    article.title = title
    article.save(update_fields=["revision_number", "title", "updated_at"])
    detail: dict[str, object] = {"reason": reason}
    if title != base.title:
        detail.update(title_before_sha256=sha256_text(base.title), title_after_sha256=sha256_text(title))
    record_event(action="revision.created", actor=actor, obj=revision, article_id=article.pk,
                 revision_number=revision.number, before=base.text, after=text, detail=detail)
    return revision
