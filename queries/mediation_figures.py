"""The 人民调解工作统计表 a county asks for (year or quarter): per statistics category, in SQL
(the .xlsx: reports/mediation_table.py).

Counts by the period's dates: 受理 by acceptance day, outcomes by closing day, agreements by the day they took
effect (superseded agreements of reopened cases are not counted twice), judicial confirmations by the day
applied for; the outcomes a mediator marks (预防纠纷, 防止民转刑/群体性上访/群体性械斗/自杀, 上交) by the day the
case was registered, each marked case one 件 and its persons count the 人. 调解成功率 = 调解成功 ÷ 调结
(调解成功 + 调解不成); terminated cases are not in the base. Below the table: the period's 矛盾纠纷排查
(queries/screening_figures.py). A town's table, or the county's: the towns side by side, their sum by category, and a
sheet per town.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from knowledge.wording.dates import TZ
from models.core import Town
from models.mediation import Agreement, Case, JudicialConfirmation
from queries.figures import ScreeningFigures, parse_period
from queries.screening_figures import figures_by_town
from services.case_flow import CASE_TYPES

COUNTY = "全县"
# column key -> (header group in the forms' wording, sub-header); a group spans its consecutive columns
HEADERS: dict[str, tuple[str, str]] = {
    "受理": ("受理纠纷（件）", ""),
    "调解成功": ("调解成功（件）", ""),
    "调解不成": ("调解不成（件）", ""),
    "终止调解": ("终止调解（件）", ""),
    "书面协议": ("调解协议（件）", "书面"),
    "口头协议": ("调解协议（件）", "口头"),
    "协议金额（元）": ("协议涉及金额（元）", ""),
    "申请司法确认": ("司法确认（件）", "申请"),
    "确认有效": ("司法确认（件）", "确认有效"),
    "预防纠纷（件）": ("预防纠纷（件）", ""),
    "防止民转刑（件）": ("防止民间纠纷转化为刑事案件", "件"),
    "防止民转刑（人）": ("防止民间纠纷转化为刑事案件", "人"),
    "防止群体性上访（件）": ("防止群体性上访", "件"),
    "防止群体性上访（人）": ("防止群体性上访", "人"),
    "防止群体性械斗（件）": ("防止群体性械斗", "件"),
    "防止群体性械斗（人）": ("防止群体性械斗", "人"),
    "防止自杀（件）": ("防止因民间纠纷引起自杀", "件"),
    "防止自杀（人）": ("防止因民间纠纷引起自杀", "人"),
    "上交": ("上交（件）", ""),
}
COLUMNS = tuple(HEADERS)
# the outcome flags of a case (services.cases.OUTCOMES) and the columns they fill: (flag, 件 column, persons, 人 column)
OUTCOME_COLUMNS = (
    ("prevented_dispute", "预防纠纷（件）", None, None),
    ("prevented_criminal", "防止民转刑（件）", "prevented_criminal_persons", "防止民转刑（人）"),
    ("prevented_mass_petition", "防止群体性上访（件）", "prevented_mass_petition_persons", "防止群体性上访（人）"),
    ("prevented_mass_fight", "防止群体性械斗（件）", "prevented_mass_fight_persons", "防止群体性械斗（人）"),
    ("prevented_suicide", "防止自杀（件）", "prevented_suicide_persons", "防止自杀（人）"),
)
SCREENING = (("times", "排查次数（次）"), ("found", "发现纠纷（件）"), ("resolved", "排查中化解（件）"),
             ("registered", "登记进入调解（件）"))
RATE_NOTE = "调结 = 调解成功 + 调解不成；终止调解不计入。"


@dataclass
class Row:
    """One category's (or town's) figures."""

    category: str
    values: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))


def _sum(label: str, rows: list[Row]) -> Row:
    out = Row(label)
    for r in rows:
        for k in COLUMNS:
            out.values[k] += r.values[k]
    return out


def rate(values: dict[str, Any]) -> str:
    """调解成功 ÷ 调结 of a row, with its base stated."""
    base = values["调解成功"] + values["调解不成"]
    if not base:
        return "无调结案件"
    return f"{values['调解成功'] / base:.1%}（调解成功{values['调解成功']}件 ÷ 调结{base}件）"


@dataclass
class MediationTable:
    """The table for a town (or the county's sum) and a period."""

    town: str
    first: date
    last: date
    rows: list[Row]
    screening: ScreeningFigures = field(default_factory=ScreeningFigures)

    @property
    def total(self) -> Row:
        """The totals row."""
        return _sum("合计", self.rows)

    @property
    def success_rate(self) -> str:
        """调解成功 ÷ 调结, with its base stated."""
        return rate(self.total.values)

    def screening_lines(self) -> list[tuple[str, int]]:
        """(label, count) of the period's 矛盾纠纷排查."""
        return [(label, int(getattr(self.screening, name))) for name, label in SCREENING]


@dataclass
class CountyTable:
    """The county's table: every town's, and their sum by category."""

    name: str
    first: date
    last: date
    towns: list[MediationTable]

    @property
    def combined(self) -> MediationTable:
        """The towns added up, category by category, with the county's screenings."""
        rows = [_sum(r.category, [t.rows[i] for t in self.towns]) for i, r in enumerate(self.towns[0].rows)] \
            if self.towns else [Row(c) for c in CASE_TYPES]
        return MediationTable(self.name, self.first, self.last, rows,
                              ScreeningFigures.total([t.screening for t in self.towns]))

    @property
    def town_rows(self) -> list[Row]:
        """One row per town (its totals), then the county's."""
        rows = [_sum(t.town, [t.total]) for t in self.towns]
        return [*rows, _sum("合计", rows)]


def period(year: int, quarter: int | None = None) -> tuple[date, date]:
    """The first and last day of a year or one of its quarters (the report's Period, whose end is exclusive)."""
    p = parse_period(year, quarter)
    return p.start, p.end - timedelta(days=1)


Counts = dict[tuple[int, str], Any]  # (town id, category) -> value


def _when(cond: Q, persons: str | None = None) -> Any:
    """COUNT(CASE WHEN cond THEN id END), or the sum of a persons column over the rows cond picks."""
    return Sum(persons, _filter=cond) if persons else Count("id", _filter=cond)


async def _grouped(qs: Any, via_case: bool, measures: dict[str, Any]) -> dict[str, Counts]:
    """One grouped query (per town and category) filling several columns at once."""
    town, category = ("case__town_id", "case__stat_category") if via_case else ("town_id", "stat_category")
    rows = await qs.annotate(**{f"m{i}": agg for i, agg in enumerate(measures.values())}).group_by(
        town, category).values(town, category, *(f"m{i}" for i in range(len(measures))))
    out: dict[str, Counts] = {col: {} for col in measures}
    for r in rows:
        for i, col in enumerate(measures):
            out[col][(r[town], r[category] or "其他")] = r[f"m{i}"] or 0
    return out


async def _measures(town_ids: list[int], first: date, last: date, village_id: int | None) -> dict[str, Counts]:
    """Every column's figures per town and category: three grouped queries (cases, agreements,
    confirmations) for any number of towns, each measure a conditional sum over the period's rows."""
    case_filter: dict[str, Any] = {"town_id__in": town_ids}
    child_filter: dict[str, Any] = {"case__town_id__in": town_ids}
    if village_id is not None:
        case_filter["village_id"] = village_id
        child_filter["case__village_id"] = village_id
    start, end = datetime.combine(first, time(), TZ), datetime.combine(last + timedelta(days=1), time(), TZ)
    accepted = Q(accepted_on__gte=first, accepted_on__lte=last)
    closed = Q(closed_on__gte=first, closed_on__lte=last)
    registered = Q(registered_at__gte=start, registered_at__lt=end)
    case_measures: dict[str, Any] = {
        "受理": _when(accepted),
        "调解不成": _when(closed & Q(fail_routes__not="")),
        "终止调解": _when(closed & (Q(status="terminated") | Q(end_reason__not=""))),
        "上交": _when(registered & Q(escalated=True)),
    }
    for flag, cases_col, persons, persons_col in OUTCOME_COLUMNS:
        marked: dict[str, Any] = {flag: True}
        case_measures[cases_col] = _when(registered & Q(**marked))
        if persons is not None and persons_col is not None:
            case_measures[persons_col] = _when(registered & Q(**marked), persons)
    agreements = Agreement.filter(**child_filter, superseded_at__isnull=True, effective_on__gte=first,
                                  effective_on__lte=last)
    confirmations = JudicialConfirmation.filter(**child_filter, applied_on__gte=first, applied_on__lte=last)
    # On PostgreSQL the three run side by side on the pool's connections (SQLite takes them in turn).
    parts = await asyncio.gather(
        _grouped(Case.filter(Q(**case_filter), accepted | closed | registered), False, case_measures),
        _grouped(agreements, True, {"调解成功": Count("id"), "书面协议": _when(Q(form="written")),
                                    "口头协议": _when(Q(form="oral")), "协议金额（元）": Sum("amount")}),
        _grouped(confirmations, True, {"申请司法确认": Count("id"), "确认有效": _when(Q(result="confirmed"))}),
    )
    return {col: counts for part in parts for col, counts in part.items()}


async def _tables(towns: list[Town], first: date, last: date, village_id: int | None = None
                  ) -> list[MediationTable]:
    ids = [t.id for t in towns]
    if not ids:
        return []
    measures, screening = await asyncio.gather(_measures(ids, first, last, village_id),
                                               figures_by_town(ids, first, last + timedelta(days=1), village_id))
    tables = []
    for town in towns:
        rows = []
        for category in CASE_TYPES:
            row = Row(category)
            for col, counts in measures.items():
                value = counts.get((town.id, category), 0)
                row.values[col] = Decimal(value) if col == "协议金额（元）" else int(value)
            rows.append(row)
        tables.append(MediationTable(town.name, first, last, rows, screening.get(town.id, ScreeningFigures())))
    return tables


async def build(town_id: int, first: date, last: date, village_id: int | None = None) -> MediationTable:
    """The figures of a town (optionally one of its villages) for the days first..last."""
    return (await _tables([await Town.get(id=town_id)], first, last, village_id))[0]


async def build_county(first: date, last: date, name: str = COUNTY) -> CountyTable:
    """Every town's figures for the days first..last, as a county's 司法局 files them."""
    return CountyTable(name, first, last, await _tables(await Town.all().order_by("id"), first, last))
