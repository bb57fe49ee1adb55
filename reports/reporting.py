"""Report requests: resolve the town, village and period, gather the figures and render a format."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from models.core import Town, Village
from queries import statistics as stats
from queries.figures import CountyFigures, Period, ReportFigures
from reports.render import ReportError, render


@dataclass(frozen=True)
class Targets:
    """The configured targets: households per 骨干, helpers per village, days to close a case, and the share of
    households covered by helpers (联系户)."""

    ratio: int = 10
    floor: int = 3
    due_days: int = 30
    share: float = 0.5


@dataclass(frozen=True)
class ReportRequest:
    """What to count: a period, a town by name (or the county), optionally a village by name."""

    period: Period
    town: str = ""
    county: bool = False
    village: str = ""
    county_name: str = "全县"
    level: int = 1  # the 公文 heading level of the section's parts: 1 一、 2 （一） 3 1. 4 （1）


async def find_town(name: str) -> Town:
    """The town of that name; ReportError listing the known towns otherwise."""
    town = await Town.get_or_none(name=name)
    if town is None:
        known = "、".join(str(n) for n in await Town.all().order_by("id").values_list("name", flat=True)) or "（无）"
        raise ReportError(f"没有找到乡镇“{name}”。已登记的乡镇：{known}")
    return town


async def find_village(town: Town, name: str) -> Village:
    """The village of that name in the town; ReportError otherwise."""
    village = await Village.get_or_none(town_id=town.id, name=name)
    if village is None:
        raise ReportError(f"{town.name}没有名为“{name}”的村。")
    return village


async def gather(req: ReportRequest, targets: Targets) -> ReportFigures | CountyFigures:
    """The figures for a request."""
    ratio, floor, due, share = targets.ratio, targets.floor, targets.due_days, targets.share
    if req.county:
        return await stats.county_figures(req.period, req.county_name, ratio=ratio, floor=floor, due_days=due,
                                          share=share)
    town = await find_town(req.town)
    village = await find_village(town, req.village) if req.village else None
    return await stats.town_figures(req.period, town, village_id=village.id if village else None,
                                    village_name=village.name if village else None, ratio=ratio, floor=floor,
                                    due_days=due, share=share)


@dataclass
class SharedFigures:
    """One computation of the figures serves a page and what it links to (its charts, its downloads).

    The page computes afresh and keeps the result; a chart or a download of the same request within
    `ttl` seconds reuses it instead of counting again. Kept per process, a handful of entries.
    """

    ttl: float = 60.0
    size: int = 32
    clock: Callable[[], float] = time.monotonic
    _items: dict[tuple[ReportRequest, Targets], tuple[float, ReportFigures | CountyFigures]] = field(
        default_factory=dict)

    async def get(self, req: ReportRequest, targets: Targets, *, fresh: bool = False) -> ReportFigures | CountyFigures:
        """The figures of a request: computed when `fresh` or not kept (or kept too long), else the kept ones."""
        key, now = (req, targets), self.clock()
        kept = self._items.get(key)
        if not fresh and kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        figures = await gather(req, targets)
        self._items.pop(key, None)
        self._items[key] = (now, figures)
        while len(self._items) > self.size:
            self._items.pop(next(iter(self._items)))
        return figures


async def report_bytes(req: ReportRequest, targets: Targets, fmt: str,
                       figures: ReportFigures | CountyFigures | None = None) -> bytes:
    """The report document in a format (text, md, docx, xlsx), from `figures` when the caller has them."""
    if figures is None:
        figures = await gather(req, targets)
    detail = None
    if fmt == "xlsx":
        if req.county:
            towns = list(await Town.all().order_by("id"))
            detail = await stats.report_detail(req.period, towns)
        else:
            town = await find_town(req.town)
            village_id = (await find_village(town, req.village)).id if req.village else None
            detail = await stats.report_detail(req.period, [town], village_id=village_id)
    return render(figures, fmt, detail, level=req.level)


def file_name(req: ReportRequest, fmt: str) -> str:
    """A download name: 江湾镇2023年法治建设工作情况.docx."""
    from reports.render import SUFFIXES

    where = req.county_name if req.county else req.town + req.village
    return f"{where}{req.period.label}法治建设工作情况.{SUFFIXES[fmt]}"
