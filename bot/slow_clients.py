"""Slow and vanishing clients: a deadline for the request body, and aborted uploads as one INFO line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Middleware

log = logging.getLogger("mingbai.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# Bodies still arriving: shutdown waits for them before aiohttp's own graceful stop, which drops any data
# that comes in after it starts (so an upload in flight at SIGTERM would never be answered).
BODIES: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("bodies_in_flight", set)


def body_deadline_middleware(seconds: float, in_flight: set[asyncio.Task[None]]) -> Middleware:
    """Close the connection of a request whose body has not fully arrived `seconds` after its headers.

    aiohttp has no such timeout: a client sending a byte every few seconds would hold a connection
    (and a handler) for ever. A client that goes away mid-body is not an error of ours: one INFO line.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.body_exists or request.content.is_eof():  # the whole body came with the headers
            return await handler(request)
        watch = asyncio.create_task(_watch(request, seconds))
        in_flight.add(watch)
        watch.add_done_callback(in_flight.discard)
        try:
            return await handler(request)
        except (ConnectionResetError, HttpProcessingError) as exc:
            if request.transport is not None and not request.transport.is_closing():
                raise  # a malformed body on a live connection: the handlers' own error answers
            log.info("%s %s: the client went away before sending the whole body (%s)", request.method,
                     request.path, type(exc).__name__)
            return web.Response(status=400)  # nobody is listening any more
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch

    return middleware


async def _watch(request: web.Request, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await request.content.wait_eof()
    except TimeoutError:
        log.info("%s %s: body not complete after %.0f s, connection closed", request.method, request.path, seconds)
        if request.transport is not None:
            request.transport.close()


async def wait_for_bodies(app: web.Application, seconds: float) -> None:
    """Let request bodies still arriving finish (each has its own deadline as well), at most `seconds`."""
    pending = set(app.get(BODIES, ()))
    if pending:
        log.info("shutdown: waiting for %d request bodies still arriving", len(pending))
        await asyncio.wait(pending, timeout=seconds)
