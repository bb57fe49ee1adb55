"""Background loops end when the server stops, even when a step swallowed the first cancel."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web

from bot import keys
from bot.reminder_loop import periodic_ctx, stop_task

HANG_GUARD = 30  # seconds: only so that a regression fails instead of hanging the suite


async def test_a_task_that_swallows_the_first_cancel_is_stopped() -> None:
    swallowed: list[int] = []

    async def stubborn_once() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.append(1)  # as asyncio.wait_for does on Python 3.11 when its call completes meanwhile
        await asyncio.sleep(3600)

    task = asyncio.create_task(stubborn_once())
    await asyncio.sleep(0)
    async with asyncio.timeout(HANG_GUARD):
        await stop_task(task, every=0.05)
    assert task.cancelled() and swallowed == [1]


async def test_a_periodic_loop_ends_at_shutdown_though_its_step_swallowed_the_cancel(make_settings: Any) -> None:
    in_step = asyncio.Event()
    swallowed: list[int] = []

    async def step(app: web.Application) -> None:
        in_step.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.append(1)

    app = web.Application()
    app[keys.SETTINGS] = make_settings(mediation={"quiet_start": "", "quiet_end": ""})
    ctx = periodic_ctx("test", step, lambda app: 3600.0)(app)
    await ctx.__anext__()
    await in_step.wait()
    async with asyncio.timeout(HANG_GUARD):
        with contextlib.suppress(StopAsyncIteration):
            await ctx.__anext__()
    assert swallowed == [1]
