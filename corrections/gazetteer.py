"""The gazetteer and house-style rules in PostgreSQL: starter data, and learning from editors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from corrections import starter_data
from corrections.models import Alias, Entity, StyleRule

Progress = Callable[[Iterable[Any], int], Iterable[Any]]


def _no_progress(items: Iterable[Any], total: int) -> Iterable[Any]:
    return items


@transaction.atomic
def load_starter_gazetteer(progress: Progress = _no_progress) -> tuple[int, int]:
    """Insert the starter entities and aliases that are not there yet. Returns (entities, aliases) added.

    Existing rows, including editors' changes to them, are left alone.
    """
    snapshot = starter_data.load_gazetteer()
    existing = {(name.casefold(), etype): pk for pk, name, etype in Entity.objects.values_list("id", "name", "type")}
    new_entities = []
    for e in snapshot.entities:
        if (e.name.casefold(), e.type) not in existing:
            new_entities.append(Entity(name=e.name, type=e.type, description=e.description[:300],
                                       wikidata_id=e.wikidata_id, origin="seed"))
    created = Entity.objects.bulk_create(progress(new_entities, len(new_entities)), batch_size=2000)
    for entity in created:
        existing[(entity.name.casefold(), entity.type)] = entity.pk
    aliases = [
        Alias(entity_id=existing[(e.name.casefold(), e.type)], surface=a.surface, kind=a.kind, origin=Alias.Origin.SEED)
        for e in snapshot.entities
        for a in e.aliases
    ]
    before = Alias.objects.count()
    Alias.objects.bulk_create(aliases, batch_size=2000, ignore_conflicts=True)
    return len(created), Alias.objects.count() - before


@transaction.atomic
def load_starter_style_rules() -> int:
    added = 0
    for rule in starter_data.load_style_rules():
        _, created = StyleRule.objects.get_or_create(
            pattern=rule.pattern,
            defaults={
                "replacement": rule.replacement, "is_whole_word": rule.is_whole_word,
                "is_case_sensitive": rule.is_case_sensitive, "exceptions": list(rule.exceptions),
                "explanation": rule.explanation,
            },
        )
        added += created
    return added
