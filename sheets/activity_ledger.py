"""The 工作台账 as a file: all-or-nothing import without duplicates, and export by year and village."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tortoise import timezone
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from knowledge.wording.dates import check_date, parse_date
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import parse_count
from models.core import Role, Town, User, Village
from models.outreach import Activity, ActivityKind, ActivityPhoto, ActivitySource
from services.activities import (
    STAFF_ROLES,
    TOWN_KIND_WHO,
    TOWN_KINDS,
    ActivityError,
    fingerprint,
    normalize_form,
    normalize_six_target,
)
from sheets.tabular import Problems, Row, safe_cell, write_table

COLUMNS = ("日期", "类别", "村名", "活动形式", "六进", "主题", "参与人数", "发放资料份数", "咨询人次", "组织人")
COUNT_COLUMNS = {"参与人数": "participants", "发放资料份数": "materials", "咨询人次": "consultations"}
BATCH = 5000  # rows parsed, checked and inserted at a time

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import did (or would have done)."""

    rows: int
    created: int
    duplicates: int
    problems: Problems
    repeats: list[tuple[int, int]] = field(default_factory=list)  # (row, the earlier row it repeats)

    def repeats_report(self, limit: int = 20) -> str:
        """Rows repeated inside the file, one per line."""
        lines = [f"第{r}行与第{first}行完全相同，只导入一次" for r, first in self.repeats[:limit]]
        if len(self.repeats) > limit:
            lines.append(f"……另有{len(self.repeats) - limit}行重复")
        return "\n".join(lines)


def _cell_date(row: Row) -> dt.date:
    value = row.get("日期")
    if isinstance(value, dt.datetime):
        return check_date(value.date())
    if isinstance(value, dt.date):
        return check_date(value)
    text = row.text("日期")
    if not text:
        raise ParseError("日期不能为空")
    return parse_date(text)


async def _parse_rows(rows: list[Row], town_id: int, forms: Iterable[str]) -> tuple[list[dict[str, Any]], Problems]:
    villages = {v.name: v.id for v in await Village.filter(town_id=town_id)}
    helpers_only = await _helper_names(town_id)
    problems = Problems()
    parsed: list[dict[str, Any]] = []
    forms = list(forms)
    for row in rows:
        values: dict[str, Any] = {}
        bad = len(problems.items)
        try:
            values["date"] = _cell_date(row)
        except ParseError as exc:
            problems.add(row.number, "日期", str(exc))
        kind = ActivityKind.from_label(row.text("类别"))
        if kind is None:
            problems.add(row.number, "类别", "应为 普法宣传活动 / 普法专题培训 / 法治建设专题会议")
        values["kind"] = kind
        name = row.text("村名")
        if name:
            vid = villages.get(name) or villages.get(name + "村")
            if vid is None:
                problems.add(row.number, "村名", f"本镇没有“{name}”，请先导入村名单或核对村名")
            values["village_id"] = vid
        elif kind == ActivityKind.PUBLICITY:
            problems.add(row.number, "村名", "普法宣传活动需要填写村名")
        else:
            values["village_id"] = None
        for column, key, check in (("活动形式", "form", lambda t: normalize_form(t, forms)),
                                   ("六进", "six_target", normalize_six_target)):
            try:
                values[key] = check(row.text(column))
            except ActivityError as exc:
                problems.add(row.number, column, exc.message)
        for column, key in COUNT_COLUMNS.items():
            try:
                values[key] = parse_count(row.text(column) or "0", key)
            except ParseError as exc:
                problems.add(row.number, column, str(exc))
        values["theme"] = row.text("主题")[:200]
        values["place"] = row.text("地点")[:100]  # optional columns (the export has them)
        values["audience"] = row.text("受众")[:32]
        values["organiser"] = row.text("组织人")[:64]
        if kind in TOWN_KINDS and values["organiser"] in helpers_only:  # the town's own figures (TOWN_KINDS)
            problems.add(row.number, "组织人", f"{values['organiser']}是法律明白人；{kind.label}由{TOWN_KIND_WHO}"
                         "登记，组织人请填镇里的工作人员或“司法所”，法律明白人自己的活动请填普法宣传活动")
        if len(problems.items) == bad:
            parsed.append(values)
    return parsed, problems


async def _helper_names(town_id: int) -> set[str]:
    """Names on the town's roster of helpers that no staff member of the town bears."""
    names = await User.filter(town_id=town_id).values_list("display_name", "role")
    staff = {n for n, role in names if Role(role) in STAFF_ROLES}
    return {n for n, role in names if role == Role.HELPER.value and n not in staff}


