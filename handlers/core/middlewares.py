"""Middlewares: admission (one Redis round trip), dedup, rate limit, per-user lock, user loading, timing.

On the server every message costs two Redis commands: AdmissionMiddleware runs one script that
checks the nonce, claims the message, counts the rate, takes the user's lock and reads the cached
user and form state; DedupMiddleware ends with one script that stores the reply and frees the lock.
Both go through the cache's AutoPipeline, so the commands of concurrent messages share round trips.
Dedup and rate limit read what admission found, so they come after it in the chain.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from handlers.core.autopipe import AutoPipeline
from handlers.core.dispatcher import Next
from handlers.core.paging import Page
from handlers.core.resilience import REDIS_DOWN, Breaker, LocalStore
from handlers.core.types import Article, Articles, Context, Message, Reply
from models.core import Role

log = logging.getLogger("mingbai.handlers")

DELEGATED = "__delegated__"  # the answer goes out through the customer-service API instead
PREFIX = "mingbai:"
CTX_TTL = 120  # seconds a loaded user is cached; saves and deletes of User also clear it


def dump_reply(reply: Reply) -> str:
    """Serialize a reply for the cache: a text reply as 't' + text, news as 'a' + JSON, none as 'n'.

    Text is the reply of nearly every message; stored as it is, it costs no JSON encoding.
    """
    if isinstance(reply, Articles):
        return "a" + json.dumps([asdict(a) for a in reply.items], ensure_ascii=False)
    if reply is None:
        return "n"
    return "t" + reply


def load_reply(raw: str) -> Reply:
    """Inverse of dump_reply; also reads the JSON form earlier versions stored (a rolling upgrade)."""
    kind = raw[:1]
    if kind == "t":
        return raw[1:]
    if kind == "a":
        return Articles(tuple(Article(**a) for a in json.loads(raw[1:])))
    if kind == "n":
        return None
    data = json.loads(raw)
    if "articles" in data:
        return Articles(tuple(Article(**a) for a in data["articles"]))
    text: str | None = data["text"]
    return text


def _text(raw: Any) -> str | None:
    return raw.decode() if isinstance(raw, bytes) else raw


class ReplyCache:
    """Who handles a message, and the reply every retry of it gets (Redis, shared by processes).

    The admission script claims a message key for exactly one delivery. The reply is then written once with
    SET NX: either the handler's reply, or DELEGATED when the answer missed WeChat's 5 seconds.
    While Redis is down the same happens in this process's memory.
    """

    def __init__(self, redis: Any, ttl: int = 600, breaker: Breaker | None = None,
                 local: LocalStore | None = None, batch_window: float = 0.0) -> None:
        self.redis = redis
        self.ttl = ttl
        self.breaker = breaker or Breaker()
        self.local = local or LocalStore()
        self.pipe = AutoPipeline(redis, window=batch_window)

    @staticmethod
    def claim_key(key: str) -> str:
        return f"{PREFIX}dedup:claim:{key}"

    @staticmethod
    def reply_key(key: str) -> str:
        return f"{PREFIX}dedup:reply:{key}"

    async def publish(self, key: str, value: str) -> bool:
        """Store the reply of a message unless one was stored already; True if this call stored it."""

        async def remote() -> bool:
            return bool(await self.redis.set(self.reply_key(key), value, nx=True, ex=self.ttl))

        async def local() -> bool:
            return self.local.set(self.reply_key(key), value, self.ttl, nx=True)

        return await self.breaker.call(remote, local)

    async def get(self, key: str) -> str | None:
        """The stored reply (or DELEGATED), if any."""

        async def remote() -> str | None:
            return _text(await self.redis.get(self.reply_key(key))) or self.local.get(self.reply_key(key))

        async def local() -> str | None:
            value: str | None = self.local.get(self.reply_key(key))
            return value

        return await self.breaker.call(remote, local)

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


class Replay(Exception):
    """Raised to the transport when a (timestamp, nonce) pair comes back with another body."""


_ADMIT = """
if KEYS[1] ~= '' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'replay'} end
  end
