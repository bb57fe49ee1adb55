"""Multi-step conversation state: StatesGroup/State over a StateStorage (memory or Redis, with TTL)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class State:
    """One step of a form; also a filter that matches when the user is in this step."""

    def __init__(self) -> None:
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = f"{owner.__name__}:{name}"

    def __repr__(self) -> str:
        return f"<State {self.name}>"

    def __call__(self, msg: Any, data: dict[str, Any]) -> bool | Awaitable[bool]:
        state: FSMContext = data["state"]
        return state.check_state(self._is_current)

    def _is_current(self, current: str | None) -> bool:
        return current == self.name


class _AnyStateOf:
    def __init__(self, group: type[StatesGroup]) -> None:
        self.prefix = group.__name__ + ":"

    def __call__(self, msg: Any, data: dict[str, Any]) -> bool | Awaitable[bool]:
        state: FSMContext = data["state"]
        return state.check_state(self._in_group)

    def _in_group(self, current: str | None) -> bool:
        return bool(current and current.startswith(self.prefix))


class StatesGroup:
    """A form: subclass it and declare its steps as State() attributes."""

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
    """Redis storage: one JSON value per openid, expiring after the form TTL."""

    def __init__(self, redis: Any, prefix: str = "mingbai:fsm:") -> None:
        self.redis = redis
        self.prefix = prefix

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self.redis.get(self.prefix + key)
        if raw is None:
            return None
        result: dict[str, Any] = json.loads(raw)
        return result

    async def set(self, key: str, value: dict[str, Any], ttl: int) -> None:
        await self.redis.set(self.prefix + key, json.dumps(value, ensure_ascii=False), ex=ttl)

    async def delete(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)

    def full_key(self, key: str) -> str:
        return self.prefix + key


class FSMContext:
    """One user's conversation state: the current step and the form's data so far."""

    def __init__(self, storage: StateStorage, key: str, ttl: int) -> None:
        self.storage = storage
        self.key = key
        self.ttl = ttl
        self._cache: dict[str, Any] | None = None

    @property
    def storage_key(self) -> str:
        """Where this state lives in the storage (Redis key)."""
        return self.storage.full_key(self.key)

    def seed(self, raw: str) -> None:
        """Use a state already read (by the admission script) instead of reading it again."""
        self._cache = json.loads(raw) if raw else {"state": None, "data": {}}

    def check_state(self, test: Callable[[str | None], bool]) -> bool | Awaitable[bool]:
        """test(the current step): a plain answer when the state is read already (on the server the
        admission script reads it), so the some twenty step filters a message passes cost no coroutine
        each; otherwise an awaitable that reads it first."""
        if self._cache is not None:
            return test(self._cache["state"])
        return self._test_after_loading(test)

    async def _test_after_loading(self, test: Callable[[str | None], bool]) -> bool:
        return test(await self.get_state())

    async def reload(self) -> None:
        """Forget what was read; the next access reads the storage again."""
        self._cache = None

    async def _load(self) -> dict[str, Any]:
        if self._cache is None:
            self._cache = await self.storage.get(self.key) or {"state": None, "data": {}}
        return self._cache

    async def get_state(self) -> str | None:
        """The name of the current step, or None."""
        state: str | None = (await self._load())["state"]
        return state

    async def set_state(self, state: State | None) -> None:
        """Move to a step (keeping the data); None leaves the form but keeps the data."""
        record = await self._load()
        record["state"] = state.name if state else None
        await self.storage.set(self.key, record, self.ttl)

    async def get_data(self) -> dict[str, Any]:
        """The data collected so far."""
        data: dict[str, Any] = dict((await self._load())["data"])
        return data

    async def update_data(self, **values: Any) -> dict[str, Any]:
        """Merge values into the form's data."""
        record = await self._load()
        record["data"].update(values)
        await self.storage.set(self.key, record, self.ttl)
        return dict(record["data"])

    async def clear(self) -> None:
        """Leave the form and forget its data."""
        self._cache = {"state": None, "data": {}}
        await self.storage.delete(self.key)
