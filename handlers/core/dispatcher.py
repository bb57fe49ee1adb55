"""The dispatcher: runs middlewares, then the first matching handler; handlers return the reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from handlers.core.fsm import FormMiddleware, FormsPaused, StateStorage
from handlers.core.router import Router
from handlers.core.routing import RouteIndex
from handlers.core.types import Context, Message, Reply

Next = Callable[[Message, dict[str, Any]], Awaitable[Reply]]


class Middleware(Protocol):
    """Wraps the handling of every message: `await handler(event, data)` continues the chain."""

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply: ...


class Dispatcher:
    """Routes a Message to handlers; the same object serves chat, the CLI and tests.

    The chain is the given middlewares in order, then the form layer (FormMiddleware, which owns
    `state`), then the `inner` middlewares (paging), then routing. Handlers of `forms` routers are
    paused while the state is unavailable.
    """

    def __init__(
        self,
        router: Router,
        storage: StateStorage,
        *,
        deps: dict[str, Any] | None = None,
        middlewares: Sequence[Middleware] = (),
        inner: Sequence[Middleware] = (),
        form_ttl: int = 1800,
    ) -> None:
        self.router = router
        self.storage = storage
        self.deps = dict(deps or {})
        self.middlewares = (*middlewares, FormMiddleware(storage, form_ttl), *inner)
        self.form_ttl = form_ttl
        self.handlers = list(router.walk())
        self.routes = RouteIndex(self.handlers)
        chain: Next = self._route  # composed once: every message runs the same chain
        for mw in reversed(self.middlewares):
            chain = _wrap(mw, chain)
        self._chain = chain

    async def feed(self, msg: Message, ctx: Context | None = None) -> Reply:
        """Handle one message and return the reply."""
        data: dict[str, Any] = {
            **self.deps,
            "msg": msg,
            "ctx": ctx or Context(openid=msg.openid),
            "dispatcher": self,
        }
        return await self._chain(msg, data)

    async def _route(self, msg: Message, data: dict[str, Any]) -> Reply:
        for handler, forms in await self.routes.reachable(msg, data):
            extra = await handler.match(msg, data)
            if extra is None:
                continue
            if forms and not data["state"].available:
                raise FormsPaused()
            return await handler.call({**data, **extra} if extra else data)
        return None


def _wrap(mw: Middleware, nxt: Next) -> Next:
    async def call(event: Message, data: dict[str, Any]) -> Reply:
        return await mw(nxt, event, data)

    return call
