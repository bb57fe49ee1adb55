"""One helper for polling: wait until something holds (another process, a background writer).

`eventually` in async code; `eventually_blocking` is the same loop for code that is not async (the
fixtures that start server processes). The bounds are generous on purpose (a slow, shared machine):
they say how long to keep trying, not how fast anything must be.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], T | Awaitable[T]], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Call `check` (plain or async) until it returns something truthy, and return that.

    Past `timeout`, AssertionError with the last value seen.
    """
    value: T
    for attempt in range(_attempts(timeout, interval)):
        if attempt:
            await asyncio.sleep(interval)
        result = check()
        value = await result if inspect.isawaitable(result) else result  # type: ignore[assignment]
        if value:
            return value
    raise AssertionError(f"still not true after {timeout} s: {value!r}")


def eventually_blocking(check: Callable[[], T], timeout: float = 10.0, interval: float = 0.05) -> T:
    """`eventually` for code that is not async: call `check` until it returns something truthy."""
    value: T
    for attempt in range(_attempts(timeout, interval)):
        if attempt:
            time.sleep(interval)
        value = check()
        if value:
            return value
    raise AssertionError(f"still not true after {timeout} s: {value!r}")


def _attempts(timeout: float, interval: float) -> int:
    return max(1, math.ceil(timeout / interval) + 1)
