"""The 人民调解工作统计表 a county asks for (year or quarter): per statistics category, in SQL
(the .xlsx: reports/mediation_table.py).

Counts by the period's dates: 受理 by acceptance day, outcomes by closing day, agreements by the day they took
effect (superseded agreements of reopened cases are not counted twice), judicial confirmations by the day
applied for. 调解成功率 = 调解成功 ÷ 调结 (调解成功 + 调解不成); terminated cases are not in the base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from knowledge.wording.dates import TZ
from models.core import Town
from models.mediation import Agreement, Case, JudicialConfirmation, Party
from services.case_flow import CASE_TYPES

COLUMNS = ("受理", "调解成功", "调解不成", "终止调解", "书面协议", "口头协议", "协议金额（元）", "申请司法确认",
           "确认有效", "防止民转刑（件）", "防止民转刑（人）", "上交")


@dataclass
class Row:
    """One category's figures."""

    category: str
    values: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))


@dataclass
class MediationTable:
    """The table for a town and a period."""

    town: str
    first: date
    last: date
    rows: list[Row]

    @property
    def total(self) -> Row:
        """The totals row."""
        out = Row("合计")
        for r in self.rows:
            for k in COLUMNS:
                out.values[k] += r.values[k]
        return out

    @property
    def success_rate(self) -> str:
        """调解成功 ÷ 调结, with its base stated."""
        t = self.total.values
        base = t["调解成功"] + t["调解不成"]
        if not base:
            return "无调结案件"
        return f"{t['调解成功'] / base:.1%}（调解成功{t['调解成功']}件 ÷ 调结{base}件）"


def period(year: int, quarter: int | None = None) -> tuple[date, date]:
    """The first and last day of a year or one of its quarters."""
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


async def _by_category(qs: Any, key: str = "stat_category", agg: Any = None) -> dict[str, Any]:
    rows = await qs.annotate(n=agg if agg is not None else Count("id")).group_by(key).values(key, "n")
    return {r[key] or "其他": r["n"] or 0 for r in rows}


async def build(town_id: int, first: date, last: date) -> MediationTable:
    """The figures of a town for the days first..last."""
    town = await Town.get(id=town_id)
    cases = Case.filter(town_id=town_id)
    closed = cases.filter(closed_on__gte=first, closed_on__lte=last)
    agreements = Agreement.filter(case__town_id=town_id, superseded_at__isnull=True, effective_on__gte=first,
                                  effective_on__lte=last)
    confirmations = JudicialConfirmation.filter(case__town_id=town_id, applied_on__gte=first, applied_on__lte=last)
    start, end = datetime.combine(first, time(), TZ), datetime.combine(last + timedelta(days=1), time(), TZ)
    prevented = cases.filter(prevented_criminal=True, registered_at__gte=start, registered_at__lt=end)
    k = "case__stat_category"
    measures: dict[str, dict[str, Any]] = {
        "受理": await _by_category(cases.filter(accepted_on__gte=first, accepted_on__lte=last)),
        "调解成功": await _by_category(agreements, k),
        "调解不成": await _by_category(closed.filter(fail_routes__not="")),
        "终止调解": await _by_category(closed.filter(Q(status="terminated") | Q(end_reason__not=""))),
        "书面协议": await _by_category(agreements.filter(form="written"), k),
        "口头协议": await _by_category(agreements.filter(form="oral"), k),
        "协议金额（元）": await _by_category(agreements, k, Sum("amount")),
        "申请司法确认": await _by_category(confirmations, k),
        "确认有效": await _by_category(confirmations.filter(result="confirmed"), k),
        "防止民转刑（件）": await _by_category(prevented),
        "防止民转刑（人）": await _by_category(
            Party.filter(case__town_id=town_id, case__prevented_criminal=True, case__registered_at__gte=start,
                         case__registered_at__lt=end), k),
        "上交": await _by_category(cases.filter(escalated=True, registered_at__gte=start, registered_at__lt=end)),
    }
    rows = []
    for category in CASE_TYPES:
        row = Row(category)
        for col, counts in measures.items():
            value = counts.get(category, 0)
            row.values[col] = Decimal(value) if col == "协议金额（元）" else int(value)
        rows.append(row)
    return MediationTable(town.name, first, last, rows)


