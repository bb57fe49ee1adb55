"""models.database: a serving app's database is found by tasks that entered no context (the server's requests)."""

from __future__ import annotations

import asyncio
import contextvars
import shutil
from pathlib import Path

import pytest

import models
from models.core import Town


async def _towns_seen_from_a_fresh_task() -> list[str]:
    """What a request task sees: it runs in an empty context, as aiohttp's handler tasks may."""
    async def names() -> list[str]:
        return sorted(str(name) for name in await Town.all().values_list("name", flat=True))

    return await asyncio.get_running_loop().create_task(names(), context=contextvars.Context())


async def test_serving_databases_take_the_fallback_in_turn(tmp_path: Path) -> None:
    """Two SQLite files, as the test apps of one process open them one after another (or overlapping)."""
    db_url, second = f"sqlite://{tmp_path / 'first.sqlite3'}", f"sqlite://{tmp_path / 'second.sqlite3'}"
    await models.migrate(db_url)
    shutil.copy(tmp_path / "first.sqlite3", tmp_path / "second.sqlite3")
    first_app, second_app = models.database(db_url, global_fallback=True), models.database(second, global_fallback=True)
    await first_app.__aenter__()
    await Town.create(name="一镇")
    assert await _towns_seen_from_a_fresh_task() == ["一镇"]
    with await second_app.__aenter__():
        await Town.create(name="二镇")
    assert await _towns_seen_from_a_fresh_task() == ["一镇"]  # the first app still serves
    await first_app.__aexit__(None, None, None)
    assert await _towns_seen_from_a_fresh_task() == ["二镇"]  # the first closed: the one still open serves
    await second_app.__aexit__(None, None, None)
    with pytest.raises(RuntimeError, match="No TortoiseContext"):  # every app closed: nothing to find
        await _towns_seen_from_a_fresh_task()
