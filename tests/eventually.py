"""One helper for polling: wait until something holds (another process, a background writer)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], T | Awaitable[T]], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Call `check` (plain or async) until it returns something truthy, and return that.

    The bound is generous on purpose (a slow, shared machine): it says how long to keep trying, not
    how fast anything must be. Past it, AssertionError with the last value seen.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        value: T = await result if inspect.isawaitable(result) else result  # type: ignore[assignment]
        if value or loop.time() >= deadline:
            break
        await asyncio.sleep(interval)
    assert value, f"still not true after {timeout} s: {value!r}"
    return value
