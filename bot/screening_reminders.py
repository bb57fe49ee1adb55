"""Reminders to a village's helpers when its 矛盾纠纷排查 is overdue: the worker's cron, or in-process when embedded."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot import keys
from bot.reminder_loop import periodic_ctx
from knowledge.wording.dates import today as local_today
from models.core import Role, Town, User
from services.screening import claim_reminder, finish_reminder, overdue_villages

log = logging.getLogger("mingbai.screening")


@dataclass
class ScanResult:
    """What one scan did."""

    overdue: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def reminder_text(village: str, last: dt.date | None, cycle_days: int) -> str:
    """The message a helper gets."""
    since = f"上次登记是{last:%-m月%-d日}" if last else "还没有登记过排查"
    return (f"提醒：{village}已超过{cycle_days}天没有登记矛盾纠纷排查（{since}）。"
            "排查后请回复“登记排查”登记，发现的纠纷可以引导当事人“申请调解”。")


async def scan(customer_service: Any, cycle_days: int, today: dt.date | None = None) -> ScanResult:
    """Tell each overdue village's bound helpers once per due date; a failed send is tried again next scan."""
    day = today or local_today()
    result = ScanResult()
    for town in await Town.all().order_by("id"):
        for item in await overdue_villages(town.id, day, cycle_days):
            result.overdue += 1
            due_on = item.due_on(day, cycle_days)
            people = await User.filter(village_id=item.village_id, role=Role.HELPER, active=True,
                                       openid__isnull=False)
            if not people:
                continue
            if not await claim_reminder(item.village_id, due_on):
                result.skipped += 1
                continue
            try:
                for person in people:
                    await customer_service.send(person.openid, reminder_text(item.village_name, item.last,
                                                                             cycle_days))
            except Exception as exc:  # the village id only: reminders carry no personal data
                log.warning("screening reminder for village %s failed: %s", item.village_id, type(exc).__name__)
                await finish_reminder(item.village_id, due_on, None)
                result.failed += 1
                continue
            await finish_reminder(item.village_id, due_on, len(people))
            result.sent += 1
    return result


async def _scan_step(app: web.Application) -> None:
    r = await scan(app[keys.CUSTOMER_SERVICE], app[keys.SETTINGS].outreach.screening_cycle_days)
    if r.sent or r.failed:
        log.info("screening reminders: %d sent, %d failed", r.sent, r.failed)


loop_ctx = periodic_ctx("screening-reminders", _scan_step,
                        lambda app: app[keys.SETTINGS].mediation.scan_interval_seconds, quiet=True)


def setup(app: web.Application) -> None:
    """Scan in-process when embedded; otherwise `mingbai worker` runs the cron job."""
    if app[keys.SETTINGS].embedded:
        app.cleanup_ctx.append(loop_ctx)


async def cron_job(ctx: dict[str, Any]) -> dict[str, int]:
    """The worker's cron job."""
    r = await scan(ctx["customer_service"], ctx["settings"].outreach.screening_cycle_days)
    log.info("screening reminders: %d overdue, %d sent, %d skipped, %d failed", r.overdue, r.sent, r.skipped,
             r.failed)
    return {"overdue": r.overdue, "sent": r.sent, "skipped": r.skipped, "failed": r.failed}