async def import_activities(
    rows: list[Row], town_id: int, forms: Iterable[str], *, progress: Progress | None = None, dry_run: bool = False
) -> ImportResult:
    """Check every row first; import nothing if any is bad; never save an entry twice.

    A row is recognised as already imported by its fingerprint: a hash of every figure (date, kind, village,
    form, 六进, theme, place, the three counts, organiser), the same one chat and the API save under, so two
    rows that differ in any figure are two records, and a re-import adds nothing. Rows repeated exactly
    inside the file are reported by row number and saved once. The database's unique constraint on the
    fingerprint holds against concurrent imports: they wait for each other on the town's row.
    """
    forms = list(forms)
    authors = {
        u.display_name: u.id
        for u in await User.filter(town_id=town_id, role__in=[Role.HELPER.value, Role.ADMIN.value])
    }
    problems = Problems()
    first_row: dict[str, int] = {}  # fingerprint -> the first row holding that entry
    repeats: list[tuple[int, int]] = []
    created = done = 0
    try:
        # One pass, a chunk at a time, inside one transaction under the town's lock: a bad row anywhere
        # rolls back what earlier chunks inserted (all or nothing), and a 200,000-row file never has more
        # than one chunk of parsed entries in memory.
        async with in_transaction() as conn:
            if not dry_run:
                await _lock_town(town_id, conn)
            async for chunk, parsed in _parsed_chunks(rows, town_id, forms, problems):
                done += len(chunk)
                if problems:  # keep reading to report every problem, insert nothing more
                    continue
                batch = []
                for row, v in zip(chunk, parsed, strict=True):
                    v["fingerprint"] = key = fingerprint(town_id, v)
                    if key in first_row:
                        repeats.append((row.number, first_row[key]))
                    else:
                        first_row[key] = row.number
                        batch.append(v)
                existing = await _existing(town_id, [v["fingerprint"] for v in batch], conn)
                batch = [v for v in batch if v["fingerprint"] not in existing]
                if dry_run:
                    created += len(batch)
                elif batch:
                    created += await _insert_batch(conn, town_id, batch, authors)
                if progress:
                    progress(done, len(rows))
            if problems or dry_run:
                raise _Rollback()
    except _Rollback:
        if problems:
            return ImportResult(len(rows), 0, 0, problems)
    return ImportResult(len(rows), created, len(first_row) - created, problems, repeats)


class _Rollback(Exception):
    """Leave the import's transaction without keeping anything."""


async def _parsed_chunks(rows: list[Row], town_id: int, forms: list[str], problems: Problems
                         ) -> AsyncIterator[tuple[list[Row], list[dict[str, Any]]]]:
    """(rows, parsed entries) a chunk at a time; problems are added to `problems`."""
    for i in range(0, len(rows), BATCH):
        chunk = rows[i:i + BATCH]
        parsed, found = await _parse_rows(chunk, town_id, forms)
        problems.items.extend(found.items)
        yield chunk, parsed


_ACTIVITY_COLUMNS = ("town_id", "village_id", "kind", "date", "form", "six_target", "theme", "place", "audience",
                     "participants", "materials", "consultations", "author_id", "organiser", "source", "fingerprint",
                     "withdrawn", "created_at", "updated_at")
_IMPORT_CHANGE = '{"source":[null,"import"]}'  # ActivityChange.changes as the JSON field stores it


def _insert_sql(conn: Any, table: str, columns: tuple[str, ...], suffix: str = "") -> str:
    pg = conn.capabilities.dialect == "postgres"
    marks = ", ".join(f"${n}" if pg else "?" for n in range(1, len(columns) + 1))
    return f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks}){suffix}'


async def _insert_batch(conn: Any, town_id: int, batch: list[dict[str, Any]], authors: dict[str, int]) -> int:
    """Insert one batch and its audit records with executemany (no model objects: 200,000 rows in seconds).

    ON CONFLICT DO NOTHING: a chat or API save of the same entry may land meanwhile; the unique
    fingerprint keeps it one row. Returns how many rows this batch added.
    """
    now = timezone.localtime()
    values = [
        [town_id, v.get("village_id"), ActivityKind(v["kind"]).value, v["date"], v.get("form", ""),
         v.get("six_target", ""), v.get("theme", ""), v.get("place", ""), v.get("audience", ""),
         v.get("participants", 0), v.get("materials", 0), v.get("consultations", 0),
         authors.get(v.get("organiser", "")), v.get("organiser", ""), ActivitySource.IMPORT.value, v["fingerprint"],
         False, now, now]
        for v in batch
    ]
    if conn.capabilities.dialect == "postgres":
        return await _insert_batch_pg(conn, values, now)
    await conn.execute_many(_insert_sql(conn, "outreach_activity", _ACTIVITY_COLUMNS, " ON CONFLICT DO NOTHING"),
                            values)
    ids = [r[0] for r in await _select_in(conn, "SELECT id FROM outreach_activity WHERE source = 'import' AND",
                                         town_id, [v["fingerprint"] for v in batch])]
    await conn.execute_many(_insert_sql(conn, "outreach_change", ("activity_id", "action", "changes", "at")),
                            [[aid, "import", _IMPORT_CHANGE, now] for aid in ids])
    return len(ids)


_PG_TYPES = ("int", "int", "varchar", "date", "varchar", "varchar", "varchar", "varchar", "varchar", "int", "int",
             "int", "int", "varchar", "varchar", "varchar", "bool", "timestamptz", "timestamptz")


