"""Benchmark of the WeChat callback: signed text messages with unique MsgIds, N concurrent connections.

Runs mingbai (`mingbai serve` on PostgreSQL + Redis) and a bare aiohttp handler under the same load in
the same run, with the same number of processes each, and prints messages/s, p50/p99 latency, the
servers' CPU time per message and the throughput ratio.

The two servers run side by side and take the load in turns (`--rounds`, mingbai then bare each
round), so that a machine whose speed drifts over a minute (a shared VM) weighs on both alike; the
figures are over all rounds.

    .venv/bin/python bench/callback.py [--seconds 20] [--rounds 4] [--connections 100] [--text 帮助] [--workers 1]
    .venv/bin/python bench/callback.py --wrk --questions   # the work users do: distinct legal questions, wrk

`--wrk` drives the load with wrk (Debian package `wrk`, a C load generator) through bench/wechat.lua,
on requests signed here beforehand; `--questions` sends the development and holdout questions of the
knowledge base (distinct, realistic texts, each message its own MsgId and nonce) instead of `--text`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.wechat.client import WeChatSimulator, text_xml  # noqa: E402

TOKEN = "benchtoken"
PG = os.environ.get("MINGBAI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("MINGBAI_BENCH_REDIS", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def start_mingbai(port: int, tmp: Path, workers: int = 1, *, root: Path = ROOT, name: str = "callback",
                  redis: str = REDIS, redis_extra: str = "") -> subprocess.Popen[bytes]:
    """`mingbai serve` from the tree at `root` on a fresh PostgreSQL database and an emptied Redis database.

    `redis_extra`: lines added to the [redis] section (bench/ab.py compares settings with it).
    """
    db = f"mingbai_bench_{name}"
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True,
                   capture_output=True)
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    subprocess.run(["redis-cli", "-u", redis, "flushdb"], check=True, capture_output=True)
    cfg = tmp / f"{name}.toml"
    cfg.write_text(
        f'[server]\nport = {port}\n[database]\nurl = "{PG}/{db}"\n[redis]\nurl = "{redis}"\n{redis_extra}\n'
        f'[wechat]\ntoken = "{TOKEN}"\n[limits]\nmessages_per_minute = 100000\n'
        '[security]\nsecret_key = "bench-secret-key-0123456789"\n', encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-m", "bot", "--config", str(cfg), "db", "upgrade"], check=True, env=env,
                   capture_output=True, cwd=root)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(cfg), "serve", "--workers", str(workers)],
                            env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/healthz", proc)
    return proc


def start_bare(port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_server.py"), str(port), str(workers)])
    wait_up(f"http://127.0.0.1:{port}/wechat", proc)
    return proc


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants so far (Linux /proc)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


async def load(url: str, seconds: float, connections: int, texts: list[str], users: int) -> Tally:
    sim = WeChatSimulator(TOKEN)
    latencies: list[float] = []
    errors = 0
    first_id = time.time_ns() // 1000  # unique MsgIds across runs: no accidental retries
    counter = iter(range(first_id, first_id + 10**9))
    stop = time.perf_counter() + seconds
    conn = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def worker(w: int) -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                n = next(counter)
                req = sim.sign(text_xml(f"bench-user-{n % users}", texts[n % len(texts)], n))
                t0 = time.perf_counter()
                try:
                    async with session.post(url, params=req.query, data=req.body) as resp:
                        await resp.read()
                        if resp.status != 200:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append(time.perf_counter() - t0)

        t_start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(connections)))
        elapsed = time.perf_counter() - t_start
    return Tally(latencies, elapsed, errors)


class Tally:
    """Latencies, load time and errors of one server, over any number of rounds."""

    def __init__(self, latencies: list[float] | None = None, elapsed: float = 0.0, errors: int = 0) -> None:
        self.latencies, self.elapsed, self.errors, self.cpu = latencies or [], elapsed, errors, 0.0
        self.count = len(self.latencies)
        self.p50 = self.p99 = 0.0  # wrk's percentiles (it keeps no list of latencies)
        self.rounds: list[Tally] = []

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.count += other.count
        self.elapsed += other.elapsed
        self.errors += other.errors
        self.cpu += other.cpu
        self.rounds.append(other)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed

    def summary(self) -> dict[str, float]:
        if self.latencies:
            lat = sorted(self.latencies)
            p50, p99 = statistics.median(lat), lat[int(len(lat) * 0.99) - 1]
        else:  # wrk rounds: the worst round's percentiles (they cannot be merged)
            p50 = max(r.p50 for r in self.rounds)
            p99 = max(r.p99 for r in self.rounds)
        return {
            "messages": self.count,
            "rate": self.rate,
            "p50_ms": p50 * 1000,
            "p99_ms": p99 * 1000,
            "errors": self.errors,
            "cpu_us": self.cpu / self.count * 1e6,
        }


def questions() -> list[str]:
    """The knowledge base's development and holdout questions that are legal questions (not chat)."""
    import tomllib

    found: list[str] = []
    for name in ("devset.toml", "holdout.toml"):
        cases = tomllib.loads((ROOT / "knowledge" / "data" / name).read_text(encoding="utf-8"))["case"]
        found += [c["q"] for c in cases if c.get("kind") != "off"]
    return found


