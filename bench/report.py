"""Benchmark of the statistics and the report documents at county scale on PostgreSQL.

Creates a separate database (default mingbai_bench), loads 300 villages in 15 towns, 20,000 helpers,
1,000,000 activities and 100,000 disputes of one year with COPY (in a child process, so the loading does
not count towards the measured memory; triggers off during the COPY, then the tallies rebuilt in one pass,
as the migration does for existing data), then times, each --repeat times (median, min-max):
the full recomputation from the records and the statistics from the tallies (county and one town, the
ratio printed), each output format for the county and one town, and GET /admin/stats for the county
through the real app (page, then its two charts); peak Python memory (tracemalloc) of each step and the
process's peak RSS. Drops the database at the end unless --keep (with --keep an existing database is reused).

    .venv/bin/python bench/report.py [--pg postgres://postgres@127.0.0.1:5432/test] [--year 2023] [--keep]

Targets: county statistics < 0.3 s, /admin/stats for the county < 0.5 s, every document < 3 s, peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Shanghai")
TOWNS, VILLAGES_PER_TOWN, HELPERS, ACTIVITIES, DISPUTES = 15, 20, 20_000, 1_000_000, 100_000
CHUNK = 100_000
FORMS = ("法治公开课", "入户走访", "小板凳会议", "新时代文明实践", "送法下乡", "以案释法", "法律咨询", "普法讲座")
TARGETS = ("乡村", "乡村", "乡村", "", "", "学校", "企业", "社区", "机关", "单位")
TYPES = ("邻里", "婚姻家庭", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "征地拆迁", "环境污染",
         "劳动争议", "消费", "医疗", "道路交通事故", "物业", "其他")
SOURCES = ("申请调解", "申请调解", "主动调解", "接受委托移送")


def _pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _db_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def _admin(admin_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg(admin_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _exists(admin_url: str, name: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(_pg(admin_url))
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


def _activities(rng: random.Random, year: int, villages: list[tuple[int, int]], now: dt.datetime
                ) -> Iterator[list[tuple[Any, ...]]]:
    start = dt.date(year, 1, 1).toordinal()
    days = dt.date(year, 12, 31).toordinal() - start + 1
    rows: list[tuple[Any, ...]] = []
    for i in range(ACTIVITIES):
        town_id, village_id = villages[i % len(villages)]
        r = rng.random()
        kind = "meeting" if r < 0.01 else "training" if r < 0.03 else "publicity"
        day = dt.date.fromordinal(start + rng.randrange(days))
        rows.append((kind, day, rng.choice(FORMS), rng.choice(TARGETS), "民法典", "", rng.randint(10, 150),
                     rng.randint(0, 200), rng.randint(0, 20), "", "import", f"bench{i}", False, now, now,
                     town_id, village_id if kind == "publicity" else None))
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


async def load(url: str, year: int, seed: int) -> None:
    """Create the schema and COPY the county-scale data in."""
    import asyncpg

    import models

    await models.migrate(url)
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    conn = await asyncpg.connect(_pg(url))
    try:
        await conn.execute("SET session_replication_role = replica")  # no triggers during COPY: rebuilt below
        await conn.copy_records_to_table("town", columns=["name", "studio_name", "case_prefix", "created_at"],
                                         records=[(f"第{i + 1}镇", "", f"镇{i + 1}", now) for i in range(TOWNS)])
        towns = [r["id"] for r in await conn.fetch("SELECT id FROM town ORDER BY id")]
        await conn.copy_records_to_table(
            "village", columns=["town_id", "name", "households", "created_at"],
            records=[(t, f"{j + 1}村", rng.randint(300, 900), now) for t in towns for j in range(VILLAGES_PER_TOWN)])
        villages = [(r["town_id"], r["id"]) for r in await conn.fetch("SELECT id, town_id FROM village ORDER BY id")]
        await conn.copy_records_to_table(
            "user", columns=["role", "display_name", "phone", "is_core", "active", "password_hash", "created_at",
                             "town_id", "village_id"],
            records=[("helper", f"明白人{i}", "", rng.random() < 0.8, True, "", now, *villages[i % len(villages)])
                     for i in range(HELPERS)])
        columns = ["kind", "date", "form", "six_target", "theme", "place", "participants", "materials",
                   "consultations", "organiser", "source", "fingerprint", "withdrawn", "created_at", "updated_at",
                   "town_id", "village_id"]
        for chunk in _activities(rng, year, villages, now):
            await conn.copy_records_to_table("outreach_activity", columns=columns, records=chunk)
        start = dt.datetime(year, 1, 1, tzinfo=TZ)
        cases, outcomes = [], []
        for i in range(DISPUTES):
            town_id, village_id = villages[i % len(villages)]
            reg = start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60 - 60 * 24 * 40))
            day = reg.date()
            r = rng.random()
            status, accepted, closed, routes = "archived", day + dt.timedelta(days=1), None, ""
            if r < 0.04:
                status, accepted, closed = "declined", None, day + dt.timedelta(days=1)
            elif r < 0.07:
                status, routes, closed = "archived", "诉讼", day + dt.timedelta(days=rng.randint(5, 40))
            elif r < 0.09:
                status, closed = "terminated", day + dt.timedelta(days=rng.randint(5, 40))
            elif r < 0.12:
                status = "mediating"
            else:
                closed = day + dt.timedelta(days=rng.randint(3, 40))
            outcome = "agreed" if status == "archived" and not routes and r >= 0.12 else ""
            cases.append((town_id, f"〔{year}〕镇{town_id}调字第{i + 1}号", year, i + 1, rng.choice(TYPES),
                           rng.choice(SOURCES), "", status, village_id, "", "", reg, accepted, closed,
                           accepted + dt.timedelta(days=30) if status == "mediating" and accepted else None,
                           "", routes, "", r < 0.005, False, r < 0.02, r < 0.001, closed is not None, now))
            outcomes.append((outcome, closed))
        await conn.copy_records_to_table(
            "mediation_case", columns=["town_id", "number", "year", "seq", "case_type", "source", "referred_by",
                                       "status", "village_id", "village_name", "summary", "registered_at",
                                       "accepted_on", "closed_on", "due_on", "decline_reason", "fail_routes",
                                       "end_note", "risk_escalation", "reported_to_police", "prevented_criminal",
                                       "escalated", "escalation_recorded", "updated_at"],
            records=cases)
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM mediation_case ORDER BY seq")]
        agreements, follow_ups, confirmations = [], [], []
        for case_id, (outcome, closed) in zip(ids, outcomes, strict=True):
            if outcome != "agreed":
                continue
            amount = rng.randrange(0, 50000, 100) if rng.random() < 0.6 else None
            agreements.append((case_id, "written", "", "", "", "按约定履行", amount, "", closed, now))
            if rng.random() < 0.7:
                follow_ups.append((case_id, closed + dt.timedelta(days=20), "yes", True, "", now))
            if rng.random() < 0.05:
                confirmations.append((case_id, "县人民法院", closed + dt.timedelta(days=5), "confirmed", ""))
        await conn.copy_records_to_table(
            "mediation_agreement", columns=["case_id", "form", "facts", "issues", "responsibility", "performance",
                                            "amount", "terms", "effective_on", "created_at"], records=agreements)
        await conn.copy_records_to_table(
            "mediation_follow_up", columns=["case_id", "visited_on", "performed", "satisfied", "note", "created_at"],
            records=follow_ups)
        await conn.copy_records_to_table(
            "mediation_confirmation", columns=["case_id", "court", "applied_on", "result", "note"],
            records=confirmations)
        await conn.execute("SET session_replication_role = DEFAULT")
        from models.tallies import rebuild_sql

        started = time.perf_counter()
        for sql in rebuild_sql(True):
            await conn.execute(sql)
        print(f"tallies rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _mb(n: float) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


Result = tuple[str, list[float], int]


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times):6.3f} s ({min(times):.3f}-{max(times):.3f})"


async def measure(url: str, year: int, repeat: int) -> list[Result]:
    """Times (each step `repeat` times) and peak Python memory of the statistics and each document."""
    import models
    from models import stats
    from models.core import Town
    from models.report import charts
    from models.report_figures import Period
    from models.reporting import ReportRequest, Targets, report_bytes

    charts.cjk_font_path()
    results: list[Result] = []
    period = Period.year(year)
    async with models.database(url):
        town = await Town.all().order_by("id").first()
        assert town is not None
        await stats.town_figures(period, town)  # warm the connection and the caches

        async def step(name: str, make: Callable[[], Awaitable[Any]]) -> Any:
            """Timed without tracing (tracemalloc slows Python code down severalfold), then traced for memory."""
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                value = await make()
                times.append(time.perf_counter() - started)
            tracemalloc.start()
            await make()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results.append((name, times, peak))
            print(f"{name:<40} {_spread(times)}   peak {_mb(peak):>7}", flush=True)
            return value

        ref = await step("statistics, county, year (records)", lambda: stats.county_figures(period, source="records"))
        c = await step("statistics, county, year", lambda: stats.county_figures(period))
        a = c.total.activities
        print(f"    activities {a.events + a.meetings + a.trainings:,}"
              f", disputes {c.total.disputes.received:,}, helpers {c.total.helpers.helpers:,}, "
              f"villages {len(c.total.helpers.villages)}; same figures as the records: {ref == c}", flush=True)
        ratio = statistics.median(results[-2][1]) / statistics.median(results[-1][1])
        print(f"    ratio records / tallies: {ratio:.1f}", flush=True)
        await step("statistics, one town, year (records)",
                   lambda: stats.town_figures(period, town, source="records"))
        await step("statistics, one town, year", lambda: stats.town_figures(period, town))
        targets = Targets()
        county = ReportRequest(period, county=True)
        one = ReportRequest(period, town=town.name)
        for fmt in ("text", "md", "docx", "xlsx"):
            data = await step(f"document {fmt}, county", lambda fmt=fmt: report_bytes(county, targets, fmt))
            print(f"    {len(data):,} bytes", flush=True)
        for fmt in ("docx", "xlsx"):
            await step(f"document {fmt}, one town", lambda fmt=fmt: report_bytes(one, targets, fmt))
        from models.mediation_table import build, build_county, to_xlsx

        first, last = period.start, period.end - dt.timedelta(days=1)
        table = await step("mediation table, county", lambda: build_county(first, last))
        print(f"    受理 {table.combined.total.values['受理']:,}, {len(table.towns)} towns", flush=True)
        await step("mediation table, county, xlsx", lambda: asyncio.to_thread(to_xlsx, table))
        await step("mediation table, one town", lambda: build(town.id, first, last))
    return results


async def measure_page(url: str, year: int, repeat: int) -> list[Result]:
    """GET /admin/stats for the county (a county admin logged in), then its two charts, through the real app."""
    import re

    from aiohttp.test_utils import TestClient, TestServer

    import models
    from bot.admin.passwords import hash_password
    from bot.app import create_app
    from bot.config import parse_settings
    from models.core import Role, User

    async with models.database(url):
        name = "bench-county"  # the console logs in by login name
        if not await User.exists(login=name):
            await User.create(display_name="县管理员bench", login=name, role=Role.COUNTY_ADMIN,
                              password_hash=hash_password("bench-pass-1"))
    settings = parse_settings({"database": {"url": url}, "security": {"secret_key": "bench-secret-key-0123456789"},
                               "wechat": {"token": "benchtoken", "api_base_url": "http://127.0.0.1:9/"}},
                              source="<bench>")
    results: list[Result] = []
    async with TestClient(TestServer(create_app(settings))) as client:
        page = await client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
        assert token
        await client.post("/admin/login", data={"name": name, "password": "bench-pass-1", "csrf_token": token[1]})
        page = await client.get(f"/admin/stats?year={year}")
        assert 'id="tiles"' in await page.text(), "not logged in: the timings would be of the login page"
        for label, paths in (("/admin/stats, county", [f"/admin/stats?year={year}"]),
                             ("/admin/stats + 2 charts, county", [f"/admin/stats?year={year}",
                                                                  f"/admin/stats/chart/months.png?year={year}",
                                                                  f"/admin/stats/chart/types.png?year={year}"])):
            times = []
            for i in range(repeat + 1):
                started = time.perf_counter()
                for path in paths:
                    resp = await client.get(path)
                    assert resp.status == 200, (path, resp.status)
                    await resp.read()
                if i:  # the first is the warm-up (templates, matplotlib)
                    times.append(time.perf_counter() - started)
            results.append((label, times, 0))
            print(f"{label:<40} {_spread(times)}", flush=True)
    return results


def main() -> int:
    """Load, measure, report, drop."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/test", help="an admin connection URL")
    p.add_argument("--name", default="mingbai_bench", help="the database to create and drop")
    p.add_argument("--year", type=int, default=2023)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep the database (and skip loading if it exists)")
    p.add_argument("--repeat", type=int, default=5, help="times each step is measured")
    p.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--page-only", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    url = _db_url(args.pg, args.name)
    if args.load_only:
        asyncio.run(load(url, args.year, args.seed))
        return 0
    if args.page_only:  # the whole app in its own process: its memory is the server's, not the report's
        page = asyncio.run(measure_page(url, args.year, args.repeat))
        print("RESULTS " + json.dumps({"results": page, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
        return 0
    reuse = args.keep and asyncio.run(_exists(args.pg, args.name))
    if not reuse:
        asyncio.run(_admin(args.pg, f"DROP DATABASE IF EXISTS {args.name} WITH (FORCE)"))
        asyncio.run(_admin(args.pg, f"CREATE DATABASE {args.name}"))
    try:
        started = time.perf_counter()
        if not reuse:
            subprocess.run([sys.executable, __file__, "--load-only", "--pg", args.pg, "--name", args.name,
                            "--year", str(args.year), "--seed", str(args.seed)], check=True)
            print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
        results = asyncio.run(measure(url, args.year, args.repeat))
        child = subprocess.run([sys.executable, __file__, "--page-only", "--pg", args.pg, "--name", args.name,
                                "--year", str(args.year), "--repeat", str(args.repeat)],
                               check=True, capture_output=True, text=True)
        lines = child.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith("RESULTS ")), flush=True)
        page = json.loads(next(line for line in lines if line.startswith("RESULTS "))[8:])
        results += [(n, t, m) for n, t, m in page["results"]]
        print(f"peak RSS of the server process (the app, its knowledge base and the page): "
              f"{_mb(page['rss'] * 1024)}")
    finally:
        if not args.keep:
            asyncio.run(_admin(args.pg, f"DROP DATABASE IF EXISTS {args.name} WITH (FORCE)"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def worst(prefix: str) -> float:
        return max(statistics.median(t) for n, t, _ in results if n.startswith(prefix) and "records" not in n)

    stats_ok = worst("statistics, county") < 0.3
    page_ok = worst("/admin/stats, county") < 0.5
    docs_ok = worst("document") < 3
    mem_ok = rss < 300 * 1024 * 1024 and all(m < 300 * 1024 * 1024 for _, _, m in results)
    print(f"peak RSS of the measuring process (statistics and documents): {_mb(rss)}")
    print(f"targets (medians): county statistics < 0.3 s {'OK' if stats_ok else 'MISSED'}; /admin/stats < 0.5 s "
          f"{'OK' if page_ok else 'MISSED'}; documents < 3 s {'OK' if docs_ok else 'MISSED'}; "
          f"memory < 300 MB {'OK' if mem_ok else 'MISSED'}")
    return 0 if stats_ok and page_ok and docs_ok and mem_ok else 1

if __name__ == "__main__":
    sys.exit(main())
