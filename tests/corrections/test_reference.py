"""Workers notice gazetteer and house-style changes through the reference version."""

from __future__ import annotations

import pytest

from corrections.models import Alias, Entity, StyleRule
from corrections.reference import current_version, get_reference_snapshot

pytestmark = pytest.mark.django_db


def test_any_gazetteer_or_style_change_moves_the_version_and_the_snapshot_follows() -> None:
    entity = Entity.objects.create(name="Jacinda Ardern", type="person", description="Prime Minister of New Zealand")
    first = get_reference_snapshot()
    assert first.version == current_version()
    assert any(e.name == "Jacinda Ardern" for e in first.gazetteer.entities)

    Alias.objects.create(entity=entity, surface="Jacinda Arden", kind="misspelling")
    second = get_reference_snapshot()
    assert second.version > first.version
    [known] = [e for e in second.gazetteer.entities if e.name == "Jacinda Ardern"]
    assert [(a.surface, a.kind) for a in known.aliases] == [("Jacinda Arden", "misspelling")]

    StyleRule.objects.filter(pattern="Kiev").delete()
    StyleRule.objects.create(pattern="Bombay", replacement="Mumbai")
    third = get_reference_snapshot()
    assert third.version > second.version
    assert [(r.pattern, r.replacement) for r in third.style_rules] == [("Bombay", "Mumbai")]


def test_an_unchanged_version_reuses_the_snapshot() -> None:
    Entity.objects.create(name="Lagos", type="place")
    assert get_reference_snapshot() is get_reference_snapshot()


def test_bulk_updates_move_the_version_too() -> None:
    Entity.objects.create(name="Nairobi", type="place")
    before = current_version()
    Entity.objects.filter(name="Nairobi").update(is_enabled=False)
    assert current_version() > before
    assert not any(e.name == "Nairobi" for e in get_reference_snapshot().gazetteer.entities)
