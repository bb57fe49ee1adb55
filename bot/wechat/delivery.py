"""WeChat's delivery rules, in one place: signature and freshness, replay, dedup claim, reply cache,
the 5-second budget and the customer-service fallback.

The path of a message (`receive`): read the body (413 past the limit) → the codec checks the
signature, the timestamp window and decrypts (403/400) → parse → `Delivery.claim`: one Redis script
checks the (timestamp, nonce) pair against the body (another body with the same pair is a replay,
403) and claims the message key (MsgId, or FromUserName + CreateTime for events) → a retry of a
claimed message waits for the first delivery's reply (`first_reply`) → the owner runs the
dispatcher within the budget (`answer`); past it, the reply cache says DELEGATED, WeChat gets
"success" and the reply goes out through the customer-service API from a tracked background task
(queued retries with backoff if that fails). The reply is cached for every later retry.

The dispatcher below knows nothing of this: it gets a Message and returns a Reply.

Redis down: claims, nonces and replies go to a bounded in-process window (per worker), and what
was kept there is copied to Redis (SET NX) as soon as it answers again, so a retry that reaches
another process after the outage finds the first reply. Across processes during the outage only
idempotent work runs (forms are paused in handlers.core.fsm), so a retry handled twice gets the
same answer.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web

from bot import keys
from bot.cs_retry import retry_later
from bot.metrics import Metrics
from bot.wechat.protocol import ProtocolError, render_reply, to_message
from bot.wechat.stored_replies import DELEGATED, dump_reply, load_reply
from handlers.core.resilience import REDIS_DOWN, Breaker, LocalStore
from handlers.core.types import Message, Reply

log = logging.getLogger("mingbai.wechat")

BUSY = "系统繁忙，请稍后再试。紧急情况请拨打110，法律咨询可拨打12348。"
PREFIX = "mingbai:"
SYNC_SECONDS = 5  # the copy of an outage's keys counts as failed past this (a Redis that accepts but never answers)
NONCE_TTL = 900  # longer than the timestamp window (±300 s): a pair cannot come back after it expires

# KEYS[1] the (timestamp, nonce) pair or '', KEYS[2] the message's claim; ARGV: body digest, TTLs.
_CLAIM = """
if KEYS[1] ~= '' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'replay' end
  end
