"""Reusable filters: commands, exact words, patterns, roles."""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

from handlers.core.fsm import FSMContext
from handlers.core.types import Message
from models.core import Role

_SPACES = re.compile(r"[\s\u3000]+")


_CACHED_CHARS = 300  # longer texts (a villager's whole story) are not kept: the caches stay small


def _cached_when_short(fn: Callable[[str], str]) -> Callable[[str], str]:
    """Remember fn's answers for short texts: every filter a message passes asks for the same text's form."""
    cached = functools.lru_cache(maxsize=1024)(fn)

    @functools.wraps(fn)
    def call(text: str) -> str:
        return cached(text) if len(text) <= _CACHED_CHARS else fn(text)

    return call


@_cached_when_short
def normalize(text: str) -> str:
    """Trim and collapse spaces (full-width too), so '绑定　ABC' reads like '绑定 ABC'."""
    return _SPACES.sub(" ", text).strip()


@_cached_when_short
def _exact_form(text: str) -> str:
    return normalize(text).rstrip("。.!！?？").lower()


class Command:
    """The text starts with one of the command words; the rest is passed as `args`."""

    def __init__(self, *words: str) -> None:
        self.words = sorted(words, key=len, reverse=True)

    def __call__(self, msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
        text = normalize(msg.text)
        for word in self.words:
            if text == word or text.startswith(word + " ") or (text.startswith(word) and not word.isascii()):
                return {"args": text[len(word):].strip(), "command": word}
        return None


class Exact:
    """The whole text is one of the words (after trimming and ignoring final punctuation)."""

    def __init__(self, *words: str) -> None:
        self.words = {w.lower() for w in words}

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return _exact_form(msg.text) in self.words


class Regex:
    """The text matches a pattern; the match is passed as `match`."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)

    def __call__(self, msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
        m = self.pattern.search(normalize(msg.text))
        return {"match": m} if m else None


class RoleIs:
    """The user has one of the roles."""

    def __init__(self, *roles: Role) -> None:
        self.roles = set(roles)

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return data["ctx"].role in self.roles


class NoState:
    """The user is not in the middle of a form."""

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool | Awaitable[bool]:
        state: FSMContext = data["state"]
        return state.check_state(_no_step)


def _no_step(current: str | None) -> bool:
    return current is None
