"""Routers: handlers registered with filters (AND within one decorator, OR across stacked ones)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from handlers.core.types import Message, Reply

Filter = Callable[[Message, dict[str, Any]], Any]  # returns bool, or a dict merged into the handler's data
HandlerFunc = Callable[..., Awaitable[Reply]]


_NO_EXTRA: dict[str, Any] = {}  # shared, never mutated: a plain True adds nothing


async def _check(flt: Filter, msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
    result = flt(msg, data)
    if result is False or result is None:  # the common answers first: most filters are plain functions
        return None
    if result is True:
        return _NO_EXTRA
    if inspect.isawaitable(result):
        result = await result
        if result is False or result is None:
            return None
        if result is True:
            return _NO_EXTRA
    if isinstance(result, dict):
        return result
    return _NO_EXTRA if result else None


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
            result = await _check(flt, msg, {**data, **extra} if extra else data)
            if result is None:
                return None
            if result:
                extra.update(result)
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


def _has_text(msg: Message, data: dict[str, Any]) -> bool:
    return bool(msg.text)


def _type_is(*types: str) -> Filter:
    def flt(msg: Message, data: dict[str, Any]) -> bool:
        return msg.type in types

    return flt


def _event_is(*events: str) -> Filter:
    wanted = {e.lower() for e in events}

    def flt(msg: Message, data: dict[str, Any]) -> bool:
        return msg.type == "event" and (not wanted or msg.event.lower() in wanted)

    return flt


class Router:
    """A named group of handlers; include routers into others to build the tree."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: list[Handler] = []
        self.children: list[Router] = []

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
        return self._register((_has_text,), filters)

    def message(self, *args: str | Filter) -> Any:
        """Messages of WeChat types (strings: image, location ...) that pass the filters (the rest)."""
        types = tuple(a for a in args if isinstance(a, str))
        return self._typed((_type_is(*types),), tuple(a for a in args if not isinstance(a, str)))

    def event(self, *args: str | Filter) -> Any:
        """Events (strings: subscribe, click ...; none = any event) that pass the filters (the rest)."""
        events = tuple(a for a in args if isinstance(a, str))
        return self._typed((_event_is(*events),), tuple(a for a in args if not isinstance(a, str)))

    def _typed(self, base: tuple[Filter, ...], filters: tuple[Filter, ...]) -> Any:
        register = self._register(base, filters)

        def decorator_or_filters(*more: Any) -> Any:
            # `@router.message("image")` decorates; `router.message("image")(FormState)` adds filters.
            if len(more) == 1 and inspect.iscoroutinefunction(more[0]):
                return register(more[0])
            return self._register(base, filters + more)

        return decorator_or_filters

    def any(self, *filters: Filter) -> Callable[[HandlerFunc], HandlerFunc]:
        """Any message that passes the filters."""
        return self._register((), filters)

    def walk(self) -> Iterable[Handler]:
        """Every handler, this router's first, then its children's, in priority order."""
        yield from self.handlers
        for child in self.children:
            yield from child.walk()
