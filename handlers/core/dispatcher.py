"""The dispatcher: runs middlewares, then the first matching handler; handlers return the reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from handlers.core.fsm import FSMContext, StateStorage
from handlers.core.router import Router
from handlers.core.types import Context, Message, Reply

Next = Callable[[Message, dict[str, Any]], Awaitable[Reply]]


class Middleware(Protocol):
    """Wraps the handling of every message: `await handler(event, data)` continues the chain."""

    async def __call__(self, handler: Next, event: Message, data: dict[str, Any]) -> Reply: ...


class Dispatcher:
    """Routes a Message to handlers; the same object serves chat, the CLI and tests."""

    def __init__(
        self,
        router: Router,
        storage: StateStorage,
        *,
        deps: dict[str, Any] | None = None,
        middlewares: Sequence[Middleware] = (),
        form_ttl: int = 1800,
    ) -> None:
        self.router = router
        self.storage = storage
        self.deps = dict(deps or {})
        self.middlewares = tuple(middlewares)
        self.form_ttl = form_ttl
        self.handlers = list(router.walk())
        chain: Next = self._route  # composed once: every message runs the same chain
        for mw in reversed(self.middlewares):
            chain = _wrap(mw, chain)
        self._chain = chain

    def state_for(self, openid: str) -> FSMContext:
        """The conversation state of one user."""
        return FSMContext(self.storage, f"state:{openid}", self.form_ttl)

    async def feed(self, msg: Message, ctx: Context | None = None, extras: dict[str, Any] | None = None) -> Reply:
        """Handle one message and return the reply; `extras` reach middlewares (the transport's checks)."""
        data: dict[str, Any] = {
            **(extras or {}),
            **self.deps,
            "msg": msg,
            "ctx": ctx or Context(openid=msg.openid),
            "state": self.state_for(msg.openid),
            "dispatcher": self,
        }
        return await self._chain(msg, data)

    async def _route(self, msg: Message, data: dict[str, Any]) -> Reply:
        for handler in self.handlers:
            extra = handler.match(msg, data)
            if extra is not None and not isinstance(extra, dict):
                extra = await extra
            if extra is not None:
                return await handler.call({**data, **extra})
        return None


def _wrap(mw: Middleware, nxt: Next) -> Next:
    def call(event: Message, data: dict[str, Any]) -> Awaitable[Reply]:
        return mw(nxt, event, data)  # the middleware's own coroutine, without a wrapper coroutine around it

    return call
