"""The 排查台账 as a spreadsheet: import (all or nothing, never twice) and export of a year's screenings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from knowledge.wording.dates import parse_date
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import parse_count
from models.screening_tables import Screening, ScreeningLevel, ScreeningSource
from services.activities import ActivityError, find_village
from services.screening import ScreeningError, check_values, fingerprint
from sheets.tabular import Problems, Row

COLUMNS = ("日期", "层级", "村名", "排查人", "排查范围", "发现纠纷", "当场化解", "登记调解", "稳控措施", "备注")
REQUIRED = ("日期", "村名", "发现纠纷")
BATCH = 500
TOWN_WORDS = {"镇级", "镇级排查", "全镇", "镇"}


@dataclass
class ImportResult:
    """What an import found and did."""

    rows: int
    created: int
    existing: int
    problems: Problems


async def _row_values(row: Row, town_id: int, today: dt.date, villages: dict[str, int]) -> dict[str, Any]:
    level = ScreeningLevel.TOWN if row.text("层级") in TOWN_WORDS or row.text("村名") in TOWN_WORDS \
        else ScreeningLevel.VILLAGE
    cell = row.cells.get("日期")
    day = cell.date() if isinstance(cell, dt.datetime) else cell if isinstance(cell, dt.date) \
        else parse_date(row.text("日期"), now=today)
    values: dict[str, Any] = {"level": level, "date": day}
    if level is ScreeningLevel.VILLAGE:
        name = row.text("村名")
        if name not in villages:
            villages[name] = (await find_village(town_id, name)).id
        values["village_id"] = villages[name]
    for column, field in (("发现纠纷", "found"), ("当场化解", "resolved"), ("登记调解", "registered")):
        values[field] = parse_count(row.text(column) or "0", field)
    for column, field in (("排查人", "organiser"), ("排查范围", "scope"), ("稳控措施", "measures"), ("备注", "note")):
        values[field] = row.text(column)
    return check_values(values, today=today)


async def import_screenings(rows: Iterable[Row], town_id: int, *, today: dt.date,
                            dry_run: bool = False) -> ImportResult:
    """Check every row; import nothing if one is bad; a row already imported (same fingerprint) is skipped.

    Two rows of one file that are the same in every column are reported by row number: a ledger does
    not hold one screening twice, and silently keeping one would hide a copy-paste slip.
    """
    rows = list(rows)
    problems = Problems()
    parsed: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    villages: dict[str, int] = {}
    for row in rows:
        try:
            values = await _row_values(row, town_id, today, villages)
        except (ParseError, ActivityError, ScreeningError) as exc:
            problems.add(row.number, _column_of(exc), str(exc))
            continue
        key = fingerprint(town_id, values)
        if key in first_row:
            problems.add(row.number, "全行", f"与第{first_row[key]}行完全相同，请删去重复的一行。")
            continue
        first_row[key] = row.number
        parsed.append({**values, "fingerprint": key})
    if problems:
        return ImportResult(len(rows), 0, 0, problems)
    keys = [v["fingerprint"] for v in parsed]
    existing: set[str] = set()
    for i in range(0, len(keys), BATCH):
        existing.update(await Screening.filter(town_id=town_id, fingerprint__in=keys[i:i + BATCH])
                        .values_list("fingerprint", flat=True))  # type: ignore[arg-type]
    new = [v for v in parsed if v["fingerprint"] not in existing]
    if not dry_run and new:
        async with in_transaction():
            for i in range(0, len(new), BATCH):
                # The unique (town, fingerprint) constraint makes a concurrent import of the same file a no-op.
                await Screening.bulk_create([Screening(town_id=town_id, source=ScreeningSource.IMPORT, **v)
                                             for v in new[i:i + BATCH]], ignore_conflicts=True)
    return ImportResult(len(rows), len(new), len(parsed) - len(new), problems)


def _column_of(exc: Exception) -> str:
    field = getattr(exc, "field", "")
    names = {"date": "日期", "village_id": "村名", "village": "村名", "found": "发现纠纷", "resolved": "当场化解",
             "registered": "登记调解", "scope": "排查范围", "measures": "稳控措施", "organiser": "排查人",
             "note": "备注"}
    if field in names:
        return names[field]
    return "日期" if "日期" in str(exc) or "年" in str(exc) else "件数"


async def export_rows(town_id: int, year: int) -> list[list[Any]]:
    """A year's screenings (withdrawn ones left out) in the import columns' order."""
    rows = await Screening.filter(town_id=town_id, withdrawn=False, date__gte=dt.date(year, 1, 1),
                                  date__lte=dt.date(year, 12, 31)).order_by("date", "id").prefetch_related("village")
    return [[s.date, ScreeningLevel(s.level).label, s.village.name if s.village else "全镇", s.organiser, s.scope,
             s.found, s.resolved, s.registered, s.measures, s.note] for s in rows]
