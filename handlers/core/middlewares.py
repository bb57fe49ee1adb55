"""Middlewares: dedup (reply cache), rate limit, per-user lock, user loading, timing."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from handlers.core.dispatcher import Next
from handlers.core.paging import Page
from handlers.core.types import Article, Articles, Context, Message, Reply

log = logging.getLogger("mingbai.handlers")

DELEGATED = "__delegated__"  # the answer goes out through the customer-service API instead


def dump_reply(reply: Reply) -> str:
    """Serialize a reply for the cache."""
    if isinstance(reply, Articles):
        return json.dumps({"articles": [asdict(a) for a in reply.items]}, ensure_ascii=False)
    return json.dumps({"text": reply}, ensure_ascii=False)


def load_reply(raw: str) -> Reply:
    """Inverse of dump_reply."""
    data = json.loads(raw)
    if "articles" in data:
        return Articles(tuple(Article(**a) for a in data["articles"]))
    text: str | None = data["text"]
    return text


class ReplyCache:
    """Who handles a message, and the reply every retry of it gets (Redis, shared by processes).

    `claim` is won by exactly one delivery of a message key. The reply is then written once with
    SET NX: either the handler's reply, or DELEGATED when the answer missed WeChat's 5 seconds.
    """

    def __init__(self, redis: Any, ttl: int = 600, prefix: str = "mingbai:dedup:") -> None:
        self.redis = redis
        self.ttl = ttl
        self.prefix = prefix

    async def claim(self, key: str) -> bool:
        """True for the first delivery of this message."""
        return bool(await self.redis.set(f"{self.prefix}claim:{key}", "1", nx=True, ex=self.ttl))

    async def publish(self, key: str, value: str) -> bool:
        """Store the reply of a message unless one was stored already; True if this call stored it."""
        return bool(await self.redis.set(f"{self.prefix}reply:{key}", value, nx=True, ex=self.ttl))

    async def get(self, key: str) -> str | None:
        """The stored reply (or DELEGATED), if any."""
        raw = await self.redis.get(f"{self.prefix}reply:{key}")
        return raw.decode() if isinstance(raw, bytes) else raw

    async def wait(self, key: str, timeout: float, interval: float = 0.05) -> str | None:
        """Wait for the reply of a message being handled elsewhere."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.get(key)
            if value is not None or time.monotonic() >= deadline:
                return value
            await asyncio.sleep(interval)


class Duplicate(Exception):
    """Raised to the transport when a message is a retry; carries the cached reply."""

    def __init__(self, cached: str | None) -> None:
        super().__init__("duplicate message")
        self.cached = cached


class DedupMiddleware:
    """A retried MsgId is processed once; later deliveries get the first delivery's reply."""

    def __init__(self, cache: ReplyCache, wait_seconds: float, on_hit: Callable[[], None] | None = None) -> None:
        self.cache = cache
        self.wait_seconds = wait_seconds
        self.on_hit = on_hit

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        key = event.dedup_key
        if not await self.cache.claim(key):
            if self.on_hit:
                self.on_hit()
            raise Duplicate(await self.cache.wait(key, self.wait_seconds))
        reply = await handler(event, data)
        await self.cache.publish(key, dump_reply(reply))
        return reply


class RateLimitMiddleware:
    """At most N messages per openid per minute (fixed window in Redis); then a polite refusal."""

    MESSAGE = "您发送得太快了，请稍等一分钟再试。紧急情况请拨打110，法律咨询可拨打12348。"

    def __init__(self, redis: Any, per_minute: int, on_limited: Callable[[], None] | None = None) -> None:
        self.redis = redis
        self.per_minute = per_minute
        self.on_limited = on_limited

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        window = int(time.time() // 60)
        key = f"mingbai:rate:{event.openid}:{window}"
        count = await self.redis.incr(key)
        if count == 1:
            await self.redis.expire(key, 120)
        if count > self.per_minute:
            if self.on_limited:
                self.on_limited()
            return self.MESSAGE
        return await handler(event, data)


class UserLockMiddleware:
    """One message per user at a time, across processes, so form steps never interleave."""

    def __init__(self, redis: Any, timeout: float = 30.0, wait: float = 10.0) -> None:
        self.redis = redis
        self.timeout = timeout
        self.wait = wait

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        lock = self.redis.lock(f"mingbai:lock:{event.openid}", timeout=self.timeout, blocking_timeout=self.wait)
        acquired = await lock.acquire()
        try:
            return await handler(event, data)
        finally:
            if acquired:
                try:
                    await lock.release()
                except Exception:  # the lock expired under a very slow handler; nothing to undo
                    log.warning("user lock expired before release")


UserLoader = Callable[[str], Awaitable[Context]]


class UserMiddleware:
    """Loads who is talking (role, town) into `ctx` before the handlers run."""

    def __init__(self, loader: UserLoader) -> None:
        self.loader = loader

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        data["ctx"] = await self.loader(event.openid)
        return await handler(event, data)


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

    def __init__(self, pager: Any) -> None:
        self.pager = pager

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        reply = await handler(event, data)
        if isinstance(reply, str) and not isinstance(reply, Page):
            return str(await self.pager.paginate(event.openid, reply))
        return reply
