"""Villages and helpers from the office's lists (all-or-nothing); one by one: services/people.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from knowledge.wording.dates import check_date, parse_date
from knowledge.wording.dates import today as town_today
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import parse_count
from models.core import Role, User, Village
from services.helper_work import SOURCES, HelperWorkError, set_profile
from sheets.tabular import Problems, Row

VILLAGE_COLUMNS = ("村名", "户数")
HELPER_COLUMNS = ("姓名", "村名", "骨干", "电话")
# Optional columns of the roster: a helper's own record (models.helper_tables.HelperProfile).
PROFILE_COLUMNS = {"来源": "source", "联系户数": "households", "加入日期": "joined_on", "退出日期": "left_on"}
YES, NO = {"是", "y", "yes", "1", "true", "骨干", "√"}, {"否", "n", "no", "0", "false", "", "×"}


async def import_villages(rows: list[Row], town_id: int) -> tuple[int, int, Problems]:
    """Create or update villages (households, optional 村民小组); returns (created, updated, problems)."""
    problems = Problems()
    parsed: dict[str, tuple[int, int | None]] = {}
    for row in rows:
        name = row.text("村名")
        if not name:
            problems.add(row.number, "村名", "不能为空")
            continue
        if len(name) > 64:
            problems.add(row.number, "村名", "太长")
        if name in parsed:
            problems.add(row.number, "村名", f"“{name}”在文件里重复出现")
        try:
            households = parse_count(row.text("户数") or "0", "households")
        except ParseError as exc:
            problems.add(row.number, "户数", str(exc).replace("数量", "户数"))
            continue
        groups = None
        if row.text("村民小组"):
            try:
                groups = parse_count(row.text("村民小组"), "groups")
            except ParseError as exc:
                problems.add(row.number, "村民小组", str(exc))
        parsed[name] = (households, groups)
    if problems:
        return 0, 0, problems
    created = updated = 0
    async with in_transaction():
        for name, (households, groups) in parsed.items():
            village = await Village.get_or_none(town_id=town_id, name=name)
            if village is None:
                await Village.create(town_id=town_id, name=name, households=households, groups=groups)
                created += 1
            elif (village.households, village.groups) != (households, groups if groups is not None else village.groups):
                village.households = households
                village.groups = groups if groups is not None else village.groups
                await village.save(update_fields=["households", "groups"])
                updated += 1
    return created, updated, problems


def _cell_day(row: Row, column: str) -> dt.date | None:
    value = row.get(column)
    if isinstance(value, dt.datetime):
        return check_date(value.date())
    if isinstance(value, dt.date):
        return check_date(value)
    text = row.text(column)
    return parse_date(text) if text else None


def _profile_values(row: Row, problems: Problems) -> dict[str, Any]:
    """The optional columns of a roster row (来源, 联系户数, 加入日期, 退出日期) that are filled in."""
    out: dict[str, Any] = {}
    source = row.text("来源")
    if source:
        if source not in SOURCES:
            problems.add(row.number, "来源", f"请从{'、'.join(SOURCES)}中选")
        out["source"] = source
    if row.text("联系户数"):
        try:
            out["households"] = parse_count(row.text("联系户数"), "materials")
        except ParseError as exc:
            problems.add(row.number, "联系户数", str(exc))
    for column in ("加入日期", "退出日期"):
        try:
            if (day := _cell_day(row, column)) is not None:
                out[PROFILE_COLUMNS[column]] = day
        except ParseError as exc:
            problems.add(row.number, column, str(exc))
    if out.get("households", 0) > 10000:
        problems.add(row.number, "联系户数", "要在0到10000之间")
    if out.get("joined_on") and out.get("left_on") and out["left_on"] < out["joined_on"]:
        problems.add(row.number, "退出日期", "不能早于加入日期")
    return out


async def import_helpers(rows: list[Row], town_id: int, *, since: dt.date | None = None,
                         today: dt.date | None = None) -> tuple[int, int, Problems]:
    """Create or update 法律明白人 (matched by phone, else name and village); returns (created, updated, problems).

    Optional columns 来源, 联系户数, 加入日期, 退出日期 fill the helper's own record. A helper new to the roster
    joins on their 加入日期, else on `since` (an existing roster: the day it was in place), else the import day,
    so a past year's report does not count people added later.
    """
    villages = {v.name: v.id for v in await Village.filter(town_id=town_id)}
    problems = Problems()
    parsed: list[tuple[str, int, bool, str, dict[str, Any]]] = []
    for row in rows:
        name, village, core, phone = (row.text(c) for c in HELPER_COLUMNS)
        bad = len(problems.items)
        if not name or len(name) > 64:
            problems.add(row.number, "姓名", "不能为空" if not name else "太长")
        vid = villages.get(village) or villages.get(village + "村")
        if vid is None:
            problems.add(row.number, "村名", f"本镇没有“{village}”，请先导入村名单" if village else "不能为空")
        if core.lower() not in YES | NO:
            problems.add(row.number, "骨干", "请填“是”或“否”")
        digits = phone.replace("-", "").replace(" ", "")
        if digits and (not digits.isdigit() or not 7 <= len(digits) <= 13):
            problems.add(row.number, "电话", "电话号码格式不对")
        profile = _profile_values(row, problems)
        if len(problems.items) == bad:
            parsed.append((name, vid or 0, core.lower() in YES, digits, profile))
    if problems:
        return 0, 0, problems
    created = updated = 0
    joined = since or today or town_today()  # the town's day (Asia/Shanghai), not the server's
    async with in_transaction():
        for name, vid, is_core, phone, profile in parsed:
            query = User.filter(town_id=town_id, phone=phone) if phone else \
                User.filter(town_id=town_id, display_name=name, village_id=vid)
            person = await query.exclude(role=Role.VILLAGER.value).first()
            if person is None:
                person = await User.create(town_id=town_id, role=Role.HELPER, display_name=name, village_id=vid,
                                           is_core=is_core, phone=phone)
                profile.setdefault("joined_on", joined)
                created += 1
            elif (person.display_name, person.village_id, person.is_core) != (name, vid, is_core):  # type: ignore[attr-defined]
                person.display_name, person.is_core = name, is_core
                person.village_id = vid  # type: ignore[attr-defined]
                await person.save(update_fields=["display_name", "village_id", "is_core"])
                updated += 1
            if profile:
                try:
                    await set_profile(person, **profile)
                except HelperWorkError as exc:  # checked above; kept for the service's own rules
                    raise ValueError(exc.message) from None
    return created, updated, problems
