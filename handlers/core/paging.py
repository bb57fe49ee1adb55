"""WeChat rejects text replies over 2048 bytes: split long text and keep the rest for '更多'."""

from __future__ import annotations

from typing import Any

from handlers.core.fsm import StateUnavailable

MAX_REPLY_BYTES = 2048
MORE_HINT = "\n\n（内容较长，回复“更多”查看后续）"
MORE_TTL = 3600


def split_text(text: str, limit: int = MAX_REPLY_BYTES, hint: str = MORE_HINT) -> list[str]:
    """Split text into pages of at most `limit` UTF-8 bytes (hint included); prefer line breaks."""
    if len(text.encode()) <= limit:
        return [text]
    budget = limit - len(hint.encode())
    pages: list[str] = []
    rest = text
    while len(rest.encode()) > limit:
        cut = _cut_point(rest, budget)
        pages.append(rest[:cut].rstrip() + hint)
        rest = rest[cut:].lstrip()
    pages.append(rest)
    return pages


def _cut_point(text: str, budget: int) -> int:
    size = 0
    last_break = -1
    for i, ch in enumerate(text):
        size += len(ch.encode())
        if size > budget:
            return last_break + 1 if last_break >= i // 2 else i
        if ch in "\n。；;":
            last_break = i
    return len(text)


class Page(str):
    """A page already cut to size (the answer to '更多'): not paginated again."""


class Pager:
    """Keeps the unsent pages of a user's last long reply (Redis or memory, via StateStorage).

    While the storage is unreachable the later pages are not kept: '更多' then says there is nothing more.
    """

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    async def paginate(self, openid: str, text: str) -> str:
        """Return the first page and keep the others (dropping pages of an older reply)."""
        pages = split_text(text)
        try:
            if len(pages) > 1:
                await self.storage.set(f"more:{openid}", {"pages": pages[1:]}, MORE_TTL)
            else:
                await self.storage.delete(f"more:{openid}")
        except StateUnavailable:
            pass
        return pages[0]

    async def next_page(self, openid: str) -> Page | None:
        """The next kept page, or None when there is nothing more."""
        try:
            record = await self.storage.get(f"more:{openid}")
            if not record or not record.get("pages"):
                return None
            pages: list[str] = record["pages"]
            if len(pages) > 1:
                await self.storage.set(f"more:{openid}", {"pages": pages[1:]}, MORE_TTL)
            else:
                await self.storage.delete(f"more:{openid}")
        except StateUnavailable:
            return None
        return Page(pages[0])
