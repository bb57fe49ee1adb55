"""The migration to fingerprints keeps every existing row and gives equal rows one key."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from tortoise import connections

import models
from models.outreach import Activity, ActivityKind
from services.activities import fingerprint

pytestmark = pytest.mark.db


async def _migrate(url: str, target: str | None = None) -> None:
    from tortoise.context import TortoiseContext
    from tortoise.migrations.api import migrate

    async with TortoiseContext():
        await migrate(config=models.tortoise_config(url), target=target)


def test_existing_rows_get_fingerprints(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    asyncio.run(_migrate(url, "outreach.0001_initial"))

    async def seed() -> None:
        async with models.database(url):
            db = connections.get("default")
            await db.execute_script(
                "INSERT INTO town (id, name, studio_name, case_prefix, created_at) VALUES (1, '江湾镇', '', '', "
                "'2025-01-01 00:00:00');"
                "INSERT INTO outreach_activity (town_id, kind, date, form, six_target, theme, place, participants, "
                "materials, consultations, organiser, source, natural_key, withdrawn, created_at, updated_at) VALUES "
                "(1, 'publicity', '2025-05-12', '入户走访', '', '反诈', '', 30, 0, 0, '李明', 'api', 'k', 0, "
                "'2025-05-12 00:00:00', '2025-05-12 00:00:00'),"
                "(1, 'publicity', '2025-05-12', '入户走访', '', '反诈', '', 30, 0, 0, '李明', 'api', 'k', 0, "
                "'2025-05-12 00:00:00', '2025-05-12 00:00:00'),"
                "(1, 'publicity', '2025-05-12', '入户走访', '', '反诈', '', 42, 0, 0, '李明', 'import', 'k', 0, "
                "'2025-05-12 00:00:00', '2025-05-12 00:00:00');")

    asyncio.run(seed())
    asyncio.run(_migrate(url))

    async def check() -> list[tuple[int, str | None]]:
        async with models.database(url):
            return list(await Activity.all().order_by("id").values_list("participants", "fingerprint"))

    rows = asyncio.run(check())
    assert len(rows) == 3
    assert rows[0][1] and rows[1][1] is None and rows[2][1] and rows[0][1] != rows[2][1]
    # the key the service computes for the same entry: a new save of it is recognised
    assert rows[0][1] == fingerprint(1, {"date": dt.date(2025, 5, 12), "kind": ActivityKind.PUBLICITY,
                                         "village_id": None, "form": "入户走访", "theme": "反诈",
                                         "participants": 30, "organiser": "李明"})
