"""Coverage of 法律明白人 per village: helpers, 骨干, households per 骨干, targets met."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Count

from models.core import Role, Village


@dataclass(frozen=True)
class VillageCoverage:
    """One village's figures against the targets."""

    village: str
    households: int
    helpers: int
    core: int
    ratio: int
    floor: int

    @property
    def households_per_core(self) -> float | None:
        """Households per 骨干 (None without any 骨干)."""
        return round(self.households / self.core, 1) if self.core else None

    @property
    def core_needed(self) -> int:
        """骨干 needed for one per `ratio` households."""
        return math.ceil(self.households / self.ratio) if self.households else 0

    @property
    def meets_ratio(self) -> bool:
        """At least one 骨干 per `ratio` households."""
        return self.core >= self.core_needed

    @property
    def meets_floor(self) -> bool:
        """At least `floor` helpers in the village."""
        return self.helpers >= self.floor

    @property
    def ok(self) -> bool:
        """Both targets met."""
        return self.meets_ratio and self.meets_floor


async def village_coverage(town_id: int, ratio: int, floor: int) -> list[VillageCoverage]:
    """Per-village figures of a town, counted in SQL (active helpers only)."""
    helper = Q(users__role=Role.HELPER.value, users__active=True)
    rows = (
        await Village.filter(town_id=town_id)
        .annotate(
            helpers=Count("users", _filter=helper, distinct=True),
            core=Count("users", _filter=helper & Q(users__is_core=True), distinct=True),
        )
        .order_by("name")
        .values("name", "households", "helpers", "core")
    )
    return [
        VillageCoverage(r["name"], r["households"], r["helpers"], r["core"], ratio, floor) for r in rows
    ]


def totals(rows: list[VillageCoverage]) -> dict[str, int]:
    """Town totals: villages, households, helpers, 骨干, villages below target."""
    return {
        "villages": len(rows),
        "households": sum(r.households for r in rows),
        "helpers": sum(r.helpers for r in rows),
        "core": sum(r.core for r in rows),
        "below_target": sum(1 for r in rows if not r.ok),
    }
