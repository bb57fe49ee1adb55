"""The conversation: routers in priority order, and the factory that wires them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers import basic, binding, legal, mediation, outreach, stats, wechat_events
from handlers.core import Dispatcher, Middleware, Router
from handlers.core.fsm import StateStorage
from handlers.core.middlewares import PagingMiddleware
from handlers.core.paging import Pager


def build_router(first: Sequence[Router] = ()) -> Router:
    """All routers, in priority order: `first` (tests, plugins), commands and forms, the fallbacks last."""
    root = Router("root")
    root.include(*first)
    root.include(wechat_events.router)  # QR scenes, subscribe, menu buttons with a fixed answer
    root.include(basic.router)
    # Feature routers are included here, before the fallbacks.
    root.include(binding.router, outreach.router)
    root.include(mediation.router)
    root.include(stats.router)
    root.include(wechat_events.unclaimed_clicks)  # a menu key no handler took is not a question
    root.include(legal.router)  # any other text is a legal question
    root.include(basic.fallback_router)
    return root


def build_dispatcher(
    storage: StateStorage,
    *,
    settings: Any,
    middlewares: Sequence[Middleware] = (),
    deps: dict[str, Any] | None = None,
    first_routers: Sequence[Router] = (),
) -> Dispatcher:
    """The single factory: storage, routers, middlewares and injected dependencies."""
    pager = Pager(storage)
    all_deps = {"settings": settings, "pager": pager, **(deps or {})}
    return Dispatcher(
        build_router(first_routers),
        storage,
        deps=all_deps,
        middlewares=[*middlewares, PagingMiddleware(pager)],
        form_ttl=settings.limits.form_ttl_seconds,
    )
