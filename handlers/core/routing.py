"""Which handlers a message can reach, known before any of them is tried.

A message has a routing key: its type and event, whether it has words, its exact words when they
are the words of some Exact filter, and the user's step and role. Keyed filters (BaseFilter.keyed)
answer from the key alone, so for each key the handlers whose keyed filters all match are found
once, by awaiting those filters on a stand-in message of that key, and kept. Routing then tries only
those handlers, in priority order, awaiting all their filters as always; the handlers it skips are
those a keyed filter of which would refuse the message. A plain question from a villager tries a
handful of handlers instead of every one. A speed device: the README's Benchmarks section says
what it buys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers.core.filters import Exact, exact_form
from handlers.core.router import Handler, check
from handlers.core.types import Context, Message

Key = tuple[str, str, bool, str | None, Any, str]
MAX_KEYS = 10_000  # keys come from WeChat's message kinds, the declared steps and roles: a few hundred


@dataclass
class _Step:
    """The stand-in for FSMContext when keyed filters are asked about a step."""

    state: str | None

    async def get_state(self) -> str | None:
        return self.state


class RouteIndex:
    """The handlers each routing key can reach, in priority order."""

    def __init__(self, handlers: Sequence[tuple[Handler, bool]]) -> None:
        self.handlers = tuple(handlers)
        self.exact_words = frozenset(w for h, _ in self.handlers for f in h.filters if isinstance(f, Exact)
                                     for w in f.words)
        self.routes: dict[Key, tuple[tuple[Handler, bool], ...]] = {}

    async def reachable(self, msg: Message, data: dict[str, Any]) -> Sequence[tuple[Handler, bool]]:
        """The handlers that may match this message: every one whose keyed filters match, in order."""
        words = exact_form(msg.text) if msg.text else ""
        if words in self.exact_words and exact_form(words) != words:
            return self.handlers  # no stand-in text has these exact words: try everything
        key: Key = (msg.type, msg.event, bool(msg.text), await data["state"].get_state(), data["ctx"].role,
                    words if words in self.exact_words else "")
        found = self.routes.get(key)
        if found is None:
            found = await self._reachable(key)
            if len(self.routes) < MAX_KEYS:
                self.routes[key] = found
        return found

    async def _reachable(self, key: Key) -> tuple[tuple[Handler, bool], ...]:
        type_, event, has_text, state, role, words = key
        text = (words or "\x00") if has_text else ""  # "\x00": words that are no Exact filter's
        stand_in = Message(openid="", type=type_, event=event, content=text, recognition=text, event_key=text)
        data = {"state": _Step(state), "ctx": Context(openid="", role=role)}
        found = []
        for handler, forms in self.handlers:
            for flt in handler.filters:
                if getattr(flt, "keyed", False) and await check(flt, stand_in, data) is None:
                    break
            else:
                found.append((handler, forms))
        return tuple(found)
