"""Deadline reminders to mediators over WeChat: one scan, run by the arq worker or, when embedded, in-process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiohttp import web

from bot import keys
from bot.quiet_hours import quiet_now
from services import reminders
from services.cases import today as local_today

log = logging.getLogger("mingbai.reminders")


@dataclass
class ScanResult:
    """What one scan did."""

    due: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


async def scan(customer_service: Any, remind_before_days: int, today: date | None = None) -> ScanResult:
    """Send every due reminder not yet sent; a reminder claimed elsewhere is skipped, a failed one released."""
    day = today or local_today()
    result = ScanResult()
    for item in await reminders.due_reminders(day, remind_before_days):
        result.due += 1
        if not await reminders.claim(item.case.id, item.kind, item.due_on):
            result.skipped += 1
            continue
        people = await reminders.recipients(item.case)
        try:
            for person in people:
                await customer_service.send(person.openid, item.text(day))
        except Exception as exc:
            # Log the case id only: reminders carry no personal data, and logs must not either.
            log.warning("reminder %s for case %s failed: %s", item.kind, item.case.id, type(exc).__name__)
            await reminders.release(item.case.id, item.kind, item.due_on)
            result.failed += 1
            continue
        await reminders.mark_sent(item.case.id, item.kind, item.due_on, len(people))
        result.sent += 1
    return result


Step = Callable[[web.Application], Awaitable[None]]


def periodic_ctx(name: str, step: Step, seconds: Callable[[web.Application], float], *,
                 quiet: bool = False) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running `step` every `seconds` inside the server (the embedded default has no worker);
    a failing step is logged and tried again next time. `quiet`: the step is skipped in quiet hours."""

    async def loop(app: web.Application, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if not (quiet and quiet_now(app[keys.SETTINGS].mediation)):
                    await step(app)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed", name)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds(app)):
                    await stop.wait()

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(loop(app, stop), name=f"mingbai-{name}")
        yield
        stop.set()
        await stop_task(task)

    return ctx


async def stop_task(task: asyncio.Task[None], every: float = 1.0) -> None:
    """Cancel a background task and wait until it has ended.

    One cancel is not always enough: on Python 3.11 `asyncio.wait_for` returns its result instead of
    raising when the cancel arrives as the awaited call completes, and the loop would carry on (a
    server stopping in tests waited forever on a notification loop so). So cancel again until it ends.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=every)
    with contextlib.suppress(asyncio.CancelledError):
        task.result()


async def _scan_step(app: web.Application) -> None:
    r = await scan(app[keys.CUSTOMER_SERVICE], app[keys.SETTINGS].mediation.remind_before_days)
    if r.sent or r.failed:
        log.info("reminders: %d sent, %d failed", r.sent, r.failed)


reminder_loop_ctx = periodic_ctx("reminders", _scan_step,
                                 lambda app: app[keys.SETTINGS].mediation.scan_interval_seconds, quiet=True)


def setup(app: web.Application) -> None:
    """Run the reminder scan in-process when embedded; otherwise `mingbai worker` does it."""
    if app[keys.SETTINGS].embedded:
        app.cleanup_ctx.append(reminder_loop_ctx)
