"""A/B of two builds of mingbai: the same callback load on both, in turns, and the CPU per message of each.

For changes worth a few percent, which this kind of shared machine drifts by within a minute: the two
servers run side by side (each on its own PostgreSQL database and Redis database) and take the load
in alternating order, round after round, so the drift weighs on both. The CPU time of each server per
message is the figure to compare; messages/s follows it only as far as the machine's cores allow.

    git worktree add /tmp/base HEAD~1
    .venv/bin/python bench/ab.py /tmp/base . [--rounds 6] [--seconds 5] [--text 帮助] [--b-config "batch_window_ms = 4"]
    .venv/bin/python bench/ab.py /tmp/base . --wrk --questions   # distinct legal questions, load by wrk

Run it both ways round as well: here the server started first (A) measured ~3% less CPU a message
than the same code started second, so a difference of that size is not a finding.

Both builds run on this checkout's virtualenv, each from its own tree (PYTHONPATH). `--a-config` /
`--b-config` add lines to the `[redis]` section of that side's configuration (`|` separates lines),
so one build can also be compared with itself under another setting.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import callback as cb  # bench/callback.py: the load, the CPU reading


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path, help="the tree of build A (the base)")
    ap.add_argument("b", type=Path, help="the tree of build B (the change)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=5, help="load time per server per round")
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--text", default="帮助")
    ap.add_argument("--wrk", action="store_true", help="load with wrk (a C load generator) instead of Python")
    ap.add_argument("--questions", action="store_true",
                    help="distinct legal questions from knowledge/data instead of --text")
    ap.add_argument("--a-config", default="", help="lines added to A's [redis] section")
    ap.add_argument("--b-config", default="", help="lines added to B's [redis] section")
    args = ap.parse_args()
    sides = {"A": (args.a.resolve(), args.a_config), "B": (args.b.resolve(), args.b_config)}
    for root, _ in sides.values():
        if not (root / "bot" / "__main__.py").is_file():
            print(f"{root}: not a mingbai tree (no bot/__main__.py)", file=sys.stderr)
            return 2
    texts = cb.questions() if args.questions else [args.text]

    def run_load(url: str, seconds: float, tmp: Path) -> cb.Tally:
        if args.wrk:
            return cb.wrk_load(url, seconds, args.connections, texts, args.users, tmp)
        return asyncio.run(cb.load(url, seconds, args.connections, texts, args.users))

    tallies = {name: cb.Tally() for name in sides}
    procs: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for i, (name, (root, extra)) in enumerate(sides.items()):
                port = cb.free_port()
                proc = cb.start_mingbai(port, Path(tmp), root=root, name=f"ab_{name.lower()}",
                                        redis=f"redis://127.0.0.1:6379/{12 + i}", redis_extra=extra.replace("|", "\n"))
                procs[name] = (proc, f"http://127.0.0.1:{port}/wechat")
                run_load(procs[name][1], 2, Path(tmp))  # warm-up
            for n in range(args.rounds):
                order = list(procs.items()) if n % 2 == 0 else list(procs.items())[::-1]
                line = {}
                for name, (proc, url) in order:
                    cpu = cb.tree_cpu_seconds(proc.pid)
                    tally = run_load(url, args.seconds, Path(tmp))
                    tally.cpu = cb.tree_cpu_seconds(proc.pid) - cpu
                    tallies[name].add(tally)
                    line[name] = f"{name} {tally.rate:,.0f} msg/s {tally.cpu / tally.count * 1e6:.0f} µs"
                print(f"round {n + 1}: {line['A']}, {line['B']}", flush=True)
        finally:
            for proc, _ in procs.values():
                proc.terminate()
                proc.wait(timeout=30)
    results = {name: t.summary() for name, t in tallies.items()}
    for name, r in results.items():
        print(f"{name}: {r['rate']:,.0f} msg/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
              f"{r['errors']:.0f} errors, {r['cpu_us']:.1f} µs CPU a message")
    print(f"B / A: messages/s {results['B']['rate'] / results['A']['rate']:.3f}, "
          f"CPU a message {results['B']['cpu_us'] / results['A']['cpu_us']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
