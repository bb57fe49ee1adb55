"""Screening figures: the screenings of a period counted per town, for the report, the console and the CLI."""

from __future__ import annotations

import datetime as dt

from tortoise.functions import Count, Sum

from models.screening_tables import Screening, ScreeningLevel
from queries.figures import ScreeningFigures


async def figures_by_town(town_ids: list[int] | tuple[int, ...] | None, start: dt.date, before: dt.date,
                          village_id: int | None = None) -> dict[int, ScreeningFigures]:
    """The screenings dated from `start` up to (not including) `before`, not withdrawn, counted per town;
    None means every town. The report, the console and the studio figures all count through here."""
    query = Screening.filter(withdrawn=False, date__gte=start, date__lt=before)
    if town_ids is not None:
        query = query.filter(town_id__in=town_ids)
    if village_id is not None:
        query = query.filter(village_id=village_id)
    rows = await query.group_by("town_id", "level").annotate(
        n=Count("id"), found=Sum("found"), resolved=Sum("resolved"), registered=Sum("registered"),
    ).values("town_id", "level", "n", "found", "resolved", "registered")
    villages = dict(await query.filter(village_id__isnull=False).group_by("town_id").annotate(
        v=Count("village_id", distinct=True)).values_list("town_id", "v"))
    acc: dict[int, dict[str, int]] = {}
    for r in rows:
        a = acc.setdefault(r["town_id"], dict.fromkeys(
            ("times", "village_times", "town_times", "found", "resolved", "registered"), 0))
        a["times"] += int(r["n"] or 0)
        a["village_times" if r["level"] == ScreeningLevel.VILLAGE.value else "town_times"] += int(r["n"] or 0)
        for name in ("found", "resolved", "registered"):
            a[name] += int(r[name] or 0)
    return {tid: ScreeningFigures(**a, villages=int(villages.get(tid) or 0)) for tid, a in acc.items()}


async def screening_figures(town_ids: list[int] | None, start: dt.date, end: dt.date,
                            village_id: int | None = None) -> ScreeningFigures:
    """Counts of the screenings dated start..end (inclusive) of these towns together."""
    parts = await figures_by_town(town_ids, start, end + dt.timedelta(days=1), village_id)
    return ScreeningFigures.total(list(parts.values()))