end
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then return {'dup'} end
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('EXPIRE', KEYS[3], 120) end
local locked = 0
if redis.call('SET', KEYS[4], ARGV[4], 'NX', 'PX', ARGV[5]) then locked = 1 end
local cached = redis.call('MGET', KEYS[5], KEYS[6])
return {'own', n, locked, cached[1] or '', cached[2] or '', redis.call('EXISTS', KEYS[7])}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# Store the reply unless one is stored (KEYS[1]); free the per-user locks held with token ARGV[3].
_FINISH = """
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[3] then redis.call('DEL', KEYS[i]) end
end
return 1
"""


@dataclass
class Admission:
    """What the admission script found out about one message, in one round trip."""

    rate_count: int = 0
    lock_token: str = ""
    locked: bool = False
    cached_ctx: str = ""
    has_more: bool = False
    release: list[str] = field(default_factory=list)  # lock keys to free with the reply
    local_lock: asyncio.Lock | None = None  # held instead of the Redis lock while Redis is down


def lock_key(openid: str) -> str:
    """The per-user lock."""
    return f"{PREFIX}lock:{openid}"


def ctx_key(openid: str) -> str:
    """The cached Context of a user."""
    return f"{PREFIX}ctx:{openid}"


class AdmissionMiddleware:
    """Runs the admission script; raises Replay or Duplicate; seeds the form state and lock."""

    def __init__(self, redis: Any, cache: ReplyCache, wait_seconds: float, lock_ms: int = 30000,
                 on_duplicate: Callable[[], None] | None = None) -> None:
        self.redis = redis
        self.cache = cache
        self.wait_seconds = wait_seconds
        self.lock_ms = lock_ms
        self.on_duplicate = on_duplicate
        # lock tokens: random per process (the app is built in each worker), then a counter;
        # unique is all a lock owner needs, and os.urandom per message is a system call
        self._token_prefix = secrets.token_hex(8)
        self._token_seq = itertools.count()

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        if self.cache.breaker.open:
            return await self._local(handler, event, data)
        nonce_key, digest = data.get("replay_check", ("", ""))
        token = f"{self._token_prefix}{next(self._token_seq):x}"
        state = data["state"]
        try:
            result = await self._admit(event, state, nonce_key, digest, token)
        except REDIS_DOWN as exc:
            self.cache.breaker.trip(exc)
            return await self._local(handler, event, data)
        self.cache.breaker.ok()
        verdict = _text(result[0])
        if verdict == "replay":
            raise Replay()
        if verdict == "dup":
            if self.on_duplicate:
                self.on_duplicate()
            raise Duplicate(await self.cache.wait(event.dedup_key, self.wait_seconds))
        state.seed(_text(result[4]) or "")
        data["admission"] = Admission(
            rate_count=int(result[1]), lock_token=token, locked=bool(result[2]),
            cached_ctx=_text(result[3]) or "", has_more=bool(result[5]),
        )
        return await handler(event, data)

    async def _admit(self, event: Message, state: Any, nonce_key: str, digest: str, token: str) -> Any:
        return await self.cache.pipe.script(
            _ADMIT, 7,
            nonce_key, ReplyCache.claim_key(event.dedup_key),
            f"{PREFIX}rate:{event.openid}:{int(time.time() // 60)}", lock_key(event.openid),
            ctx_key(event.openid), state.storage_key, state.storage.full_key(f"more:{event.openid}"),
            digest, 900, self.cache.ttl, token, self.lock_ms,
        )

    async def _local(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        """Redis is down: dedup, rate and lock in this process only (nonces cannot be checked)."""
        local = self.cache.local
        if not local.set(ReplyCache.claim_key(event.dedup_key), "1", self.cache.ttl, nx=True):
            if self.on_duplicate:
                self.on_duplicate()
            raise Duplicate(await self.cache.wait(event.dedup_key, self.wait_seconds))
        lock = local.lock(lock_key(event.openid))
        await lock.acquire()
        data["admission"] = Admission(
            rate_count=local.incr(f"{PREFIX}rate:{event.openid}:{int(time.time() // 60)}", 120),
            locked=True, has_more=True, local_lock=lock,
        )
        return await handler(event, data)


class DedupMiddleware:
    """A retried MsgId is processed once; later deliveries get the first delivery's reply."""

    def __init__(self, cache: ReplyCache) -> None:
        self.cache = cache

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        # AdmissionMiddleware already claimed the message (or raised Duplicate): store the reply.
        key = event.dedup_key
        admission: Admission = data["admission"]
        try:
            reply = await handler(event, data)
        except BaseException:
            await self._free(admission)
            raise
        if admission.local_lock is not None:
            await self.cache.publish(key, dump_reply(reply))
            await self._free(admission)
            return reply
        try:
            await self.cache.pipe.script(
                _FINISH, 1 + len(admission.release), ReplyCache.reply_key(key), *admission.release,
                dump_reply(reply), self.cache.ttl, admission.lock_token,
            )
        except REDIS_DOWN as exc:  # Redis went away mid-message: retries still find the reply here
            self.cache.breaker.trip(exc)
            self.cache.local.set(ReplyCache.reply_key(key), dump_reply(reply), self.cache.ttl, nx=True)
        return reply

    async def _free(self, admission: Admission) -> None:
        if admission.local_lock is not None:
            if admission.local_lock.locked():
                admission.local_lock.release()
            return
        for lock in admission.release:
            try:
                await self.cache.pipe.script(_RELEASE, 1, lock, admission.lock_token)
            except REDIS_DOWN:  # the lock expires by itself
                pass


class RateLimitMiddleware:
    """At most N messages per openid per minute (fixed window in Redis); then a polite refusal."""

    MESSAGE = "您发送得太快了，请稍等一分钟再试。紧急情况请拨打110，法律咨询可拨打12348。"

    def __init__(self, per_minute: int, on_limited: Callable[[], None] | None = None) -> None:
        self.per_minute = per_minute
        self.on_limited = on_limited

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        count = data["admission"].rate_count  # counted by the admission script
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
        admission: Admission | None = data.get("admission")
        if admission is not None and admission.locked:
            admission.release.append(lock_key(event.openid))  # freed with the reply, one round trip
            return await handler(event, data)
        lock = self.redis.lock(lock_key(event.openid), timeout=self.timeout, blocking_timeout=self.wait)
        acquired = await lock.acquire()
        if acquired and admission is not None:
            await data["state"].reload()  # the previous message of this user may have moved the form on
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
    """Loads who is talking (role, town) into `ctx`; cached in Redis for a short while."""

    def __init__(self, loader: UserLoader, redis: Any | None = None) -> None:
        self.loader = loader
        self.redis = redis

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply:
        admission: Admission | None = data.get("admission")
        if admission is not None and admission.cached_ctx:
            data["ctx"] = context_from_json(admission.cached_ctx)
        else:
            ctx = await self.loader(event.openid)
            data["ctx"] = ctx
            if self.redis is not None and not ctx.extras.get("degraded"):
                try:
                    await self.redis.set(ctx_key(event.openid), context_to_json(ctx), ex=CTX_TTL)
                except REDIS_DOWN:
                    pass
        return await handler(event, data)


def context_to_json(ctx: Context) -> str:
    """Serialize a Context for the cache."""
    return json.dumps({"openid": ctx.openid, "role": str(ctx.role), "user_id": ctx.user_id,
                       "town_id": ctx.town_id, "display_name": ctx.display_name}, ensure_ascii=False)


def context_from_json(raw: str) -> Context:
    """Inverse of context_to_json: a new Context each time (handlers may change theirs)."""
    openid, role, user_id, town_id, display_name = _context_fields(raw)
    return Context(openid=openid, role=role, user_id=user_id, town_id=town_id, display_name=display_name)


@functools.lru_cache(maxsize=4096)
def _context_fields(raw: str) -> tuple[str, Role, int | None, int | None, str]:
    """The decoded fields of one cached user; a user's messages come in runs, so most are decoded once."""
    d = json.loads(raw)
    return d["openid"], Role(d["role"]), d["user_id"], d["town_id"], d["display_name"]


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
            admission: Admission | None = data.get("admission")
            known_empty = admission is not None and not admission.has_more
            return str(await self.pager.paginate(event.openid, reply, known_empty=known_empty))
        return reply
