"""When a case falls due: its deadlines today, overdue or due soon (for the lists and the reminders)."""

from __future__ import annotations

from datetime import date, timedelta

from tortoise.expressions import Q

from models.mediation import Case, Status
from services.case_flow import OPEN_STATUSES, Deadline


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
