"""Multi-step conversation state: StatesGroup/State over a StateStorage (memory or Redis, with TTL)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from handlers.core.router import BaseFilter


class StateUnavailable(Exception):
    """Raised by a StateStorage whose store cannot be reached (Redis down)."""


class FormsPaused(Exception):
    """Raised by FSMContext when a form would move on while its storage is unreachable.

    FormMiddleware answers it with the pause message: no form step is kept in one process's
    memory, where another process would not see it.
    """


class State(BaseFilter):
    """One step of a form; also a filter that matches when the user is in this step."""

    keyed = True

    def __init__(self) -> None:
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = f"{owner.__name__}:{name}"

    def __repr__(self) -> str:
        return f"<State {self.name}>"

    async def __call__(self, msg: Any, data: dict[str, Any]) -> bool:
        state: FSMContext = data["state"]
        return await state.get_state() == self.name


class _AnyStateOf(BaseFilter):
    keyed = True

    def __init__(self, group: type[StatesGroup]) -> None:
        self.prefix = group.__name__ + ":"

    async def __call__(self, msg: Any, data: dict[str, Any]) -> bool:
        state: FSMContext = data["state"]
        current = await state.get_state()
        return bool(current and current.startswith(self.prefix))


_TRANSIENT: set[str] = set()  # name prefixes of transient groups


def is_transient(state: str | None) -> bool:
    """True for a step of a transient group (an offer any other command may replace)."""
    return bool(state) and state.split(":", 1)[0] + ":" in _TRANSIENT  # type: ignore[union-attr]


class StatesGroup:
    """A form: subclass it and declare its steps as State() attributes.

    `class Offer(StatesGroup, transient=True)`: the steps are an offer (say, a numbered choice)
    rather than a form: NoState() still matches, so any command takes precedence over it.
    """

    def __init_subclass__(cls, transient: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if transient:
            _TRANSIENT.add(cls.__name__ + ":")

    @classmethod
    def any(cls) -> _AnyStateOf:
        """A filter matching any step of this form."""
        return _AnyStateOf(cls)


class StateStorage(Protocol):
    """Where conversation state lives; keys are per openid."""

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def set(self, key: str, value: dict[str, Any], ttl: int) -> None: ...

    async def delete(self, key: str) -> None: ...

    def full_key(self, key: str) -> str: ...


class MemoryStateStorage:
    """In-process storage with expiry, for unit tests and a single process."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, str]] = {}

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires < time.monotonic():
            self._items.pop(key, None)
            return None
        result: dict[str, Any] = json.loads(value)
        return result

    async def set(self, key: str, value: dict[str, Any], ttl: int) -> None:
        self._items[key] = (time.monotonic() + ttl, json.dumps(value, ensure_ascii=False))

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    def full_key(self, key: str) -> str:
        return key


class RedisStateStorage:
    """Redis storage: one JSON value per openid, expiring after the form TTL.

    Reaching Redis fails as StateUnavailable (the breaker, when given, skips the attempt for a
    few seconds after a failure), so the form layer can pause forms instead of guessing.
    """

    def __init__(self, redis: Any, prefix: str = "mingbai:fsm:", breaker: Any = None) -> None:
        self.redis = redis
        self.prefix = prefix
        self.breaker = breaker

    async def _run(self, command: str, *args: Any, **options: Any) -> Any:
        from handlers.core.resilience import REDIS_DOWN

        if self.breaker is not None and self.breaker.open:
            raise StateUnavailable("Redis is down")
        try:
            result = await getattr(self.redis, command)(*args, **options)
        except REDIS_DOWN as exc:
            if self.breaker is not None:
                self.breaker.trip(exc)
            raise StateUnavailable(str(exc)) from exc
        if self.breaker is not None:
            self.breaker.ok()
        return result

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._run("get", self.prefix + key)
        if raw is None:
            return None
        result: dict[str, Any] = json.loads(raw)
        return result

    async def set(self, key: str, value: dict[str, Any], ttl: int) -> None:
        await self._run("set", self.prefix + key, json.dumps(value, ensure_ascii=False), ex=ttl)

    async def delete(self, key: str) -> None:
        await self._run("delete", self.prefix + key)

    def full_key(self, key: str) -> str:
        return self.prefix + key


