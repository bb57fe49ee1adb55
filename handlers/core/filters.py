"""Reusable filters: commands, exact words, patterns, roles."""

from __future__ import annotations

import re
from typing import Any

from handlers.core.fsm import FSMContext, is_transient
from handlers.core.router import BaseFilter
from handlers.core.types import Message
from models.core import Role

_SPACES = re.compile(r"[\s\u3000]+")


def normalize(text: str) -> str:
    """Trim and collapse spaces (full-width too), so '绑定　ABC' reads like '绑定 ABC'."""
    return _SPACES.sub(" ", text).strip()


def exact_form(text: str) -> str:
    """The text as Exact compares it: trimmed, without final punctuation (unless it is all there is: "?"
    asks for help), lower case."""
    text = normalize(text)
    return (text.rstrip("。.!！?？") or text).lower()


class Command(BaseFilter):
    """The text starts with one of the command words; the rest is passed as `args`."""

    def __init__(self, *words: str) -> None:
        self.words = sorted(words, key=len, reverse=True)

    def __call__(self, msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
        text = normalize(msg.text)
        for word in self.words:
            if text == word or text.startswith(word + " ") or (text.startswith(word) and not word.isascii()):
                return {"args": text[len(word):].strip(), "command": word}
        return None


class Exact(BaseFilter):
    """The whole text is one of the words (after trimming and ignoring final punctuation)."""

    keyed = True

    def __init__(self, *words: str) -> None:
        self.words = {w.lower() for w in words}

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return exact_form(msg.text) in self.words


class Regex(BaseFilter):
    """The text matches a pattern; the match is passed as `match`."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)

    def __call__(self, msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
        m = self.pattern.search(normalize(msg.text))
        return {"match": m} if m else None


class RoleIs(BaseFilter):
    """The user has one of the roles."""

    keyed = True

    def __init__(self, *roles: Role) -> None:
        self.roles = set(roles)

    def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        return data["ctx"].role in self.roles


class NoState(BaseFilter):
    """The user is not in the middle of a form (an offer of a transient group does not count)."""

    keyed = True

    async def __call__(self, msg: Message, data: dict[str, Any]) -> bool:
        state: FSMContext = data["state"]
        current = await state.get_state()
        return current is None or is_transient(current)
