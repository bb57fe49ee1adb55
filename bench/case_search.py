"""Benchmark of the console's case search at county scale on PostgreSQL.

Creates a separate database (default mingbai_bench_cases), loads 100,000 cases in one town with 2 to 5 parties
each (about 350,000 party rows) with COPY, then times what the board runs for a search box entry (the count for
paging and the first page, through queries.case_lists.board / board_count, exactly as the console calls them):
a party's phone number, a 调字号, a party's name, and a filter by year and type. Drops the database at the end
unless --keep.

    .venv/bin/python bench/case_search.py [--pg postgres://postgres@127.0.0.1:5432/postgres] [--runs 20] [--keep]

Target: a case found by a party's phone among 100,000 cases in under a second.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import _admin, _db_url, _pg  # noqa: E402 - after the path is set

TZ = ZoneInfo("Asia/Shanghai")
CASES = 100_000
TYPES = ("邻里", "婚姻家庭", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "其他")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英志强桂兰明华海燕小军丽娟永红德胜玉梅春花"


async def load(url: str, seed: int) -> tuple[str, str, str]:
    """Schema, then 100,000 cases over three years with their parties; returns a phone, a number and a name."""
    import asyncpg

    import models

    await models.migrate(url)
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    conn = await asyncpg.connect(_pg(url))
    try:
        town = await conn.fetchval("INSERT INTO town (name, studio_name, case_prefix, created_at) "
                                   "VALUES ('江湾镇', '', '江湾', $1) RETURNING id", now)
        village = await conn.fetchval("INSERT INTO village (town_id, name, households, created_at) "
                                      "VALUES ($1, '江湾村', 500, $2) RETURNING id", town, now)
        rows, seqs = [], {2024: 0, 2025: 0, 2026: 0}
        for _ in range(CASES):
            year = rng.choice((2024, 2025, 2026))
            seqs[year] += 1
            s = seqs[year]
            reg = dt.datetime(year, 1, 1, tzinfo=TZ) + dt.timedelta(minutes=rng.randrange(360 * 24 * 60))
            rows.append((town, f"〔{year}〕江湾调字第{s}号", f"〔{year}〕江湾登字第{s}号", year, s, s,
                         rng.choice(TYPES), "申请调解", "", "archived", village, "江湾村", "", reg, now,
                         "", "", "", False, False, False, False))
        await conn.copy_records_to_table(
            "mediation_case", columns=["town_id", "number", "reg_number", "year", "seq", "reg_seq", "case_type",
                                       "source", "referred_by", "status", "village_id", "village_name", "summary",
                                       "registered_at", "updated_at", "decline_reason", "fail_routes", "end_note",
                                       "risk_escalation", "reported_to_police", "prevented_criminal", "escalated"],
            records=rows)
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM mediation_case ORDER BY id")]
        parties, phones = [], set()
        for case_id in ids:
            for k in range(rng.randint(2, 5)):
                phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
                phones.add(phone)
                name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
                parties.append((case_id, "applicant" if k == 0 else "respondent", name, phone, "", ""))
        await conn.copy_records_to_table("mediation_party",
                                         columns=["case_id", "side", "name", "phone", "id_number", "address"],
                                         records=parties)
        await conn.execute("ANALYZE")
        pick = parties[len(parties) // 2]
        number = await conn.fetchval("SELECT number FROM mediation_case WHERE id = $1", pick[0])
        return pick[3], number, pick[2]
    finally:
        await conn.close()


async def measure(url: str, runs: int, phone: str, number: str, name: str) -> None:
    """Time count + first page for each kind of search, as the console runs them."""
    import models
    from models.core import Town
    from queries.case_lists import PAGE_SIZE, BoardFilter, board, board_count

    async with models.database(url):
        town = await Town.get(name="江湾镇")
        today = dt.date(2026, 12, 31)
        searches = {
            "party phone": BoardFilter(q=phone), "调字号": BoardFilter(q=number), "party name": BoardFilter(q=name),
            "year + type": BoardFilter(year=2025, case_type="邻里"),
        }
        print(f"{'search':<14} {'found':>7} {'median':>10} {'p95':>10}  (count + first page of {PAGE_SIZE})")
        for label, f in searches.items():
            times, found = [], 0
            for _ in range(runs):
                t0 = time.perf_counter()
                found = await board_count(town.id, f, today)
                page = await board(town.id, f, today, limit=PAGE_SIZE)
                times.append(time.perf_counter() - t0)
                assert found >= 1 and page
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(f"{label:<14} {found:>7} {statistics.median(times) * 1000:>8.1f}ms {p95 * 1000:>8.1f}ms")


async def main() -> None:
    """Load, measure, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--name", default="mingbai_bench_cases")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = _db_url(args.pg, args.name)
    await _admin(args.pg, f'DROP DATABASE IF EXISTS "{args.name}"')
    await _admin(args.pg, f'CREATE DATABASE "{args.name}"')
    try:
        t0 = time.perf_counter()
        phone, number, name = await load(url, args.seed)
        print(f"loaded {CASES:,} cases in {time.perf_counter() - t0:.1f} s")
        await measure(url, args.runs, phone, number, name)
    finally:
        if not args.keep:
            await _admin(args.pg, f'DROP DATABASE IF EXISTS "{args.name}"')


if __name__ == "__main__":
    asyncio.run(main())
