"""Redis clients, and the Redis side of the conversation's stores (rate counts, user locks, user cache).

Each store falls back to its in-process version while the breaker says Redis is down: a rate
count or a lock per process is harmless then, because forms are paused (handlers.core.fsm).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import LockError

from handlers.core.middlewares import (
    MemoryRateCounter,
    MemoryUserLocks,
    context_from_json,
    context_to_json,
)
from handlers.core.resilience import REDIS_DOWN, Breaker
from handlers.core.types import Context

log = logging.getLogger("mingbai.redis")

PREFIX = "mingbai:"
CTX_TTL = 120  # seconds a loaded user is cached; saves and deletes of User also clear it


def make_clients(url: str) -> tuple[Any, Any]:
    """An asyncio client and a blocking client (for wechatpy's token storage) on the same data."""
    if url:
        import redis

        # bounded timeouts: a refused connection fails at once; a black-holed Redis within seconds
        opts: dict[str, Any] = {"socket_connect_timeout": 2.0, "socket_timeout": 3.0}
        return aioredis.from_url(url, **opts), redis.Redis.from_url(url, **opts)
    import fakeredis

    server = fakeredis.FakeServer()
    return fakeredis.FakeAsyncRedis(server=server), fakeredis.FakeRedis(server=server)


def ctx_key(openid: str) -> str:
    """The cached Context of a user."""
    return f"{PREFIX}ctx:{openid}"


def lock_key(openid: str) -> str:
    """The per-user lock."""
    return f"{PREFIX}lock:{openid}"


class RedisRateCounter:
    """Per-minute counts in Redis: INCR and EXPIRE in one transaction, so the count read is the count kept."""

    def __init__(self, redis: Any, breaker: Breaker) -> None:
        self.redis = redis
        self.breaker = breaker
        self.local = MemoryRateCounter()

    async def hit(self, openid: str) -> int:
        key = f"{PREFIX}rate:{openid}:{int(time.time() // 60)}"

        async def remote() -> int:
            async with self.redis.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(key).expire(key, 120).execute()
            return int(count)

        async def local() -> int:
            return await self.local.hit(openid)

        return await self.breaker.call(remote, local)


class RedisUserLocks:
    """redis-py's Lock per user, across processes; an in-process lock while Redis is down."""

    def __init__(self, redis: Any, breaker: Breaker, timeout: float = 30.0, wait: float = 10.0) -> None:
        self.redis = redis
        self.breaker = breaker
        self.timeout = timeout
        self.wait = wait
        self.local = MemoryUserLocks()

    @asynccontextmanager
    async def hold(self, openid: str) -> AsyncIterator[None]:
        lock = None
        if not self.breaker.open:
            lock = self.redis.lock(lock_key(openid), timeout=self.timeout, blocking_timeout=self.wait)
            try:
                acquired = await lock.acquire()
            except REDIS_DOWN as exc:
                self.breaker.trip(exc)
                lock = None
            else:
                self.breaker.ok()
                if not acquired:  # a stuck holder: go on rather than keep the user waiting
                    log.warning("user lock not acquired within %.0f s", self.wait)
                    lock = None
                    yield
                    return
        if lock is None:
            async with self.local.hold(openid):
                yield
            return
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockError:  # expired under a very slow handler; nothing to undo
                log.warning("user lock expired before release")
            except REDIS_DOWN:  # it expires by itself
                pass


class RedisUserCache:
    """Loaded users cached in Redis for CTX_TTL seconds; nothing cached while Redis is down."""

    def __init__(self, redis: Any, breaker: Breaker) -> None:
        self.redis = redis
        self.breaker = breaker

    async def get(self, openid: str) -> Context | None:
        async def remote() -> Context | None:
            raw = await self.redis.get(ctx_key(openid))
            return context_from_json(raw) if raw else None

        async def local() -> Context | None:
            return None

        return await self.breaker.call(remote, local)

    async def put(self, ctx: Context) -> None:
        async def remote() -> None:
            await self.redis.set(ctx_key(ctx.openid), context_to_json(ctx), ex=CTX_TTL)

        async def local() -> None:
            return None

        await self.breaker.call(remote, local)
