"""Pass quality: what editors did with each pass's, rule's or source's suggestions.

Counted over the suggestions editors decided in the last 7 and 30 days: accepted as proposed,
edited (accepted with the editor's own replacement: ``applied_replacement`` differs from the
pass's ``replacement``) and rejected. Auto-applied, stale and pending suggestions are no editor's
verdict and do not count. Rows are sorted so that a noisy rule comes first: by the lower bound
of the 95 % Wilson interval of its 30-day rejection rate, which is high only for a high rate
over enough decisions (one rejection out of one is no evidence; 40 out of 50 is).

One query reads only the rows decided in the window, through the partial index on ``decided_at``
of decided suggestions (corrections migration 0009), however large the table grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from corrections.passes.base import pattern_key
from corrections.starter_data import load_boilerplate_patterns

Grouping = Literal["rule", "pass", "source"]
GROUPINGS: tuple[Grouping, ...] = ("rule", "pass", "source")
_Z = 1.96  # 95 %

# The SQL of each grouping: the columns that name a row, and the join that the source needs.
_GROUP_SQL: dict[Grouping, tuple[str, str]] = {
    "rule": ("s.pass_name, s.rule, s.kind", ""),
    "pass": ("s.pass_name, '' AS rule, '' AS kind", ""),
    "source": (
        "s.pass_name, src.slug, '' AS kind",
        "JOIN articles_revision r ON r.id = s.revision_id JOIN articles_article a ON a.id = r.article_id "
        "JOIN articles_source src ON src.id = a.source_id",
    ),
}
_EDITED = "s.status = 'accepted' AND s.applied_replacement <> s.replacement AND s.applied_replacement <> ''"
_AS_PROPOSED = f"s.status = 'accepted' AND NOT ({_EDITED})"
_REJECTED = "s.status = 'rejected'"


@dataclass(frozen=True, slots=True)
class Tally:
    accepted: int
    edited: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.accepted + self.edited + self.rejected

    @property
    def rejection_rate(self) -> float | None:
        return self.rejected / self.decided if self.decided else None


@dataclass(frozen=True, slots=True)
class QualityRow:
    pass_name: str
    key: str  # the rule key or the source's slug; "" for a whole pass or no single rule
    kind: str
    week: Tally
    month: Tally
    label: str  # what the key names, for people
    url: str  # where the rule is edited, or ""

    @property
    def tallies(self) -> tuple[Tally, Tally]:
        return (self.week, self.month)

    @property
    def noise(self) -> float:
        """Lower bound of the Wilson interval of the 30-day rejection rate."""
        return wilson_lower_bound(self.month.rejected, self.month.decided)


def wilson_lower_bound(successes: int, n: int) -> float:
    if n == 0:
        return 0.0
    p = successes / n
    centre = p + _Z * _Z / (2 * n)
    margin = _Z * math.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n))
    return (centre - margin) / (1 + _Z * _Z / n)


def quality_sql(grouping: Grouping) -> str:
    names, join = _GROUP_SQL[grouping]
    counts = ", ".join(
        f"count(*) FILTER (WHERE {condition}{' AND s.decided_at >= %(week)s' if week else ''})"
        for week in (True, False) for condition in (_AS_PROPOSED, _EDITED, _REJECTED)
    )
    return (
        f"SELECT {names}, {counts} FROM corrections_suggestion s {join} "  # noqa: S608 - constants only
        "WHERE s.status IN ('accepted', 'rejected') AND s.decided_at >= %(month)s "
        "GROUP BY 1, 2, 3"
    )


def pass_quality(grouping: Grouping = "rule", now: datetime | None = None, limit: int = 50) -> list[QualityRow]:
    """Per pass and rule (or pass alone, or pass and source): decisions over 7 and 30 days,
    noisiest first."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(quality_sql(grouping), {"week": now - timedelta(days=7), "month": now - timedelta(days=30)})
        fetched = cursor.fetchall()
    names = RuleNames(grouping, [row[1] for row in fetched])
    rows = [
        QualityRow(pass_name=p, key=key, kind=kind, week=Tally(a7, e7, r7), month=Tally(a30, e30, r30),
                   label=names.label(key, kind), url=names.url(key))
        for p, key, kind, a7, e7, r7, a30, e30, r30 in fetched
    ]
    rows.sort(key=lambda r: (-r.noise, -r.month.rejected, -r.month.decided, r.pass_name, r.key))
    return rows[:limit]


class RuleNames:
    """What each rule key names (a style rule's pattern, an entity's name, a starter pattern) and
    the desk page where it is edited."""

    _CHROME = {"chrome:source": "a line recurring at the edge of this source's articles",
               "chrome:shared": "a line recurring across other stories and outlets",
               "chrome:block": "a short line among recognised chrome"}

    def __init__(self, grouping: Grouping, keys: list[str]) -> None:
        from corrections.models import Entity, StyleRule

        self.grouping = grouping
        ids: dict[str, set[int]] = {"style": set(), "entity": set()}
        for key in keys if grouping == "rule" else ():
            kind, _, ident = key.partition(":")
            if kind in ids and ident.isdigit():
                ids[kind].add(int(ident))
        self.styles = {r.pk: f"{r.pattern} → {r.replacement}" for r in StyleRule.objects.filter(pk__in=ids["style"])}
        self.entities = dict(Entity.objects.filter(pk__in=ids["entity"]).values_list("pk", "name"))
        self.patterns = {pattern_key(p): p for p in load_boilerplate_patterns()} if grouping == "rule" else {}

    def label(self, key: str, kind: str) -> str:
        if self.grouping == "source":
            return key
        if self.grouping == "pass":
            return "all its suggestions"
        what, _, ident = key.partition(":")
        if what == "style" and ident.isdigit():
            return f"style rule {self.styles.get(int(ident), f'#{ident} (deleted)')}"
        if what == "entity" and ident.isdigit():
            return f"gazetteer entity {self.entities.get(int(ident), f'#{ident} (deleted)')}"
        if what == "pattern":
            return f"boilerplate pattern {self.patterns.get(ident, ident)}"
        if key in self._CHROME:
            return self._CHROME[key]
        return f"{kind}: no single rule" if kind else "no single rule"

    def url(self, key: str) -> str:
        if self.grouping != "rule":
            return ""
        what, _, ident = key.partition(":")
        if what == "style" and ident.isdigit() and int(ident) in self.styles:
            return reverse("desk:style-rule", args=[int(ident)])
        if what == "entity" and ident.isdigit() and int(ident) in self.entities:
            return reverse("desk:entity", args=[int(ident)])
        return ""
