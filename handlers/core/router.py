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


def _verdict(result: Any) -> dict[str, Any] | None:
    """A filter's answer as the data it adds (None: no match)."""
    if result is True:
        return _NO_EXTRA
    if result is False or result is None:
        return None
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

    def match(self, msg: Message, data: dict[str, Any]) -> dict[str, Any] | Awaitable[dict[str, Any] | None] | None:
        """The extra data the filters produce, or None when one of them does not match.

        Plain filters are checked right here; from the first filter that answers with an awaitable
        on, the rest is a coroutine to await. Most messages are decided by plain filters (a legal
        question passes some fifty handlers before its own), so most checks cost no coroutine.
        """
        extra: dict[str, Any] = _NO_EXTRA
        for i, flt in enumerate(self.filters):
            result = flt(msg, {**data, **extra} if extra else data)
            if result is True:  # the usual answers first: isawaitable() is an ABC check
                continue
            if result is False or result is None:
                return None
            if inspect.isawaitable(result):
                return self._match_rest(msg, data, i, result, extra)
            found = _verdict(result)
            if found is None:
                return None
            if found:
                extra = {**extra, **found}
        return extra

    async def _match_rest(self, msg: Message, data: dict[str, Any], i: int, pending: Awaitable[Any],
                          extra: dict[str, Any]) -> dict[str, Any] | None:
        found = _verdict(await pending)
        for flt in self.filters[i + 1:]:
            if found is None:
                return None
            if found:
                extra = {**extra, **found}
            result = flt(msg, {**data, **extra} if extra else data)
            found = _verdict(await result if inspect.isawaitable(result) else result)
        if found is None:
            return None
        return {**extra, **found} if found else extra

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
