"""Working on when Redis is down: a circuit breaker and a bounded in-process store with expiry.

While Redis is unreachable the server degrades instead of failing: questions keep flowing, forms
pause (handlers.core.fsm), dedup and replay checks use a bounded window in each process
(bot/wechat/delivery.py), /healthz says 'degraded'; the breaker lets a request try Redis again
every few seconds, so service recovers without a restart.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("mingbai.resilience")

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
T = TypeVar("T")


class Breaker:
    """Open for `cooldown` seconds after a Redis failure: callers go straight to their fallback."""

    def __init__(self, cooldown: float = 2.0, on_change: Callable[[bool], None] | None = None) -> None:
        self.cooldown = cooldown
        self.until = 0.0
        self.on_change = on_change
        self.degraded = False

    @property
    def open(self) -> bool:
        """True while Redis is considered down."""
        return time.monotonic() < self.until

    def trip(self, exc: BaseException) -> None:
        """Record a failure."""
        self.until = time.monotonic() + self.cooldown
        if not self.degraded:
            self.degraded = True
            log.warning("Redis unreachable (%s): forms paused, dedup within each process", type(exc).__name__)
            if self.on_change:
                self.on_change(True)

    def ok(self) -> None:
        """Record a success: the breaker closes at once."""
        self.until = 0.0
        if self.degraded:
            self.degraded = False
            log.warning("Redis is back")
            if self.on_change:
                self.on_change(False)

    async def call(self, primary: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]) -> T:
        """Run primary unless the breaker is open; on a Redis connection failure run fallback."""
        if self.open:
            return await fallback()
        try:
            result = await primary()
        except REDIS_DOWN as exc:
            self.trip(exc)
            return await fallback()
        self.ok()
        return result


class LocalStore:
    """A small in-process key-value store with expiry and NX, bounded in size."""

    def __init__(self, max_items: int = 50_000) -> None:
        self.items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.max_items = max_items

    def get(self, key: str) -> Any:
        item = self.items.get(key)
        if item is None:
            return None
        if item[0] < time.monotonic():
            del self.items[key]
            return None
        return item[1]

    def set(self, key: str, value: Any, ttl: float, nx: bool = False) -> bool:
        if nx and self.get(key) is not None:
            return False
        self.items[key] = (time.monotonic() + ttl, value)
        self.items.move_to_end(key)
        while len(self.items) > self.max_items:
            self.items.popitem(last=False)
        return True
