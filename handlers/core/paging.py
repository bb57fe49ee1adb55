"""WeChat rejects text replies over 2048 bytes: split long text and keep the rest for '更多'."""

from __future__ import annotations

from handlers.core.fsm import PAUSED, FSMContext

MAX_REPLY_BYTES = 2048
MORE_HINT = "\n\n（内容较长，回复“更多”查看后续）"
NOTICE_BYTES = len(PAUSED.encode()) + 8  # room for the pause line FormMiddleware puts first while forms pause


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
    """Keeps the unsent pages of a user's last long reply in the user's conversation state.

    While the state is unavailable the later pages are not kept ('更多' then says there is nothing
    more) and pages leave room for the pause line.
    """

    async def paginate(self, state: FSMContext, text: str) -> str:
        """Return the first page and keep the others (dropping pages of an older reply)."""
        if not state.available:
            return split_text(text, MAX_REPLY_BYTES - NOTICE_BYTES)[0]
        pages = split_text(text)
        await state.keep_pages(pages[1:])
        return pages[0]

    async def next_page(self, state: FSMContext) -> Page | None:
        """The next kept page, or None when there is nothing more."""
        pages = await state.pages()
        if not pages or not state.available:
            return None
        await state.keep_pages(pages[1:])
        return Page(pages[0])