end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then return 'own' end
return 'dup'
"""


class Claim(enum.Enum):
    """Who answers a delivery."""

    OWN = "own"  # this delivery runs the handlers
    DUPLICATE = "dup"  # a retry: it gets the first delivery's reply
    REPLAY = "replay"  # a (timestamp, nonce) pair seen with another body: refused


def claim_key(msg: Message) -> str:
    """The key that makes one delivery of a message the owner."""
    return f"{PREFIX}dedup:claim:{msg.dedup_key}"


def reply_key(msg: Message) -> str:
    """Where the reply of a message waits for its retries."""
    return f"{PREFIX}dedup:reply:{msg.dedup_key}"


class Delivery:
    """Claims, caches and times deliveries; `feed` is the dispatcher (Message -> Reply)."""

    def __init__(self, redis: Any, breaker: Breaker, feed: Callable[[Message], Coroutine[Any, Any, Reply]], *,
                 budget: float, customer_service: Any, metrics: Metrics,
                 arq: Callable[[], Any] = lambda: None, ttl: int = 600) -> None:
        self.redis = redis
        self.breaker = breaker
        self.feed = feed
        self.budget = budget
        self.customer_service = customer_service  # .send(openid, reply): WeChat's customer-service API
        self.metrics = metrics
        self.arq = arq
        self.ttl = ttl
        self.local = LocalStore()  # the window used while Redis is down
        self.unsynced: dict[str, int] = {}  # keys kept only locally, and their TTLs: copied to Redis on recovery
        self.background: set[asyncio.Task[Any]] = set()
        self._script = redis.register_script(_CLAIM)
        self._probe: asyncio.Task[None] | None = None

    async def claim(self, msg: Message, pair: str, digest: str) -> Claim:
        """Check the (timestamp, nonce) pair and claim the message, in Redis or, while it is down, here."""
        nonce = f"{PREFIX}nonce:{pair}" if pair else ""

        async def remote() -> Claim:
            if self.unsynced:
                await self._sync()
            verdict = await self._script(keys=[nonce, claim_key(msg)], args=[digest, NONCE_TTL, self.ttl])
            return Claim(verdict.decode() if isinstance(verdict, bytes) else verdict)

        async def local() -> Claim:
            self._start_probe()
            if nonce:
                seen = self.local.get(nonce)
                if seen is not None and seen != digest:
                    return Claim.REPLAY
                self._keep(nonce, digest, NONCE_TTL)
            if self.local.get(claim_key(msg)) is not None:
                return Claim.DUPLICATE
            self._keep(claim_key(msg), "1", self.ttl)
            return Claim.OWN

        verdict = await self.breaker.call(remote, local)
        if verdict is Claim.DUPLICATE:
            self.metrics.dedup_hits.inc()
        return verdict

    async def first_reply(self, msg: Message) -> Reply:
        """The reply of the delivery that owns this message, waited for within the budget.

        None ("success") when it went out through the customer-service API or is not ready in time:
        WeChat's next retry asks again.
        """
        deadline = time.monotonic() + self.budget
        while True:
            raw = await self._cached(msg)
            if raw is not None or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        if raw is None or raw == DELEGATED:
            return None
        return load_reply(raw)

    async def answer(self, msg: Message) -> Reply:
        """Run the dispatcher within the budget and cache its reply; past the budget, hand it over."""
        task: asyncio.Task[Reply] = asyncio.create_task(self.feed(msg))
        done, _ = await asyncio.wait({task}, timeout=self.budget)
        if not done:
            await self._publish(msg, DELEGATED)
            self.metrics.cs_fallbacks.inc()
            self._spawn(self._send_later(msg, task))
            return None
        try:
            reply = task.result()
        except Exception:  # never a 500 to WeChat: the user gets a polite answer, the log the traceback
            log.exception("handler failed for a %s message", msg.type)
            reply = BUSY
        await self._publish(msg, dump_reply(reply))
        return reply

    async def _cached(self, msg: Message) -> str | None:
        key = reply_key(msg)

        async def remote() -> str | None:
            raw = await self.redis.get(key)
            if raw is None:
                return self.local.get(key)  # the reply of an outage, not yet copied
            return raw.decode() if isinstance(raw, bytes) else str(raw)

        async def local() -> str | None:
            value: str | None = self.local.get(key)
            return value

        return await self.breaker.call(remote, local)

    async def _publish(self, msg: Message, value: str) -> None:
        key = reply_key(msg)

        async def remote() -> None:
            await self.redis.set(key, value, nx=True, ex=self.ttl)

        async def local() -> None:
            self._keep(key, value, self.ttl)

        await self.breaker.call(remote, local)

    def _keep(self, key: str, value: str, ttl: int) -> None:
        if self.local.set(key, value, ttl, nx=True):
            self.unsynced[key] = ttl

    async def _sync(self) -> None:
        """Copy what the outage kept locally into Redis, without overwriting what other processes stored."""
        pending, self.unsynced = self.unsynced, {}
        try:
            async with asyncio.timeout(SYNC_SECONDS), self.redis.pipeline(transaction=False) as pipe:
                for key, ttl in pending.items():
                    value = self.local.get(key)
                    if value is not None:
                        pipe.set(key, value, nx=True, ex=ttl)
                await pipe.execute()
        except REDIS_DOWN:  # (TimeoutError among them) kept for the next try
            self.unsynced.update(pending)
            raise
        log.info("copied %d keys of the outage to Redis", len(pending))

    def _start_probe(self) -> None:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._probe_until_back())

    async def _probe_until_back(self, every: float = 0.5) -> None:
        """While Redis is down, try it twice a second; once it answers, copy the outage's keys at once."""
        while self.unsynced:
            await asyncio.sleep(every)
            try:
                await self.redis.ping()
                await self._sync()
            except REDIS_DOWN:
                continue
            self.breaker.ok()

    async def _send_later(self, msg: Message, task: asyncio.Task[Reply]) -> None:
        try:
            reply = await task
        except Exception:
            log.exception("slow handler failed")
            reply = BUSY
        try:
            await self.customer_service.send(msg.openid, reply)
        except Exception as exc:
            self.metrics.cs_failures.inc()
            log.warning("customer-service send failed (%s): retrying with backoff", type(exc).__name__)
            await retry_later(self.arq(), self.customer_service, msg.openid, reply)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def drain(self, timeout: float = 10) -> None:
        """Wait (bounded) for the customer-service sends in flight; stop the probe."""
        if self.background:
            log.info("draining %d background sends", len(self.background))
            await asyncio.wait(list(self.background), timeout=timeout)
        if self._probe is not None:
            self._probe.cancel()


async def _read_body(request: web.Request, limit: int) -> bytes:
    """The body, refused with 413 from Content-Length, or while streaming once it passes the limit.

    aiohttp's read() counts as chunks arrive and stops at the application's client_max_size, which
    create_app sets to the same [server] max_body_bytes.
    """
    if request.content_length is not None and request.content_length > limit:
        raise ProtocolError(413, "body too large")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ProtocolError(413, "body too large") from None
    if len(body) > limit:
        raise ProtocolError(413, "body too large")
    return body


async def receive(request: web.Request) -> web.Response:
    """POST /wechat: a message from WeChat. Never a 500: failures are logged and answered politely."""
    app = request.app
    metrics = app[keys.METRICS]
    delivery = app[keys.DELIVERY]
    try:
        body = await _read_body(request, app[keys.SETTINGS].server.max_body_bytes)
        incoming = app[keys.CODEC].open(dict(request.query), body)  # signature, freshness, decryption
        msg = to_message(incoming.xml)
    except ProtocolError as exc:
        metrics.rejected.labels(exc.reason).inc()
        log.info("rejected callback: %s", exc.reason)
        return web.Response(status=exc.status, text=exc.reason)
    except Exception:
        log.exception("callback failed before dispatch")
        return web.Response(text="success")
    timestamp, nonce = request.query.get("timestamp", ""), request.query.get("nonce", "")
    try:
        verdict = await delivery.claim(msg, f"{timestamp}:{nonce}", hashlib.sha256(body).hexdigest())
    except Exception:  # Redis answered with an error, not an outage: refuse rather than guess
        log.exception("claim failed")
        return web.Response(text="success")
    if verdict is Claim.REPLAY:
        metrics.rejected.labels("replayed nonce").inc()
        return web.Response(status=403, text="replayed nonce")
    reply = await (delivery.first_reply(msg) if verdict is Claim.DUPLICATE else delivery.answer(msg))
    xml = render_reply(reply, msg)
    if reply is None:
        return web.Response(text=xml)
    return web.Response(text=app[keys.CODEC].seal(xml, incoming, nonce, timestamp), content_type="application/xml")
