"""What the tally triggers cost on the write path: 5,000 activities in one bulk insert (an import) and
300 saved one by one, with the triggers and without them (dropped, then reinstalled and the tally rebuilt).

    .venv/bin/python bench/tally_writes.py sqlite:///tmp/w.sqlite3
    .venv/bin/python bench/tally_writes.py postgres://postgres@127.0.0.1:5432/SOME_EMPTY_DB
"""

import asyncio
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise.connection import connections

import models
from models.core import Town, Village
from models.outreach import Activity, ActivityKind
from models.tallies import activity_sql


async def run(url: str) -> None:
    """Measure with the triggers, then without."""
    await models.migrate(url)
    async with models.database(url):
        conn = connections.get("default")
        pg = conn.capabilities.dialect == "postgres"
        town = await Town.create(name=f"测{random.random()}")
        v = await Village.create(town=town, name="村")
        rng = random.Random(1)
        def acts(n: int, k: str) -> list[Activity]:
            return [Activity(town_id=town.id, village_id=v.id, kind=ActivityKind.PUBLICITY,
                             date=dt.date(2023, 1 + i % 12, 1 + i % 28), form=rng.choice(["法治公开课", "入户走访"]),
                             six_target=rng.choice(["", "乡村", "学校"]), participants=10, natural_key=f"{k}{i}")
                    for i in range(n)]
        for label in ("with triggers", "without"):
            t = time.perf_counter()
            await Activity.bulk_create(acts(5000, label + "b"))
            bulk = time.perf_counter() - t
            t = time.perf_counter()
            for a in acts(300, label + "s"):
                await a.save()
            one = (time.perf_counter() - t) / 300
            print(f"{'PG' if pg else 'SQLite'} {label}: bulk 5,000 {bulk:.2f} s, one save {one * 1000:.2f} ms")
            if label == "with triggers":
                names = ["outreach_activity_tally"] if pg else [f"outreach_activity_tally_{op}" for op in ("ins", "upd",
                                                                                                         "del")]
                for name in names:
                    await conn.execute_script(f"DROP TRIGGER {name}" + (" ON outreach_activity" if pg else ""))
        for sql in activity_sql(pg):  # put them back (and rebuild)
            await conn.execute_script(sql)

asyncio.run(run(sys.argv[1]))
