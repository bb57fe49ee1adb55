"""Customer-service sends that failed: retried with backoff through the arq queue, then given up, logged.

The callback path never waits on these: the first attempt runs in a background task; a failure is
queued for `mingbai worker` (or, with the embedded default, retried by a background task here).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq.worker import Retry

from bot.wechat.stored_replies import dump_reply, load_reply
from handlers.core.types import Reply

log = logging.getLogger("mingbai.cs")

QUEUE = "mingbai:arq:queue"
JOB = "send_customer_service"
MAX_TRIES = 5  # the first attempt in the server, then up to four from the queue
BACKOFF_SECONDS = 2.0  # doubled after each failure: 2, 4, 8, 16 s


def backoff(attempt: int) -> float:
    """Seconds to wait before attempt number `attempt + 1`."""
    return BACKOFF_SECONDS * 2 ** (attempt - 1)


async def send_customer_service(ctx: dict[str, Any], openid: str, reply_json: str, first_try: int = 1) -> str:
    """The arq job: one more attempt; Retry with backoff until MAX_TRIES, then give up (logged)."""
    attempt = first_try + ctx.get("job_try", 1)
    try:
        await ctx["customer_service"].send(openid, load_reply(reply_json))
    except Exception as exc:
        if attempt >= MAX_TRIES:
            log.warning("customer-service send given up after %d attempts: %s", attempt, type(exc).__name__)
            return "given up"
        raise Retry(defer=backoff(attempt)) from exc
    return "sent"


async def retry_later(arq_pool: Any, customer_service: Any, openid: str, reply: Reply) -> None:
    """Queue the remaining attempts; without a shared queue (embedded) retry here in the background."""
    if arq_pool is not None:
        try:
            await arq_pool.enqueue_job(JOB, openid, dump_reply(reply), 1, _queue_name=QUEUE)
            return
        except Exception as exc:  # Redis down: keep trying from this process instead
            log.warning("could not queue a customer-service retry (%s): retrying in-process", type(exc).__name__)
    for attempt in range(2, MAX_TRIES + 1):
        await asyncio.sleep(backoff(attempt - 1))
        try:
            await customer_service.send(openid, reply)
            return
        except Exception as exc:
            last = type(exc).__name__
    log.warning("customer-service send given up after %d attempts: %s", MAX_TRIES, last)
