"""GET/POST /wechat: verify, decrypt, parse, dedup, answer within WeChat's 5 seconds."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from bot import keys
from bot.cs_retry import retry_later
from bot.wechat.protocol import ProtocolError, render_reply, to_message
from handlers.core.middlewares import DELEGATED, Duplicate, Replay, dump_reply, load_reply
from handlers.core.types import Message, Reply

log = logging.getLogger("mingbai.wechat")

BUSY = "系统繁忙，请稍后再试。紧急情况请拨打110，法律咨询可拨打12348。"


async def verify(request: web.Request) -> web.Response:
    """WeChat's URL check."""
    codec = request.app[keys.CODEC]
    try:
        echostr = codec.verify_url(dict(request.query))
    except ProtocolError as exc:
        request.app[keys.METRICS].rejected.labels(exc.reason).inc()
        return web.Response(status=exc.status, text=exc.reason)
    return web.Response(text=echostr)


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
    """A message from WeChat. Never a 500: failures are logged and answered politely."""
    app = request.app
    settings = app[keys.SETTINGS]
    metrics = app[keys.METRICS]
    try:
        body = await _read_body(request, settings.server.max_body_bytes)
        incoming = app[keys.CODEC].open(dict(request.query), body)
        msg = to_message(incoming.xml)
    except ProtocolError as exc:
        metrics.rejected.labels(exc.reason).inc()
        log.info("rejected callback: %s", exc.reason)
        return web.Response(status=exc.status, text=exc.reason)
    except Exception:
        log.exception("callback failed before dispatch")
        return web.Response(text="success")
    # A (timestamp, nonce) pair seen with another body is a replay; with the same body, a retry.
    replay_check = (
        f"mingbai:nonce:{request.query.get('timestamp', '')}:{request.query.get('nonce', '')}",
        hashlib.sha256(body).hexdigest(),
    )
    try:
        reply = await deliver(app, msg, replay_check)
    except Replay:
        metrics.rejected.labels("replayed nonce").inc()
        return web.Response(status=403, text="replayed nonce")
    except Exception:  # never a 500 to WeChat
        log.exception("delivery failed for a %s message", msg.type)
        reply = BUSY
    xml = render_reply(reply, msg)
    if reply is None:
        return web.Response(text=xml)
    sealed = app[keys.CODEC].seal(
        xml, incoming, request.query.get("nonce", ""), request.query.get("timestamp", "")
    )
    return web.Response(text=sealed, content_type="application/xml")


async def deliver(app: web.Application, msg: Message, replay_check: tuple[str, str] = ("", "")) -> Reply:
    """Run the dispatcher within the budget; past it, answer 'success' and send the reply later."""
    cache = app[keys.REPLY_CACHE]
    budget = app[keys.SETTINGS].server.reply_budget_seconds
    task = asyncio.create_task(app[keys.DISPATCHER].feed(msg, extras={"replay_check": replay_check}))
    if not await _finished_within(task, budget):
        if await cache.publish(msg.dedup_key, DELEGATED):
            app[keys.METRICS].cs_fallbacks.inc()
            _spawn(app, _send_later(app, msg, task))
            return None
        await asyncio.wait({task})  # it finished at the very edge of the budget: answer passively
    try:
        return task.result()  # a TimeoutError raised inside the handler is a failure, not the budget
    except Replay:
        raise
    except Duplicate as dup:
        if dup.cached is None or dup.cached == DELEGATED:
            return None
        return load_reply(dup.cached)
    except Exception:
        log.exception("handler failed for a %s message", msg.type)
        await cache.publish(msg.dedup_key, dump_reply(BUSY))
        return BUSY


async def _finished_within(task: asyncio.Task[Reply], seconds: float) -> bool:
    """Wait for the task up to `seconds` without cancelling it (asyncio.wait's job, with less bookkeeping)."""
    if task.done():
        return True
    loop = asyncio.get_running_loop()
    woken: asyncio.Future[None] = loop.create_future()

    def wake(_: object = None) -> None:
        if not woken.done():
            woken.set_result(None)

    task.add_done_callback(wake)
    timer = loop.call_later(seconds, wake)
    try:
        await woken
    finally:
        timer.cancel()
        task.remove_done_callback(wake)
    return task.done()


async def _send_later(app: web.Application, msg: Message, task: asyncio.Task[Reply]) -> None:
    try:
        reply = await task
    except Exception:
        log.exception("slow handler failed")
        reply = BUSY
    try:
        await app[keys.CUSTOMER_SERVICE].send(msg.openid, reply)
    except Exception as exc:
        app[keys.METRICS].cs_failures.inc()
        log.warning("customer-service send failed (%s): retrying with backoff", type(exc).__name__)
        await retry_later(app[keys.ARQ], app[keys.CUSTOMER_SERVICE], msg.openid, reply)


def _spawn(app: web.Application, coro: Coroutine[Any, Any, None]) -> None:
    tasks = app[keys.BACKGROUND]
    task = asyncio.create_task(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def setup(app: web.Application) -> None:
    """Register the callback routes."""
    app.router.add_get("/wechat", verify, name="wechat_verify")
    app.router.add_post("/wechat", receive, name="wechat_receive")
