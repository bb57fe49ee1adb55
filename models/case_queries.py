"""Read side of mediation: the board's filtered lists and the deadlines on a case (SQL filters, no loops over all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.expressions import Q

from models.case_flow import OPEN_STATUSES, Deadline, Status
from models.mediation import Assignment, Case


@dataclass(frozen=True)
class BoardFilter:
    """The board's filters; empty strings mean 'any'."""

    status: str = ""
    case_type: str = ""
    village_id: int | None = None
    overdue: bool = False
    mine_user_id: int | None = None


def overdue_q(today: date) -> Q:
    """Cases past a deadline: open past due, a follow-up past due, or a §33 window that has closed unused."""
    return (
        Q(status__in=[s.value for s in OPEN_STATUSES], due_on__lt=today)
        | Q(follow_up_due__lt=today)
    )


def due_soon_q(today: date, days: int) -> Q:
    """Cases with a deadline within the next `days` days (or already past)."""
    horizon = today + timedelta(days=days)
    return (
        Q(status__in=[s.value for s in OPEN_STATUSES], due_on__lte=horizon)
        | Q(follow_up_due__lte=horizon)
        | Q(confirmation_deadline__lte=horizon, confirmation_deadline__gte=today)
    )


async def board(town_id: int | None, f: BoardFilter, today: date, limit: int = 200) -> list[Case]:
    """The cases of a town (None: every town) matching the filters, newest first."""
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
        qs = qs.filter(assignments__mediator_id=f.mine_user_id)
    return await qs.order_by("-registered_at", "-id").limit(limit).prefetch_related("parties", "assignments").distinct()


def deadlines(case: Case, today: date) -> list[Deadline]:
    """The dated obligations of a case now: mediation due, follow-up due, the §33 window."""
    out: list[Deadline] = []
    if Status(case.status) in OPEN_STATUSES and case.due_on is not None:
        out.append(Deadline("mediation_due", case.due_on, "调解期限"))
    if case.follow_up_due is not None:
        out.append(Deadline("follow_up", case.follow_up_due, "履行回访"))
    if case.confirmation_deadline is not None and case.confirmation_deadline >= today:
        out.append(Deadline("confirmation_window", case.confirmation_deadline, "司法确认申请截止"))
    return out


def is_overdue(case: Case, today: date) -> bool:
    """True when a deadline of the case has passed."""
    return any(d.kind != "confirmation_window" and d.overdue(today) for d in deadlines(case, today))


async def mediator_ids_by_case(case_ids: list[int]) -> dict[int, set[int]]:
    """The assigned mediators of many cases in one query."""
    out: dict[int, set[int]] = {cid: set() for cid in case_ids}
    for row in await Assignment.filter(case_id__in=case_ids).values("case_id", "mediator_id"):
        out[row["case_id"]].add(row["mediator_id"])
    return out
