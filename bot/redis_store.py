"""Redis clients, and the Redis side of the conversation's stores (rate counts, user locks, user cache).

Each store falls back to its in-process version while the breaker says Redis is down: a rate
count or a lock per process is harmless then, because forms are paused (handlers.core.fsm).
"""

from __future__ import annotations

import asyncio
import logging
import os
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
READ_TIMEOUT = 3.0  # seconds Redis may take to answer before it counts as down
CTX_TTL = 120  # seconds a loaded user is cached; saves and deletes of User also clear it


class BatchingRedis(aioredis.Redis):
    """redis-py's asyncio client whose commands, issued within `batch_window` seconds of each other,
    travel to Redis together as one redis-py Pipeline (transaction=False): one pool checkout, one
    write and one read for the lot, instead of one each. A speed device: bench/callback.py measures
    what it buys (README, Benchmarks). Each caller gets its own reply or its own error; a lost
    connection fails every command of that batch alike, as it would have failed each alone.
    Pipelines and pub/sub of this client are redis-py's own, unbatched.

    Its connections have no read timeout of their own: each batch is bounded as a whole by `timeout`
    (one timer a batch instead of one a command: −5% CPU a legal question in bench/ab.py, both orders), and
    fails with TimeoutError past it, as a silent Redis would; a caller of this client's own
    `pipeline()` bounds it itself (bot.wechat.delivery).
    """

    batch_window = 0.002
    timeout = READ_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[tuple[tuple[Any, ...], dict[str, Any], asyncio.Future[Any]]] = []
        self._flushing: set[asyncio.Task[None]] = set()

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        """Queue the command into the current batch and wait for its reply."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        if not self._pending:
            loop.call_later(self.batch_window, self._flush)
        self._pending.append((args, options, fut))
        return await fut

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.get_running_loop().create_task(self._send(batch))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)

    async def _send(self, batch: list[tuple[tuple[Any, ...], dict[str, Any], asyncio.Future[Any]]]) -> None:
        try:
            async with asyncio.timeout(self.timeout), self.pipeline(transaction=False) as pipe:
                for args, options, _ in batch:
                    pipe.execute_command(*args, **options)
                results = await pipe.execute(raise_on_error=False)
        except Exception as exc:
            results = [exc] * len(batch)
        for (_, _, fut), result in zip(batch, results, strict=True):
            if fut.done():  # the caller was cancelled; the command ran all the same
                continue
            if isinstance(result, Exception):
                fut.set_exception(result)
            else:
                fut.set_result(result)

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        """Send what is queued, then close."""
        self._flush()
        if self._flushing:
            await asyncio.wait(list(self._flushing))
        await super().aclose(close_connection_pool)


def make_clients(url: str, batch_window: float = 0.0) -> tuple[Any, Any]:
    """An asyncio client and a blocking client (for wechatpy's token storage) on the same data.

    `batch_window` > 0: the asyncio client batches its commands (BatchingRedis).
    """
    if url:
        import redis

        # bounded timeouts: a refused connection fails at once; a black-holed Redis within seconds
        opts: dict[str, Any] = {"socket_connect_timeout": 2.0, "socket_timeout": READ_TIMEOUT}
        aio: Any
        if batch_window > 0:
            aio = BatchingRedis.from_url(url, socket_connect_timeout=2.0)  # bounded per batch instead
            aio.batch_window = batch_window
        else:
            aio = aioredis.from_url(url, **opts)
        return aio, redis.Redis.from_url(url, **opts)
    import fakeredis

    server = fakeredis.FakeServer()
    return fakeredis.FakeAsyncRedis(server=server), fakeredis.FakeRedis(server=server)


def ctx_key(openid: str) -> str:
    """The cached Context of a user."""
    return f"{PREFIX}ctx:{openid}"


def lock_key(openid: str) -> str:
    """The per-user lock."""
    return f"{PREFIX}lock:{openid}"


# INCR, then the expiry on the first count: one atomic step, so the count read is the count kept.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 120) end
return n
"""


class RedisRateCounter:
    """Per-minute counts in Redis (INCR-then-check in one script)."""

    def __init__(self, redis: Any, breaker: Breaker) -> None:
        self.redis = redis
        self.breaker = breaker
        self.local = MemoryRateCounter()
        self._hit = redis.register_script(_HIT)

    async def hit(self, openid: str) -> int:
        key = f"{PREFIX}rate:{openid}:{int(time.time() // 60)}"

        async def remote() -> int:
            return int(await self._hit(keys=[key]))

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
                acquired = await lock.acquire(token=os.urandom(16).hex())  # (redis-py's own token is a uuid1: slower)
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
