"""Which deadline reminders are due, and the once-only ledger that makes each go out a single time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.exceptions import IntegrityError

from models.core import Role, User
from models.mediation import Assignment, Case, ReminderSent, Status
from services.deadlines import deadlines, due_soon_q

KIND_TEXT = {
    "mediation_due": "调解期限",
    "follow_up": "履行回访",
    "confirmation_window": "司法确认申请截止",
}


@dataclass(frozen=True)
class DueReminder:
    """One reminder to send: a case, a kind (with _overdue once the day has passed) and its due day."""

    case: Case
    kind: str
    due_on: date

    def text(self, today: date) -> str:
        """The message to the mediators; no party names or phone numbers in it."""
        base = self.kind.removesuffix("_overdue")
        what = KIND_TEXT[base]
        if today > self.due_on:
            when = f"已超期{(today - self.due_on).days}天"
        elif today == self.due_on:
            when = "就是今天"
        else:
            when = f"还有{(self.due_on - today).days}天"
        hint = {
            "mediation_due": "请尽快调结，或记录调解不成、终止调解。",
            "follow_up": "请回访协议履行情况。",
            "confirmation_window": "如当事人需要司法确认，请提醒双方在截止日前共同向法院申请。",
        }[base]
        return (f"【调解提醒】案件{self.case.display_number}（{self.case.case_type}）{what}：{self.due_on:%Y-%m-%d}，"
                f"{when}。{hint}请登录调解工作台处理。")


async def due_reminders(today: date, remind_before_days: int) -> list[DueReminder]:
    """Every reminder due today across all towns: deadlines within the horizon, or passed."""
    horizon = today + timedelta(days=remind_before_days)
    found = await Case.filter(due_soon_q(today, remind_before_days)).exclude(status=Status.ARCHIVED).order_by("id")
    out = []
    for case in found:
        for d in deadlines(case, today):
            if d.due_on <= horizon:
                overdue = today > d.due_on and d.kind != "confirmation_window"
                out.append(DueReminder(case, d.kind + ("_overdue" if overdue else ""), d.due_on))
    return out


async def claim(case_id: int, kind: str, due_on: date) -> bool:
    """Reserve a reminder; False when another worker (or an earlier scan) already has it."""
    try:
        await ReminderSent.create(case_id=case_id, kind=kind, due_on=due_on)
    except IntegrityError:
        return False
    return True


async def release(case_id: int, kind: str, due_on: date) -> None:
    """Give a reminder back after a failed send, so the next scan tries again."""
    await ReminderSent.filter(case_id=case_id, kind=kind, due_on=due_on).delete()


async def mark_sent(case_id: int, kind: str, due_on: date, recipients: int) -> None:
    """Record how many people the reminder reached."""
    await ReminderSent.filter(case_id=case_id, kind=kind, due_on=due_on).update(recipients=recipients)


async def recipients(case: Case) -> list[User]:
    """The assigned mediators with a WeChat openid; without any, the town's admins."""
    assigned = await User.filter(
        id__in=[a.mediator_id for a in await Assignment.filter(case=case)],  # type: ignore[attr-defined]
        active=True, openid__not_isnull=True,
    ).order_by("id")
    if assigned:
        return list(assigned)
    return list(await User.filter(town_id=case.town_id, role=Role.ADMIN, active=True,  # type: ignore[attr-defined]
                                  openid__not_isnull=True).order_by("id"))
