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


async def test_a_wechat_call_cancelled_as_it_completes_is_still_cancelled() -> None:
    """The cancel arrives after the send's thread has finished but before the waiting task wakes: the task
    must end cancelled, not carry on with the result (asyncio.wait_for on Python 3.11 returned it)."""
    import redis

    from bot.customer_service import CustomerService

    loop = asyncio.get_running_loop()
    cs = CustomerService("wxapp", "secret", "http://127.0.0.1:9", redis.Redis(), 5.0, threads=1)
    task: asyncio.Task[Any] | None = None

    def cancel_once_sent() -> None:
        # On the loop: wait until the send thread has finished (the one thread runs this no-op only after
        # it, and the result is on its way to the loop by then), then queue the cancel behind the result.
        assert task is not None
        cs.executor.submit(lambda: None).result()
        loop.call_soon(task.cancel)

    def send() -> str:
        loop.call_soon_threadsafe(cancel_once_sent)
        return "sent"

    async def step() -> str:
        result = await cs.call(send)
        return f"carried on after {result}"

    try:
        task = asyncio.create_task(step())
        async with asyncio.timeout(HANG_GUARD):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        assert task.cancelled()
    finally:
        cs.close()
