"""Soak test: mixed traffic against two mingbai processes on PostgreSQL + Redis, with a slow WeChat API.

Villagers ask questions (some get the numbered choice and answer it), helpers log activities with
the one-line form and confirm, WeChat retries some messages (to the other process). The database
is reached through a proxy that delays its replies, so saving a form misses the 0.5 s budget and
the answer goes out through the customer-service API, which the fake WeChat API answers slowly.
Reports throughput, p50/p99 latency, errors (target 0), each process's memory at start and end
(target flat) and dedup correctness (every retry got the first delivery's reply).

    .venv/bin/python bench/soak.py [--minutes 10] [--connections 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.callback import PG, free_port, wait_up  # noqa: E402
from bot.wechat.client import WeChatSimulator, text_xml  # noqa: E402
from tests.bot.netfaults import TcpProxy  # noqa: E402
from tests.fakewechat import FakeWeChat  # noqa: E402

TOKEN = "soaktoken"
REDIS = os.environ.get("MINGBAI_BENCH_REDIS", "redis://127.0.0.1:6379/14")
QUESTIONS = [
    "我爹走了没留遗嘱 老房子咋分", "欠钱不还怎么办", "宅基地能卖给城里人吗", "工地老板不给工钱咋办",
    "被狗咬了找谁赔", "离婚孩子归谁", "彩礼", "民法典第1127条", "今天天气怎么样", "打架了派出所怎么处罚",
    "借条过了三年还能要吗", "买到过期食品能赔多少", "出嫁女的承包地村里能收回吗", "交通事故对方全责怎么赔",
]


def rss_kb(pid: int) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.retries = 0
        self.retry_mismatches = 0
        self.mismatch_examples: list[tuple[str, str]] = []
        self.kinds: dict[str, int] = {}


def start_servers(
    fake_port: int, db_port: int, helpers: int
) -> tuple[list[subprocess.Popen[bytes]], list[int], list[str]]:
    """A fresh database, villages and helpers with invite codes, then two server processes (database via db_port)."""
    db = "mingbai_bench_soak"
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True, capture_output=True)
    tmp = Path(tempfile.mkdtemp())
    cfg = tmp / "soak.toml"
    cfg.write_text(
        f'[server]\nreply_budget_seconds = 0.5\n[database]\nurl = "postgres://postgres@127.0.0.1:{db_port}/{db}"\n'
        f'[redis]\nurl = "{REDIS}"\n'
        f'[wechat]\ntoken = "{TOKEN}"\nsecret = "s"\napi_base_url = "http://127.0.0.1:{fake_port}"\n'
        '[limits]\nmessages_per_minute = 100000\n[security]\nsecret_key = "soak-secret-key-0123456789"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    mingbai = [sys.executable, "-m", "bot", "--config", str(cfg)]
    subprocess.run([*mingbai, "db", "upgrade"], check=True, env=env, capture_output=True)
    (tmp / "villages.csv").write_text("村名,户数\n江湾村,300\n", encoding="utf-8")
    subprocess.run([*mingbai, "villages", "import", str(tmp / "villages.csv")], check=True, env=env,
                   capture_output=True)
    codes = []
    for i in range(helpers):
        out = subprocess.run([*mingbai, "user", "add", "--role", "helper", "--name", f"明白人{i}",
                              "--village", "江湾村"], check=True, env=env, capture_output=True, text=True).stdout
        codes.append(re.findall(r"[A-Z0-9]{6,}", out)[-1])

    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([*mingbai, "serve", "--port", str(p)], env=env, stdout=subprocess.DEVNULL,
                              stderr=(tmp / f"server-{i}.log").open("wb")) for i, p in enumerate(ports)]
    print(f"server logs: {tmp}/server-*.log", file=sys.stderr)
    for port, proc in zip(ports, procs, strict=True):
        wait_up(f"http://127.0.0.1:{port}/healthz", proc)
    return procs, ports, codes


async def main_async(args: argparse.Namespace) -> int:
    fake = FakeWeChat(delay=args.wechat_delay)
    fake_runner = web.AppRunner(fake.app())
    await fake_runner.setup()
    fake_port = free_port()
    await web.TCPSite(fake_runner, "127.0.0.1", fake_port).start()

    proxy = TcpProxy(urlsplit(PG).port or 5432)  # the database, slowed down during the run by --db-delay
    await proxy.start()
    procs, ports, codes = await asyncio.to_thread(start_servers, fake_port, proxy.port, args.helpers)
    bases = [f"http://127.0.0.1:{p}/wechat" for p in ports]
    sim = WeChatSimulator(TOKEN)
    ids = itertools.count(time.time_ns() // 1000)
    stats = Stats()

    async def send(session: aiohttp.ClientSession, base: str, openid: str, text: str, msg_id: int) -> str:
        req = sim.sign(text_xml(openid, text, msg_id))
        t0 = time.perf_counter()
        async with session.post(base, params=req.query, data=req.body) as resp:
            body = await resp.text()
            stats.latencies.append(time.perf_counter() - t0)
            if resp.status != 200:
                stats.errors.append(f"{resp.status} {body[:80]}")
                return ""
            return str(sim.open_reply(body, req.query).get("Content", ""))

    async with aiohttp.ClientSession() as session:
        for i, code in enumerate(codes):
            reply = await send(session, bases[i % 2], f"soak-helper-{i}", f"绑定 {code}", next(ids))
            if "成功" not in reply:
                print(f"binding failed: {reply}", file=sys.stderr)
                return 1
        # warm up both processes (knowledge index, connections) before measuring
        for base in bases:
            await send(session, base, "soak-warm", "帮助", next(ids))
        stats.latencies.clear()
        proxy.delay = args.db_delay
        mem_start = [rss_kb(p.pid) for p in procs]
        stop = time.monotonic() + args.minutes * 60
        rng = random.Random(7)

        async def villager(w: int) -> None:
            while time.monotonic() < stop:
                openid = f"soak-villager-{w}-{rng.randrange(50)}"
                q = rng.choice(QUESTIONS)
                msg_id = next(ids)
                base = rng.choice(bases)
                reply = await send(session, base, openid, q, msg_id)
                stats.kinds["question"] = stats.kinds.get("question", 0) + 1
                if rng.random() < 0.1:  # WeChat retries, to the other process
                    stats.retries += 1
                    again = await send(session, bases[1 - bases.index(base)], openid, q, msg_id)
                    if again != reply:
                        stats.retry_mismatches += 1
                        stats.mismatch_examples.append((reply[:60], again[:60]))
                if "回复1、2、3" in reply:
                    await send(session, rng.choice(bases), openid, str(rng.randint(1, 3)), next(ids))
                    stats.kinds["choice"] = stats.kinds.get("choice", 0) + 1

        async def helper_says(openid: str, text: str) -> str:
            """One helper message; a reply sent later through the customer-service API is waited for."""
            before = len(fake.texts_to(openid))
            reply = await send(session, rng.choice(bases), openid, text, next(ids))
            for _ in range(200):
                if reply or len(fake.texts_to(openid)) > before:
                    return reply or fake.texts_to(openid)[before]
                await asyncio.sleep(0.05)
            return reply

        async def helper(i: int) -> None:
            openid = f"soak-helper-{i}"
            for n in itertools.count():
                if time.monotonic() >= stop:
                    break
                # a new theme each time: the same day, village, form, theme and organiser is one activity
                counts = f"{rng.randint(10, 90)}人 资料{rng.randint(0, 200)}份"
                line = f"活动 今天 江湾村 法治公开课 {counts} 主题民法典第{n}讲"
                if "请核对" in await helper_says(openid, line):
                    if "已保存" in await helper_says(openid, "确认"):
                        stats.kinds["activity"] = stats.kinds.get("activity", 0) + 1
                await asyncio.sleep(0.5)

        rss_series: list[list[int]] = [mem_start]

        async def sample_rss() -> None:  # a growing heap shows as a slope, a settling one as a plateau
            while time.monotonic() < stop:
                await asyncio.sleep(min(60.0, max(stop - time.monotonic(), 0.0)))
                rss_series.append([rss_kb(p.pid) for p in procs])

        started = time.perf_counter()
        await asyncio.gather(*(villager(w) for w in range(args.connections)), *(helper(i) for i in range(args.helpers)),
                             sample_rss())
        elapsed = time.perf_counter() - started
        mem_end = [rss_kb(p.pid) for p in procs]

    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=60)
    await fake_runner.cleanup()
    await proxy.cut()
    lat = sorted(stats.latencies)
    print(f"soak: {args.minutes:g} min, 2 processes, {args.connections} villager connections, "
          f"{args.helpers} helpers, WeChat API delay {args.wechat_delay}s, database delay {args.db_delay}s per reply")
    print(f"messages {len(lat)}  throughput {len(lat) / elapsed:.0f} msg/s  "
          f"p50 {statistics.median(lat) * 1000:.1f} ms  p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.1f} ms")
    print(f"errors {len(stats.errors)}  {stats.errors[:3]}")
    print(f"by kind {stats.kinds}  customer-service sends {len(fake.sent)}")
    print(f"retries {stats.retries}, replies differing from the first delivery: {stats.retry_mismatches}")
    print(f"helper 0's last customer-service messages: {[t[:40] for t in fake.texts_to('soak-helper-0')[-3:]]}")
    for first, again in stats.mismatch_examples[:3]:
        print(f"  first {first!r} / retry {again!r}")
    for i, (a, b) in enumerate(zip(mem_start, mem_end, strict=True)):
        print(f"process {i}: RSS {a / 1024:.1f} MB -> {b / 1024:.1f} MB ({(b - a) / 1024:+.1f} MB); each minute: "
              + " ".join(f"{sample[i] / 1024:.1f}" for sample in rss_series))
    return 0 if not stats.errors and not stats.retry_mismatches else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--helpers", type=int, default=4)
    ap.add_argument("--wechat-delay", type=float, default=0.5, help="seconds the fake WeChat API takes per send")
    ap.add_argument("--db-delay", type=float, default=0.0,
                    help="seconds added to every database reply: saving a form then misses the 0.5 s budget")
    return asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
