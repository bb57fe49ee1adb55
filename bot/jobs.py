"""The arq worker (`mingbai worker`): a cron job scans for due reminders on the same Redis as the server."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings
from arq.worker import Worker

import models
from bot.config import Settings
from bot.cs_retry import JOB, MAX_TRIES, QUEUE, send_customer_service
from bot.customer_service import CustomerService
from bot.notify import dispatch_job
from bot.quiet_hours import quiet_now
from bot.redis_store import make_clients
from bot.reminder_loop import scan
from bot.screening_reminders import cron_job as screening_reminder_scan
from services import case_types

log = logging.getLogger("mingbai.worker")


async def startup(ctx: dict[str, Any]) -> None:
    """Open the database and the WeChat client for the worker's lifetime."""
    settings: Settings = ctx["settings"]
    case_types.configure(settings.mediation.extra_case_types, settings.mediation.referrers)
    stack = AsyncExitStack()
    await stack.enter_async_context(models.database(settings.database.url))
    aio, sync = make_clients(settings.redis.url)
    ctx["stack"], ctx["aio"], ctx["sync"] = stack, aio, sync
    w = settings.wechat
    ctx["customer_service"] = CustomerService(w.appid, w.secret, w.api_base_url, sync, w.api_timeout_seconds)


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close what startup opened."""
    if "aio" in ctx:
        await ctx.pop("aio").aclose()
        ctx.pop("sync").close()
    if "stack" in ctx:
        await ctx.pop("stack").aclose()


async def reminder_scan(ctx: dict[str, Any]) -> dict[str, int]:
    """The cron job: send due reminders once."""
    settings: Settings = ctx["settings"]
    if quiet_now(settings.mediation):
        return {"due": 0, "sent": 0, "skipped": 0, "failed": 0, "quiet": 1}
    r = await scan(ctx["customer_service"], settings.mediation.remind_before_days)
    log.info("reminder scan: %d due, %d sent, %d skipped, %d failed", r.due, r.sent, r.skipped, r.failed)
    return {"due": r.due, "sent": r.sent, "skipped": r.skipped, "failed": r.failed}


def make_worker(settings: Settings, *, burst: bool = False, handle_signals: bool = True) -> Worker:
    """An arq worker for these settings; the scan runs every scan_interval (rounded to whole minutes)."""
    if not settings.redis.url:
        raise ValueError("the worker needs [redis] url (the embedded default scans inside the server)")
    step = max(1, min(60, settings.mediation.scan_interval_seconds // 60))
    minutes = set(range(0, 60, step))
    return Worker(
        functions=[func(send_customer_service, name=JOB, max_tries=MAX_TRIES),
                   func(dispatch_job, name="dispatch_notifications")],
        cron_jobs=[cron(reminder_scan, minute=minutes, second=0, run_at_startup=True, unique=True),
                   cron(dispatch_job, second={0, 20, 40}, run_at_startup=True, unique=True),
                   cron(screening_reminder_scan, hour={9}, minute={0}, second=0, unique=True)],
        redis_settings=RedisSettings.from_dsn(settings.redis.url),
        on_startup=startup, on_shutdown=shutdown, ctx={"settings": settings}, burst=burst,
        handle_signals=handle_signals, queue_name=QUEUE,
    )