async def _insert_batch_pg(conn: Any, values: list[list[Any]], now: Any) -> int:
    """PostgreSQL: the batch as one statement over arrays, its audit records from RETURNING (no round trip
    per row: executemany spent ~250 µs a row on a busy server)."""
    arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(_PG_TYPES, start=1))
    n = len(_PG_TYPES)
    sql = (f"WITH added AS (INSERT INTO outreach_activity ({', '.join(_ACTIVITY_COLUMNS)}) "
           f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING RETURNING id) "
           f"INSERT INTO outreach_change (activity_id, action, changes, at) "
           f"SELECT id, 'import', ${n + 1}::jsonb, ${n + 2}::timestamptz FROM added RETURNING id")
    columns = [list(c) for c in zip(*values, strict=True)]
    count, _ = await conn.execute_query(sql, [*columns, _IMPORT_CHANGE, now])
    return int(count)


async def _lock_town(town_id: int, conn: Any) -> None:
    """Serialise imports of one town: a row lock on PostgreSQL, the write lock on SQLite."""
    await Town.filter(id=town_id).using_db(conn).update(name=F("name"))


async def _select_in(conn: Any, select: str, town_id: int, keys: list[str]) -> list[Any]:
    """Rows of `select ... town_id = ? AND fingerprint IN (keys)` (plain SQL: the query builder is slow at 5,000)."""
    if not keys:
        return []
    pg = conn.capabilities.dialect == "postgres"
    marks = ", ".join(f"${n}" if pg else "?" for n in range(2, len(keys) + 2))
    sql = f"{select} town_id = {'$1' if pg else '?'} AND fingerprint IN ({marks})"
    _, rows = await conn.execute_query(sql, [town_id, *keys])
    return list(rows)


async def _existing(town_id: int, keys: list[str], conn: Any) -> set[str]:
    """The fingerprints among `keys` already in the town's ledger."""
    found: set[str] = set()
    for i in range(0, len(keys), BATCH):
        rows = await _select_in(conn, "SELECT fingerprint FROM outreach_activity WHERE", town_id, keys[i:i + BATCH])
        found.update(str(r[0]) for r in rows)
    return found


EXPORT_COLUMNS = ("日期", "类别", "村名", "地点", "活动形式", "六进", "主题", "受众", "参与人数", "发放资料份数",
                  "咨询人次", "组织人", "照片")
# Character widths a clerk can read without widening anything: dates, short words, themes and places wider.
EXPORT_WIDTHS = (12, 16, 10, 18, 14, 8, 30, 12, 10, 12, 10, 10, 8)


async def export_rows(town_id: int, year: int, village: str | None = None) -> list[list[Any]]:
    """Ledger rows of a year (withdrawn entries left out) in EXPORT_COLUMNS' order; dates as dates.

    照片 is the number of photos ("2张"); 组织人 falls back to the person who logged the entry.
    """
    from tortoise.functions import Count

    query = Activity.filter(town_id=town_id, withdrawn=False, date__gte=dt.date(year, 1, 1),
                            date__lte=dt.date(year, 12, 31))
    if village:
        query = query.filter(village__name=village)
    rows = await query.order_by("date", "id").values(
        "id", "date", "kind", "village__name", "place", "form", "six_target", "theme", "audience", "participants",
        "materials",
        "consultations", "organiser", "author__display_name",
    )
    photos: dict[int, int] = {}
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), BATCH):
        counted = await (ActivityPhoto.filter(activity_id__in=ids[i:i + BATCH]).group_by("activity_id")
                         .annotate(n=Count("id")).values_list("activity_id", "n"))
        photos.update({int(k): int(n) for k, n in counted})
    for r in rows:
        r["photo_count"] = photos.get(r["id"], 0)
    return [
        [r["date"], ActivityKind(r["kind"]).label, r["village__name"] or "", r["place"], r["form"], r["six_target"],
         r["theme"], r["audience"], r["participants"], r["materials"], r["consultations"],
         r["organiser"] or r["author__display_name"] or "", f"{r['photo_count']}张" if r["photo_count"] else ""]
        for r in rows
    ]


def write_ledger(path: str, rows: list[list[Any]]) -> int:
    """The ledger as .xlsx (column widths, frozen bold header, dates as real dates) or .csv; the row count."""
    from pathlib import Path

    if Path(path).suffix.lower() != ".xlsx":
        return write_table(path, EXPORT_COLUMNS, rows)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工作台账")
    ws.freeze_panes = "A2"
    for i, width in enumerate(EXPORT_WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    header = []
    for name in EXPORT_COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    for r in rows:
        day = WriteOnlyCell(ws, value=r[0])
        day.number_format = "yyyy-mm-dd"
        ws.append([day, *(safe_cell(ws, v) for v in r[1:])])
    ws.auto_filter.ref = f"A1:{chr(ord('A') + len(EXPORT_COLUMNS) - 1)}{len(rows) + 1}"
    wb.save(path)
    return len(rows)
