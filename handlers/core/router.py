"""Routers: handlers registered with filters (AND within one decorator, OR across stacked ones)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from handlers.core.types import Message, Reply

Filter = Callable[[Message, dict[str, Any]], Any]  # returns bool, or a dict merged into the handler's data
HandlerFunc = Callable[..., Awaitable[Reply]]


class BaseFilter:
    """A filter object: `~flt` matches exactly when `flt` does not.

    `keyed`: the answer depends only on the message's kind (type, event, whether it has words), its
    exact words (handlers.core.filters.Exact) and the user's step and role, so routing can tell in
    advance which handlers a message can reach (handlers.core.routing).
    """

    keyed = False

    def __call__(self, msg: Message, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def __invert__(self) -> Not:
        return Not(self)


class Not(BaseFilter):
    """The negation of a filter (written `~flt`); it adds no data."""

    def __init__(self, inner: Filter) -> None:
        self.inner = inner
        self.keyed = getattr(inner, "keyed", False)

    async def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return await check(self.inner, msg, data) is None


async def check(flt: Filter, msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
    """A filter's answer, awaited when it is a coroutine, as the data it adds (None: no match)."""
    result = flt(msg, data)
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, dict):
        return result
    return {} if result else None


@dataclass(frozen=True)
class MenuLine:
    """A line of the help menu: shown to `roles` (None: everyone), in `order`."""

    order: int
    text: str
    roles: frozenset[Any] | None = None


@dataclass(frozen=True)
class Handler:
    """A registered handler: its filters and the parameter names it asks for."""

    func: HandlerFunc
    filters: tuple[Filter, ...]
    params: tuple[str, ...]
    optional: tuple[str, ...]
    accepts_kwargs: bool

    async def match(self, msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
        """The extra data the filters produce, or None when one of them does not match."""
        extra: dict[str, Any] = {}
        for flt in self.filters:
            found = await check(flt, msg, {**data, **extra} if extra else data)
            if found is None:
                return None
            extra.update(found)
        return extra

    async def call(self, data: dict[str, Any]) -> Reply:
        """Call the handler, injecting dependencies by parameter name."""
        if self.accepts_kwargs:
            return await self.func(**data)
        missing = [p for p in self.params if p not in data]
        if missing:
            raise LookupError(f"{self.func.__qualname__} asks for unknown dependencies {missing}")
        kwargs = {p: data[p] for p in self.params}
        kwargs.update({p: data[p] for p in self.optional if p in data})
        return await self.func(**kwargs)


def _make_handler(func: HandlerFunc, filters: Iterable[Filter]) -> Handler:
    sig = inspect.signature(func)
    params = tuple(
        name
        for name, p in sig.parameters.items()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.default is p.empty
    )
    optional = tuple(
        name
        for name, p in sig.parameters.items()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.default is not p.empty
    )
    accepts_kwargs = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    return Handler(func, tuple(filters), params, optional, accepts_kwargs)


class HasText(BaseFilter):
    """The message has words (typed text, voice recognition, a menu click)."""

    keyed = True

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return bool(msg.text)


class TypeIs(BaseFilter):
    """The message is of one of the WeChat types (none: any)."""

    keyed = True

    def __init__(self, *types: str) -> None:
        self.types = frozenset(types)

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return msg.type in self.types


class EventIs(BaseFilter):
    """The message is an event, of one of the names (none: any event)."""

    keyed = True

    def __init__(self, *events: str) -> None:
        self.events = frozenset(e.lower() for e in events)

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return msg.type == "event" and (not self.events or msg.event.lower() in self.events)


class Router:
    """A named group of handlers; include routers into others to build the tree.

    `forms=True` marks a router whose handlers keep conversation state or write records (binding,
    logging, mediation intake): while the state storage is unreachable they are paused, with a
    clear message, instead of running on one process's guess. Set where routers are composed.
    """

    def __init__(self, name: str, *, forms: bool = False) -> None:
        self.name = name
        self.forms = forms
        self.handlers: list[Handler] = []
        self.children: list[Router] = []
        self.menu: list[MenuLine] = []

    def menu_line(self, text: str, *, order: int = 50, roles: Iterable[Any] | None = None) -> None:
        """Declare a line of the help menu for what this router offers; shown when the router is included."""
        self.menu.append(MenuLine(order, text, frozenset(roles) if roles is not None else None))

    def menu_lines(self) -> Iterable[MenuLine]:
        """The menu lines of this router and the routers included in it."""
        yield from self.menu
        for child in self.children:
            yield from child.menu_lines()

    def include(self, *routers: Router) -> None:
        """Add child routers after this router's own handlers, in order."""
        self.children.extend(routers)

    def _register(self, base: tuple[Filter, ...], filters: tuple[Filter, ...]) -> Callable[[HandlerFunc], HandlerFunc]:
        def decorator(func: HandlerFunc) -> HandlerFunc:
            self.handlers.append(_make_handler(func, base + filters))
            return func

        return decorator

    def text(self, *filters: Filter) -> Callable[[HandlerFunc], HandlerFunc]:
        """Words from the user: typed text, voice recognition, or a menu click."""
        return self._register((HasText(),), filters)

    def message(self, *args: str | Filter) -> Callable[[HandlerFunc], HandlerFunc]:
        """Messages of WeChat types (strings: image, location ...) that pass the filters (the rest)."""
        types = tuple(a for a in args if isinstance(a, str))
        return self._register((TypeIs(*types),), tuple(a for a in args if not isinstance(a, str)))

    def event(self, *args: str | Filter) -> Callable[[HandlerFunc], HandlerFunc]:
        """Events (strings: subscribe, click ...; none = any event) that pass the filters (the rest)."""
        events = tuple(a for a in args if isinstance(a, str))
        return self._register((EventIs(*events),), tuple(a for a in args if not isinstance(a, str)))

    def any(self, *filters: Filter) -> Callable[[HandlerFunc], HandlerFunc]:
        """Any message that passes the filters."""
        return self._register((), filters)

    def walk(self, forms: bool = False) -> Iterable[tuple[Handler, bool]]:
        """Every handler with its `forms` flag (inherited from enclosing routers), in priority order."""
        forms = forms or self.forms
        for handler in self.handlers:
            yield handler, forms
        for child in self.children:
            yield from child.walk(forms)
