"""Middlewares: rate limit, per-user lock, user loading, timing, paging. Each owns its own state.

The order is written once, in `handlers.build_dispatcher`: timing, rate limit, user lock, user,
the form layer (handlers.core.fsm.FormMiddleware, which owns `state`), then paging. Each middleware talks to its store
through a small protocol below; the Redis versions live in bot/redis_store.py, the in-process
ones here (tests, `mingbai ask`, and each Redis version's fallback while Redis is down).
Delivery guarantees (dedup, replay, the 5-second rule) are the transport's, not these.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from handlers.core.dispatcher import Next
from handlers.core.paging import Page, Pager
from handlers.core.types import Context, Message, Reply
from models.core import Role


class RateCounter(Protocol):
    """Counts a user's messages in the current minute."""

    async def hit(self, openid: str) -> int:
        """Count this message; the number of messages this minute, this one included (atomic)."""
        ...


class UserLocks(Protocol):
    """One message per user at a time."""

    def hold(self, openid: str) -> AbstractAsyncContextManager[None]:
        """Held while one message of this user is handled."""
        ...


class UserCache(Protocol):
    """A short-lived cache of who is talking."""

    async def get(self, openid: str) -> Context | None:
        """The cached Context, if any."""
        ...

    async def put(self, ctx: Context) -> None:
        """Cache a Context."""
        ...


class MemoryRateCounter:
    """Per-minute counts in this process."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int]] = Counter()

    async def hit(self, openid: str) -> int:
        minute = int(time.time() // 60)
        if len(self.counts) > 10_000:  # old minutes go
            for key in [k for k in self.counts if k[1] < minute]:
                del self.counts[key]
        self.counts[(openid, minute)] += 1
        return self.counts[(openid, minute)]


class MemoryUserLocks:
    """asyncio locks per user in this process; a user's lock is dropped when nobody holds or waits."""

    def __init__(self) -> None:
        self.locks: dict[str, asyncio.Lock] = {}
        self.users: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, openid: str) -> AsyncIterator[None]:
        lock = self.locks.setdefault(openid, asyncio.Lock())
        self.users[openid] += 1
        try:
            async with lock:
                yield
        finally:
            self.users[openid] -= 1
            if not self.users[openid]:
                del self.users[openid]
                self.locks.pop(openid, None)


class RateLimitMiddleware:
    """At most N messages per openid per minute; then a polite refusal."""

    MESSAGE = "您发送得太快了，请稍等一分钟再试。紧急情况请拨打110，法律咨询可拨打12348。"

    def __init__(self, counter: RateCounter, per_minute: int, on_limited: Callable[[], None] | None = None) -> None:
        self.counter = counter
        self.per_minute = per_minute
        self.on_limited = on_limited

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        if await self.counter.hit(event.openid) > self.per_minute:
            if self.on_limited:
                self.on_limited()
            return self.MESSAGE
        return await handler(event, data)


class UserLockMiddleware:
    """One message per user at a time, across processes, so form steps never interleave."""

    def __init__(self, locks: UserLocks) -> None:
        self.locks = locks

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        async with self.locks.hold(event.openid):
            return await handler(event, data)


UserLoader = Callable[[str], Awaitable[Context]]


class UserMiddleware:
    """Loads who is talking (role, town) into `ctx`, through a short-lived cache when given."""

    def __init__(self, loader: UserLoader, cache: UserCache | None = None) -> None:
        self.loader = loader
        self.cache = cache

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        ctx = await self.cache.get(event.openid) if self.cache is not None else None
        if ctx is None:
            ctx = await self.loader(event.openid)
            if self.cache is not None and not ctx.extras.get("degraded"):
                await self.cache.put(ctx)
        data["ctx"] = ctx
        return await handler(event, data)


def context_to_json(ctx: Context) -> str:
    """Serialize a Context for the cache."""
    return json.dumps({"openid": ctx.openid, "role": str(ctx.role), "user_id": ctx.user_id,
                       "town_id": ctx.town_id, "display_name": ctx.display_name}, ensure_ascii=False)


def context_from_json(raw: str) -> Context:
    """Inverse of context_to_json: a new Context each time (handlers may change theirs)."""
    d = json.loads(raw)
    return Context(openid=d["openid"], role=Role(d["role"]), user_id=d["user_id"], town_id=d["town_id"],
                   display_name=d["display_name"])


class TimingMiddleware:
    """Reports how long handling took to an observer (the metrics histogram)."""

    def __init__(self, observe: Callable[[float], None]) -> None:
        self.observe = observe

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        start = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            self.observe(time.perf_counter() - start)


class PagingMiddleware:
    """Long text replies are split; the rest waits for '更多'."""

    def __init__(self, pager: Pager) -> None:
        self.pager = pager

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        reply = await handler(event, data)
        if isinstance(reply, str) and not isinstance(reply, Page):
            return str(await self.pager.paginate(data["state"], reply))
        return reply
