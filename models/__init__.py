"""Persistence: the tortoise-orm tables and their enums, migrations and the database setup. Nothing else lives here."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise.context import TortoiseContext, get_current_context, set_global_context

# One tortoise app per area, each with its own migrations package (models/migrations/<label>).
# Later areas add their label here in dependency order.
APPS: dict[str, str] = {
    "core": "models.core",
    "outreach": "models.outreach",
    "mediation": "models.mediation",
    "kb": "models.questions",
    "screening": "models.screening_tables",
    "helper_work": "models.helper_tables",
    "reports": "models.submitted_tables",
}


def normalize_db_url(url: str) -> str:
    """Tortoise names the PostgreSQL scheme 'postgres'; accept 'postgresql' too."""
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


def tortoise_config(db_url: str) -> dict[str, Any]:
    """The tortoise configuration for a database URL."""
    return {
        "connections": {"default": normalize_db_url(db_url)},
        "apps": {
            label: {
                "models": [module],
                "migrations": f"models.migrations.{label}",
                "default_connection": "default",
            }
            for label, module in APPS.items()
        },
        "use_tz": True,
        "timezone": "Asia/Shanghai",
    }


async def migrate(db_url: str) -> None:
    """Apply every pending migration (creates the SQLite file's folder if needed)."""
    from tortoise.migrations.api import migrate as tortoise_migrate

    _ensure_sqlite_dir(db_url)
    async with TortoiseContext():
        await tortoise_migrate(config=tortoise_config(_migration_url(db_url)))


def _migration_url(db_url: str) -> str:
    """SQLite alters a column by rebuilding its table; with foreign keys on, dropping the old table
    would cascade-delete every row that refers to it (parties, agreements...), so migrate with them off."""
    if not db_url.startswith("sqlite://") or "foreign_keys=" in db_url:
        return db_url
    return db_url + ("&" if "?" in db_url else "?") + "foreign_keys=OFF"


def _ensure_sqlite_dir(db_url: str) -> None:
    if db_url.startswith("sqlite://") and ":memory:" not in db_url:
        from pathlib import Path

        Path(db_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)


_SERVING: list[TortoiseContext] = []  # contexts of running apps, oldest first; one of them is the global fallback


def _global_fallback() -> TortoiseContext | None:
    """The context a task that entered none finds: tortoise's global fallback, read from an empty context."""
    return contextvars.Context().run(get_current_context)


@asynccontextmanager
async def database(db_url: str, *, global_fallback: bool = False) -> AsyncIterator[TortoiseContext]:
    """Open the database for the duration of a block (CLI commands, tests, the server).

    The server passes global_fallback=True: every request task then finds this context, whichever
    task or thread runs it (tortoise's set_global_context). While one serving app holds the fallback,
    another opened in the same process (tests) waits for it: tortoise clears the fallback when its
    context closes, and the newest app still open takes it. Otherwise the context is current only
    inside the block.
    """
    _ensure_sqlite_dir(db_url)
    ctx = TortoiseContext()
    ctx.__enter__()
    try:
        await ctx.init(config=tortoise_config(db_url))
        if global_fallback:  # set up and torn down in different tasks (aiohttp cleanup_ctx)
            _leave(ctx)
            _SERVING.append(ctx)
            if _global_fallback() is None:
                set_global_context(ctx)
        yield ctx
    finally:
        await ctx.close_connections()  # also clears the global fallback if it was this context
        if global_fallback:
            if ctx in _SERVING:
                _SERVING.remove(ctx)
            if _SERVING and _global_fallback() is None:
                set_global_context(_SERVING[-1])
        else:
            _leave(ctx)


def _leave(ctx: TortoiseContext) -> None:
    try:
        ctx.__exit__(None, None, None)
    except ValueError:  # left from another task's context (a fixture's teardown): nothing to restore there
        pass
