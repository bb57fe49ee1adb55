"""Read side of mediation: the board's filtered lists (SQL filters, no loops; deadlines: services/deadlines.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.expressions import Q, Subquery

from models.mediation import Assignment, Case, Party
from services.deadlines import overdue_q

PAGE_SIZE = 50


@dataclass(frozen=True)
class BoardFilter:
    """The board's filters; empty strings mean 'any'. `q` is a 调字号, registration number, party name or phone."""

    status: str = ""
    case_type: str = ""
    village_id: int | None = None
    overdue: bool = False
    mine_user_id: int | None = None
    q: str = ""
    year: int | None = None
    mediator_id: int | None = None


def _search_q(text: str) -> Q | None:
    """What a search box entry matches: a phone (exact digits), a 调字号 or registration number (exact when
    complete, else a part of it), or a party's name (exact, else the beginning of it). Each uses an index."""
    t = re.sub(r"\s+", "", text)
    if not t:
        return None
    digits = t.replace("-", "")
    if digits.isdigit() and len(digits) >= 7:
        return Q(id__in=Subquery(Party.filter(phone=digits).values("case_id")))
    if re.fullmatch(r"〔\d{4}〕\S+[调登]字第\d+号", t):
        return Q(number=t) | Q(reg_number=t)
    if "字第" in t or t.startswith("〔") or t.isdigit():
        return Q(number__contains=t) | Q(reg_number__contains=t)
    if 2 <= len(t) <= 5:
        return Q(id__in=Subquery(Party.filter(name=t).values("case_id")))
    return Q(id__in=Subquery(Party.filter(name__startswith=t).values("case_id")))


def _board_qs(town_id: int | None, f: BoardFilter, today: date) -> Any:
    qs = Case.all()
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.case_type:
        qs = qs.filter(case_type=f.case_type)
    if f.village_id:
        qs = qs.filter(village_id=f.village_id)
    if f.overdue:
        qs = qs.filter(overdue_q(today))
    if f.mine_user_id is not None:
        qs = qs.filter(id__in=Subquery(Assignment.filter(mediator_id=f.mine_user_id, ended_at__isnull=True).values(
            "case_id")))
    if f.mediator_id is not None:
        qs = qs.filter(id__in=Subquery(Assignment.filter(mediator_id=f.mediator_id, ended_at__isnull=True).values(
            "case_id")))
    if f.year:
        qs = qs.filter(year=f.year)
    found = _search_q(f.q)
    if found is not None:
        qs = qs.filter(found)
    return qs


async def board(town_id: int | None, f: BoardFilter, today: date, limit: int = 200, offset: int = 0) -> list[Case]:
    """The cases of a town (None: every town) matching the filters, newest first, one page."""
    qs = _board_qs(town_id, f, today)
    return list(await qs.order_by("-registered_at", "-id").offset(offset).limit(limit).prefetch_related("parties"))


async def board_count(town_id: int | None, f: BoardFilter, today: date) -> int:
    """How many cases match the filters (for paging)."""
    return int(await _board_qs(town_id, f, today).count())


async def mediator_ids_by_case(case_ids: list[int]) -> dict[int, set[int]]:
    """The assigned mediators of many cases in one query."""
    out: dict[int, set[int]] = {cid: set() for cid in case_ids}
    for row in await Assignment.filter(case_id__in=case_ids, ended_at__isnull=True).values("case_id", "mediator_id"):
        out[row["case_id"]].add(row["mediator_id"])
    return out