class FSMContext:
    """One user's conversation state: the current step, the form's data so far, and the pages of a
    long reply still to send ('更多'): one record, read once per message.

    When the storage is unreachable the state is unknown: read as "no form" (questions keep
    flowing), and any write raises FormsPaused, so no step is kept where other processes
    cannot see it.
    """

    def __init__(self, storage: StateStorage, key: str, ttl: int) -> None:
        self.storage = storage
        self.key = key
        self.ttl = ttl
        self._cache: dict[str, Any] | None = None
        self.available = True

    @property
    def storage_key(self) -> str:
        """Where this state lives in the storage (Redis key)."""
        return self.storage.full_key(self.key)

    async def _load(self) -> dict[str, Any]:
        if self._cache is None:
            try:
                self._cache = await self.storage.get(self.key) or {"state": None, "data": {}}
            except StateUnavailable:
                self.available = False
                self._cache = {"state": None, "data": {}}
        return self._cache

    async def _store(self, record: dict[str, Any] | None) -> None:
        if not self.available:
            raise FormsPaused()
        try:
            if record is None:
                await self.storage.delete(self.key)
            else:
                await self.storage.set(self.key, record, self.ttl)
        except StateUnavailable as exc:
            self.available = False
            raise FormsPaused() from exc

    async def get_state(self) -> str | None:
        """The name of the current step, or None."""
        state: str | None = (await self._load())["state"]
        return state

    async def set_state(self, state: State | None, **values: Any) -> None:
        """Move to a step (keeping the data, with `values` merged into it: one write); None leaves the
        form but keeps the data."""
        record = dict(await self._load())
        record["state"] = state.name if state else None
        if values:
            record["data"] = {**record["data"], **values}
        await self._store(record)
        self._cache = record

    async def get_data(self) -> dict[str, Any]:
        """The data collected so far."""
        data: dict[str, Any] = dict((await self._load())["data"])
        return data

    async def update_data(self, **values: Any) -> dict[str, Any]:
        """Merge values into the form's data."""
        old = await self._load()
        record = {**old, "data": {**old["data"], **values}}
        await self._store(record)
        self._cache = record
        return dict(record["data"])

    async def pages(self) -> list[str]:
        """The pages of the last long reply not sent yet (handlers.core.paging)."""
        return list((await self._load()).get("more", ()))

    async def keep_pages(self, pages: list[str]) -> None:
        """Keep the unsent pages of a reply, replacing older ones; nothing is written when both are none."""
        old = await self._load()
        if not pages and not old.get("more"):
            return
        record = {k: v for k, v in old.items() if k != "more"}
        if pages:
            record["more"] = pages
        if record["state"] is None and not record["data"] and not pages:
            await self._store(None)
        else:
            await self._store(record)
        self._cache = record

    async def clear(self) -> None:
        """Leave the form and forget its data."""
        old = await self._load()
        record = {"state": None, "data": {}, **({"more": old["more"]} if old.get("more") else {})}
        await self._store(record if "more" in record else None)
        self._cache = record


PAUSED = "系统维护中，表单稍后再填；法律问题照常回答。"

Next = Callable[[Any, dict[str, Any]], Awaitable[Any]]


class FormMiddleware:
    """Owns the conversation state: puts the user's FSMContext in `state`, and pauses forms when
    the storage is unreachable (FormsPaused becomes the pause message; other replies carry it as a
    first line, so a step typed during the pause is not taken for an answer to it)."""

    def __init__(self, storage: StateStorage, ttl: int) -> None:
        self.storage = storage
        self.ttl = ttl

    async def __call__(self, handler: Next, event: Any, data: dict[str, Any]) -> Any:
        state = FSMContext(self.storage, f"state:{event.openid}", self.ttl)
        await state.get_state()  # read once per message, after the user lock: every filter sees the same step
        data["state"] = state
        try:
            reply = await handler(event, data)
        except FormsPaused:
            return PAUSED
        if not state.available and isinstance(reply, str) and reply:
            return f"（{PAUSED.rstrip('。')}）\n{reply}"
        return reply
