"""Snapshots of the reference data passes consult: gazetteer, house style, suppressions.

A worker keeps one snapshot and rebuilds it only when ReferenceVersion moves (statement triggers
bump it on every change), so the cost of reading the gazetteer is paid once per version.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from corrections.models import Alias, Entity, ReferenceVersion, StyleRule, Suppression
from corrections.passes import base


@dataclass(frozen=True, slots=True)
class ReferenceSnapshot:
    version: int
    gazetteer: base.GazetteerSnapshot
    style_rules: tuple[base.StyleRule, ...]
    suppressed: frozenset[tuple[str, str]]


_lock = threading.Lock()
_cached: ReferenceSnapshot | None = None


def current_version() -> int:
    row = ReferenceVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def get_reference_snapshot() -> ReferenceSnapshot:
    """The snapshot for the current reference version, built at most once per version."""
    global _cached
    version = current_version()
    cached = _cached
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        if _cached is None or _cached.version != version:
            _cached = build_snapshot(version)
        return _cached


def build_snapshot(version: int) -> ReferenceSnapshot:
    aliases: dict[int, list[base.Alias]] = defaultdict(list)
    for entity_id, surface, kind, enabled in Alias.objects.filter(entity__is_enabled=True).values_list(
        "entity_id", "surface", "kind", "is_enabled"
    ).iterator(chunk_size=5000):
        aliases[entity_id].append(base.Alias(surface=surface, kind=cast(base.AliasKind, kind), is_enabled=enabled))
    entities = tuple(
        base.Entity(
            id=pk, name=name, type=cast(base.EntityType, etype), description=description, wikidata_id=wikidata_id,
            aliases=tuple(aliases.get(pk, ())),
        )
        for pk, name, etype, description, wikidata_id in Entity.objects.filter(is_enabled=True)
        .order_by("id")
        .values_list("id", "name", "type", "description", "wikidata_id")
        .iterator(chunk_size=5000)
    )
    rules = tuple(
        base.StyleRule(
            id=r.pk, pattern=r.pattern, replacement=r.replacement, is_whole_word=r.is_whole_word,
            is_case_sensitive=r.is_case_sensitive, exceptions=tuple(r.exceptions), explanation=r.explanation,
        )
        for r in StyleRule.objects.filter(is_enabled=True).order_by("id")
    )
    suppressed = frozenset(
        Suppression.objects.filter(is_enabled=True).values_list("original", "replacement")
    )
    return ReferenceSnapshot(
        version=version,
        gazetteer=base.GazetteerSnapshot(version=version, entities=entities),
        style_rules=rules,
        suppressed=suppressed,
    )
