"""The conversation: routers in priority order, and the factory that wires them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handlers import basic, binding, helper_work, legal, mediation, outreach, screening, stats, wechat_events
from handlers.core import Dispatcher, Middleware, Router
from handlers.core.fsm import StateStorage
from handlers.core.middlewares import (
    PagingMiddleware,
    RateCounter,
    RateLimitMiddleware,
    TimingMiddleware,
    UserCache,
    UserLoader,
    UserLockMiddleware,
    UserLocks,
    UserMiddleware,
)
from handlers.core.paging import Pager
from handlers.menu import Menu
from knowledge.answering import Knowledge

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; handlers import nothing of bot at run time


def build_router(first: Sequence[Router] = ()) -> Router:
    """All routers, in priority order: `first` (tests, plugins), commands and forms, the fallbacks last.

    Routers marked `forms` keep conversation state or write records: they pause while the state
    storage is unreachable (handlers.core.fsm).
    """
    root = Router("root")
    root.include(*first)
    root.include(wechat_events.router)  # QR scenes, subscribe, menu buttons with a fixed answer
    root.include(basic.router)
    # Feature routers are included here, before the fallbacks.
    forms = Router("forms", forms=True)
    forms.include(binding.router)
    forms.include(screening.router, helper_work.router)  # their commands before outreach's free-words reports
    forms.include(outreach.router)
    forms.include(mediation.router)
    root.include(forms)
    root.include(stats.router)
    root.include(wechat_events.unclaimed_clicks)  # a menu key no handler took is not a question
    root.include(legal.router)  # any other text is a legal question
    root.include(basic.fallback_router)
    return root


@dataclass(frozen=True)
class Edge:
    """What a server plugs into the conversation: its stores and observers (tests and `ask` go without)."""

    rate: RateCounter
    locks: UserLocks
    users: UserLoader
    user_cache: UserCache | None = None
    observe: Callable[[float], None] = lambda seconds: None
    on_limited: Callable[[], None] | None = None


def build_dispatcher(
    storage: StateStorage,
    *,
    settings: Settings,
    knowledge: Knowledge,
    edge: Edge | None = None,
    deps: dict[str, Any] | None = None,
    first_routers: Sequence[Router] = (),
) -> Dispatcher:
    """The single factory: storage, routers, injected dependencies, and the middlewares in their one order.

    timing → rate limit (before any work) → user lock (one message per user at a time) → user (who
    is talking) → forms (the state, read after the lock; added by Dispatcher) → paging (long replies).
    """
    pager = Pager()
    router = build_router(first_routers)
    middlewares: list[Middleware] = []
    if edge is not None:
        middlewares += [
            TimingMiddleware(edge.observe),
            RateLimitMiddleware(edge.rate, settings.limits.messages_per_minute, on_limited=edge.on_limited),
            UserLockMiddleware(edge.locks),
            UserMiddleware(edge.users, edge.user_cache),
        ]
    all_deps = {"settings": settings, "knowledge": knowledge, "pager": pager, "menu": Menu.of(router), **(deps or {})}
    return Dispatcher(
        router,
        storage,
        deps=all_deps,
        middlewares=middlewares,
        inner=[PagingMiddleware(pager)],
        form_ttl=settings.limits.form_ttl_seconds,
    )
