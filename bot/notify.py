"""Case notifications out to WeChat: the worker's dispatch job (arq cron), quiet hours, the 48-hour window.

The rows are queued by services.notifications in the transaction of each event; nothing here runs on a
request's path. Each row is claimed by one process (a conditional UPDATE) and sent once: through the
customer-service API inside the applicant's 48-hour window, as a template message outside it. A failed
send goes back with a growing delay and is given up after five attempts, logged without personal data.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot import keys
from bot.quiet_hours import quiet_until
from bot.reminder_loop import periodic_ctx
from knowledge.wording.dates import TZ
from services import notifications

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.customer_service import CustomerService

log = logging.getLogger("mingbai.notify")
EMBEDDED_INTERVAL_SECONDS = 20


@dataclass
class DispatchResult:
    """What one dispatch did."""

    sent: int = 0
    held: int = 0
    failed: int = 0
    given_up: int = 0
    skipped: int = 0




async def _send(cs: CustomerService, out: notifications.Outgoing, template_id: str) -> str:
    if out.channel == "template" and template_id:
        data = {"first": {"value": out.text}, "remark": {"value": "回复“查询”查看案件进度。"}}
        send = cs.client.message.send_template
        await cs.call(send, out.openid, template_id, data)
        return "template"
    await cs.send(out.openid, out.text)  # inside the window, or no template configured: customer service
    return "custom"


async def dispatch(cs: CustomerService, settings: Settings, now: datetime | None = None) -> DispatchResult:
    """Send every due notification this process manages to claim."""
    m = settings.mediation
    result = DispatchResult()
    for nid in await notifications.due(now or datetime.now(TZ)):
        at = now or datetime.now(TZ)
        out = await notifications.claim(nid, at)
        if out is None:
            result.skipped += 1  # another worker has it
            continue
        until = quiet_until(at, m.quiet_start, m.quiet_end)
        if until is not None:
            await notifications.hold(out.id, until)
            result.held += 1
            continue
        try:
            channel = await _send(cs, out, m.notify_template_id)
        except Exception as exc:
            given_up = await notifications.failed(out.id, out.attempt, type(exc).__name__, at)
            if given_up:
                log.warning("notification %s (%s) given up after %d attempts: %s", out.id, out.kind, out.attempt,
                            type(exc).__name__)
                result.given_up += 1
            else:
                log.info("notification %s (%s) failed, attempt %d: %s", out.id, out.kind, out.attempt,
                         type(exc).__name__)
                result.failed += 1
            continue
        await notifications.sent(out.id, channel, at)
        result.sent += 1
    return result


async def dispatch_job(ctx: dict[str, Any]) -> dict[str, int]:
    """The worker's cron job."""
    r = await dispatch(ctx["customer_service"], ctx["settings"])
    if r.sent or r.failed or r.given_up:
        log.info("notifications: %d sent, %d held, %d failed, %d given up", r.sent, r.held, r.failed, r.given_up)
    return {"sent": r.sent, "held": r.held, "failed": r.failed, "given_up": r.given_up, "skipped": r.skipped}


async def kick(app: web.Application) -> None:
    """Ask the worker to dispatch now (after a console action); never waits on the send itself."""
    pool = app.get(keys.ARQ)
    if pool is None:
        return
    from bot.cs_retry import QUEUE

    with contextlib.suppress(Exception):  # the cron job picks the rows up anyway
        await pool.enqueue_job("dispatch_notifications", _job_id=f"notify-{datetime.now(TZ):%Y%m%d%H%M%S}",
                               _queue_name=QUEUE)


async def _dispatch_step(app: web.Application) -> None:
    await dispatch(app[keys.CUSTOMER_SERVICE], app[keys.SETTINGS])


notify_loop_ctx = periodic_ctx("notify", _dispatch_step, lambda app: EMBEDDED_INTERVAL_SECONDS)


def setup(app: web.Application) -> None:
    """Dispatch in-process when embedded; otherwise `mingbai worker` does it."""
    if app[keys.SETTINGS].embedded:
        app.cleanup_ctx.append(notify_loop_ctx)