def write_requests(path: Path, count: int, texts: list[str], users: int) -> None:
    """`count` signed callback requests, one per line for bench/wechat.lua: unique MsgIds and nonces."""
    sim = WeChatSimulator(TOKEN)
    first_id = time.time_ns() // 1000
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            msg_id = first_id + n
            req = sim.sign(text_xml(f"bench-user-{msg_id % users}", texts[n % len(texts)], msg_id))
            query = "&".join(f"{k}={v}" for k, v in req.query.items())
            out.write(f"/wechat?{query}\t{req.body.decode()}\n")


def wrk_load(url: str, seconds: float, connections: int, texts: list[str], users: int, tmp: Path) -> Tally:
    """One wrk run; the Tally holds p50/p99 from wrk's histogram (as two-point latencies) and the counts."""
    requests = tmp / "requests.txt"
    write_requests(requests, max(20_000, int(seconds * 4000)), texts, users)
    threads = 2
    env = {**os.environ, "MINGBAI_WRK_REQUESTS": str(requests), "MINGBAI_WRK_THREADS": str(threads)}
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s",
                          "-s", str(ROOT / "bench" / "wechat.lua"), url.removesuffix("/wechat")],
                         env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    count, micros, errors, p50, p99, wraps = line.split()[1:]
    del wraps  # only the bare handler, far faster, runs through the file (it ignores MsgIds)
    tally = Tally([], int(micros) / 1e6, int(errors))
    tally.count, tally.p50, tally.p99 = int(count), float(p50) / 1e6, float(p99) / 1e6
    return tally


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20, help="load time per server, over all rounds")
    ap.add_argument("--rounds", type=int, default=4, help="turns each server takes the load")
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--text", default="帮助")
    ap.add_argument("--users", type=int, default=1000, help="distinct openids in the load")
    ap.add_argument("--workers", type=int, default=1,
                    help="server processes sharing the port, for mingbai and the bare handler alike")
    ap.add_argument("--wrk", action="store_true", help="load with wrk (a C load generator) instead of Python")
    ap.add_argument("--questions", action="store_true",
                    help="distinct legal questions from knowledge/data instead of --text")
    args = ap.parse_args()
    texts = questions() if args.questions else [args.text]

    def run_load(url: str, seconds: float, tmp: Path) -> Tally:
        if args.wrk:
            return wrk_load(url, seconds, args.connections, texts, args.users, tmp)
        return asyncio.run(load(url, seconds, args.connections, texts, args.users))
    tallies = {"mingbai": Tally(), "bare aiohttp": Tally()}
    procs: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for name, starter in (("mingbai", lambda p: start_mingbai(p, Path(tmp), args.workers)),
                                  ("bare aiohttp", lambda p: start_bare(p, args.workers))):
                port = free_port()
                procs[name] = (starter(port), f"http://127.0.0.1:{port}/wechat")
                run_load(procs[name][1], 2, Path(tmp))  # warm-up
            for n in range(1, args.rounds + 1):
                rates = []
                for name, (proc, url) in procs.items():
                    cpu = tree_cpu_seconds(proc.pid)
                    tally = run_load(url, args.seconds / args.rounds, Path(tmp))
                    tally.cpu = tree_cpu_seconds(proc.pid) - cpu
                    tallies[name].add(tally)
                    rates.append(f"{name} {tally.rate:,.0f} msg/s")
                print(f"round {n}: " + ", ".join(rates), flush=True)
        finally:
            for proc, _ in procs.values():
                proc.terminate()
                proc.wait(timeout=30)
    results = {name: t.summary() for name, t in tallies.items()}
    what = f"{len(texts)} distinct questions" if args.questions else f"text {args.text!r}"
    print(f"{args.connections} connections, {args.seconds:.0f} s each in {args.rounds} rounds, {what}, "
          f"load by {'wrk' if args.wrk else 'Python'}, "
          f"{args.users} users, processes per server: {args.workers}")
    print(f"{'server':<14}{'msgs':>8}{'msg/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'CPU µs/msg':>12}")
    for name, r in results.items():
        print(f"{name:<14}{r['messages']:>8.0f}{r['rate']:>10.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['errors']:>8.0f}"
              f"{r['cpu_us']:>12.0f}")
    ratio = results["mingbai"]["rate"] / results["bare aiohttp"]["rate"]
    print(f"throughput ratio mingbai / bare aiohttp: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
