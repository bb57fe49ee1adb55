"""Changes made in the console answer in every process within seconds, without a restart.

Each process polls the version (the last audit id) every POLL_SECONDS; when it moved, the process
rebuilds its knowledge base (TOML seed + console rows) off the event loop and swaps it into the
app's `Knowledge` (`keys.KNOWLEDGE`), the one object its dispatcher and console were given.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot import keys
from bot.reminder_loop import stop_task
from knowledge.editing import merge
from knowledge.faq import load_entries
from services.kb_store import changed_rows, version

log = logging.getLogger("mingbai.kb")
POLL_SECONDS = 2.0
VERSION: web.AppKey[list[int]] = web.AppKey("kb_version", list)


async def refresh(app: web.Application, *, force: bool = False) -> bool:
    """Rebuild the knowledge base if the console changed it since the last look; True if rebuilt."""
    seen = app[VERSION]
    current = await version()
    if not force and seen and seen[0] == current:
        return False
    rows = await changed_rows()
    knowledge = app[keys.KNOWLEDGE]
    if rows:
        entries = merge(load_entries(), rows)
        knowledge.use(await asyncio.to_thread(knowledge.rebuild, entries))
        log.info("knowledge base rebuilt at version %d (%d entries)", current, len(entries))
    else:
        knowledge.use(None)  # no console changes (any more): the bundled entries answer
    app[VERSION][:] = [current]
    return True


async def _poll(app: web.Application) -> None:
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            await refresh(app)
        except Exception as exc:  # the database may be down for a while: keep answering from what we have
            log.warning("knowledge base refresh failed: %s", type(exc).__name__)


async def kb_live_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load the console's changes before serving, then follow them."""
    app[VERSION] = []
    try:
        await refresh(app)
    except Exception as exc:
        log.warning("knowledge base changes not loaded at start: %s", type(exc).__name__)
    task = asyncio.create_task(_poll(app))
    yield
    await stop_task(task)


def setup(app: web.Application) -> None:
    """Follow the console's changes (after the database is up)."""
    app.cleanup_ctx.append(kb_live_ctx)
