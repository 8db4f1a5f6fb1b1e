"""The desk learns from editors: accepted name corrections become misspelling aliases, rejected
pairs become suppressions, and editors curate the gazetteer and house style directly.

Every change here is attributed (``created_by``) and audited, and shows on the gazetteer pages
with who and when. Changes bump the reference version (database triggers), so workers rebuild
their snapshot before the next pass run.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import models

from articles.audit import Actor, record_event
from articles.models import ApiClient
from corrections.models import Alias, Entity, StyleRule, Suggestion, Suppression

# Kinds whose accepted correction names a gazetteer entity.
NAME_KINDS = frozenset({"entity"})
# Kinds for which a rejected "X → Y" is suppressed everywhere (the pipeline honours these).
SUPPRESSED_KINDS = frozenset({"entity", "spelling", "style"})
MAX_SURFACE = 200


class CannotLearn(ValueError):
    """The pair cannot become a rule (too long, spans lines, or one exists already)."""


def _user(actor: Actor) -> User | None:
    if isinstance(actor, ApiClient):
        return actor.user
    return actor if isinstance(actor, User) else None


def _learned_note(s: Suggestion) -> str:
    # The trailing space keeps "#12 " from matching suggestion #123 when forgetting.
    return f"learned from suggestion #{s.pk} (article {s.revision.article_id}) "


def entity_named(surface: str) -> Entity | None:
    """The enabled entity ``surface`` names: its name, a variant alias, or (when only one entity
    has it) the last word of its name, as in "Zelensky" for "Volodymyr Zelensky"."""
    entity = Entity.objects.filter(name=surface, is_enabled=True).order_by("id").first()
    if entity is not None:
        return entity
    by_alias = list(Entity.objects.filter(aliases__surface=surface, aliases__kind=Alias.Kind.VARIANT,
                                          aliases__is_enabled=True, is_enabled=True).distinct()[:2])
    if len(by_alias) == 1:
        return by_alias[0]
    if " " in surface.strip() or len(surface) < 3:
        return None
    by_surname = list(Entity.objects.filter(name__endswith=f" {surface}", is_enabled=True)[:2])
    return by_surname[0] if len(by_surname) == 1 else None


def _is_known_name(surface: str) -> bool:
    return Entity.objects.filter(name=surface).exists() or Alias.objects.filter(
        surface=surface, kind=Alias.Kind.VARIANT
    ).exists()


def learn_from_accept(s: Suggestion, replacement: str, actor: Actor) -> Alias | None:
    """After an accepted name correction, remember the misspelling as an alias of the entity.

    Only when the replacement is the name of an enabled entity and the original is not itself a
    known name (accepting "Georgia" → "George" once must not make every Georgia a misspelling).
    Returns the new alias, or None. Caller holds the article lock.
    """
    if s.kind not in NAME_KINDS or not s.original.strip() or len(s.original) > MAX_SURFACE:
        return None
    if "\n" in s.original or s.original == replacement:
        return None
    entity = entity_named(replacement)
    if entity is None or _is_known_name(s.original):
        return None
    if Alias.objects.filter(entity=entity, surface=s.original).exists():
        return None
    alias = Alias.objects.create(
        entity=entity, surface=s.original, kind=Alias.Kind.MISSPELLING, origin=Alias.Origin.LEARNED,
        created_by=_user(actor), note=_learned_note(s),
    )
    record_event(action="alias.learned", actor=actor, obj=alias, article_id=s.revision.article_id,
                 detail={"entity": entity.name, "surface": alias.surface, "suggestion": s.pk})
    return alias


def learn_from_reject(s: Suggestion, actor: Actor) -> Suppression | None:
    """After a rejected name, spelling or style suggestion, never propose the same pair again.

    Returns the new suppression, or None when the kind is not learned or the pair is known.
    """
    if s.kind not in SUPPRESSED_KINDS or len(s.original) > MAX_SURFACE or len(s.replacement) > MAX_SURFACE:
        return None
    suppression, created = Suppression.objects.get_or_create(
        original=s.original, replacement=s.replacement,
        defaults={"created_by": _user(actor), "suggestion": s},
    )
    if not created:
        return None
    record_event(action="suppression.created", actor=actor, obj=suppression, article_id=s.revision.article_id,
                 detail={"original": s.original, "replacement": s.replacement, "suggestion": s.pk})
    return suppression


def forget(s: Suggestion, actor: Actor = None) -> int:
    """Undo what deciding ``s`` taught the desk (its learned alias or suppression). Returns rows removed."""
    removed = 0
    for row in [*Suppression.objects.filter(suggestion=s),
                *Alias.objects.filter(origin=Alias.Origin.LEARNED, note=_learned_note(s))]:
        record_event(action=f"{row._meta.model_name}.forgotten", actor=actor, obj=row,
                     article_id=s.revision.article_id, detail={"suggestion": s.pk})
        row.delete()
        removed += 1
    return removed


def add_rule_from_suggestion(s: Suggestion, actor: Actor) -> Alias | StyleRule:
    """"Always correct X to Y": a misspelling alias when Y is a gazetteer name, else a style rule.

    Raises CannotLearn when the pair cannot be a rule or the rule exists already.
    """
    original, replacement = s.original.strip(), s.replacement.strip()
    if not original or not replacement or original == replacement:
        raise CannotLearn("Only a replacement of one word or phrase by another can become a rule.")
    if "\n" in original or len(original) > MAX_SURFACE or len(replacement) > MAX_SURFACE:
        raise CannotLearn("A rule covers a word or phrase on one line, at most 200 characters.")
    user = _user(actor)
    entity = entity_named(replacement)
    row: Alias | StyleRule
    if entity is not None:
        if Alias.objects.filter(entity=entity, surface=original).exists():
            raise CannotLearn(f"“{original}” is already an alias of {entity.name}.")
        row = Alias.objects.create(entity=entity, surface=original, kind=Alias.Kind.MISSPELLING,
                                   origin=Alias.Origin.EDITOR, created_by=user,
                                   note=f"always correct, from suggestion #{s.pk}")
    else:
        if StyleRule.objects.filter(pattern=original).exists():
            raise CannotLearn(f"A house-style rule for “{original}” exists already.")
        row = StyleRule.objects.create(pattern=original, replacement=replacement, created_by=user,
                                       explanation=f"House style: {replacement}, not {original}.")
    record_event(action=f"{row._meta.model_name}.created", actor=actor, obj=row,
                 article_id=s.revision.article_id,
                 detail={"original": original, "replacement": replacement, "suggestion": s.pk})
    return row


# --- editors curating the gazetteer and house style ---------------------------------------------


def save_reference(row: models.Model, actor: Actor, fields: list[str] | None = None) -> models.Model:
    """Save an editor's new or changed entity, alias, style rule or suppression, attributed and audited.

    ``row`` has passed its form's validation; a new row gets ``created_by`` when it has one.
    """
    is_new = row.pk is None
    if is_new and hasattr(row, "created_by_id") and row.created_by_id is None:
        row.created_by = _user(actor)  # type: ignore[attr-defined]
    if is_new or fields is None:
        row.save()
    else:
        row.save(update_fields=fields)
    action = f"{row._meta.model_name}.{'created' if is_new else 'changed'}"
    record_event(action=action, actor=actor, obj=row, detail={"label": str(row)[:200],
                                                             **({"fields": fields} if fields else {})})
    return row


def set_enabled(row: Entity | Alias | StyleRule | Suppression, is_enabled: bool, actor: Actor) -> models.Model:
    """Switch a reference row on or off (rows are kept, so the history stays readable)."""
    row.is_enabled = is_enabled
    return save_reference(row, actor, fields=["is_enabled"])
