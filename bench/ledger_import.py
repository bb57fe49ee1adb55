"""Benchmark of a large 工作台账 import: `mingbai activities import` of 200,000 rows, time and peak RSS.

Writes a CSV (or XLSX with --xlsx) of N distinct rows over a year and 20 villages, creates a fresh
database (SQLite file, or a PostgreSQL database with --pg), imports the villages, then runs the real CLI
command in a child process and reports its wall time and peak RSS (getrusage of the child), then runs
it again (every row already imported: nothing may be added) and checks the row count.

    .venv/bin/python bench/ledger_import.py [--rows 200000] [--pg postgres://postgres@127.0.0.1:5432/test] [--xlsx]

Targets: 200,000 rows in under 60 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import _admin  # noqa: E402  (after the path is set)

FORMS = ("法治公开课", "入户走访", "小板凳会议", "新时代文明实践", "送法下乡", "以案释法")
TARGETS = ("乡村", "", "学校", "企业", "社区", "机关", "单位")
THEMES = ("民法典", "反诈", "宪法", "未成年人保护法", "土地管理法", "婚姻家庭编", "安全生产法")
VILLAGES = [f"第{i + 1}村" for i in range(20)]


def write_ledger(path: Path, rows: int, seed: int = 7) -> None:
    """N distinct rows (every figure drawn at random; the row number is in the theme)."""
    from sheets.activity_ledger import COLUMNS
    from sheets.tabular import write_table

    rng = random.Random(seed)
    start = dt.date(2025, 1, 1)

    def gen():  # type: ignore[no-untyped-def]
        for i in range(rows):
            yield [start + dt.timedelta(days=rng.randrange(365)), "普法宣传活动", rng.choice(VILLAGES),
                   rng.choice(FORMS), rng.choice(TARGETS), f"{rng.choice(THEMES)}宣传{i}", rng.randint(5, 300),
                   rng.randint(0, 500), rng.randint(0, 30), f"明白人{rng.randint(1, 400)}"]

    write_table(path, COLUMNS, gen())


def ledger_head(path: Path) -> str:
    """The header and first row of the generated ledger, as a CSV text."""
    from sheets.activity_ledger import COLUMNS
    from sheets.tabular import read_table

    if path.suffix == ".csv":
        return "\n".join(path.read_text(encoding="utf-8-sig").splitlines()[:2]) + "\n"
    row = read_table(path, COLUMNS)[0]
    return ",".join(COLUMNS) + "\n" + ",".join(str(v) if v is not None else "" for v in row.values) + "\n"


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--pg", help="PostgreSQL admin URL (a database mingbai_bench_import is created and dropped)")
    ap.add_argument("--xlsx", action="store_true", help="import an .xlsx instead of a .csv")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ledger = d / ("ledger.xlsx" if args.xlsx else "ledger.csv")
        t0 = time.perf_counter()
        write_ledger(ledger, args.rows)
        print(f"wrote {args.rows} rows to {ledger.name} ({ledger.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - t0:.1f} s")
        (d / "villages.csv").write_text("村名,户数\n" + "".join(f"{v},500\n" for v in VILLAGES), encoding="utf-8")
        if args.pg:
            name = "mingbai_bench_import"
            asyncio.run(_admin(args.pg, f"DROP DATABASE IF EXISTS {name}"))
            asyncio.run(_admin(args.pg, f"CREATE DATABASE {name}"))
            db_url = args.pg.rsplit("/", 1)[0] + "/" + name
        else:
            db_url = f"sqlite://{d / 'bench.sqlite3'}"
        config = d / "bench.toml"
        config.write_text(f'[database]\nurl = "{db_url}"\n[wechat]\ntoken = "bench"\n'
                          '[security]\nsecret_key = "bench-ledger-import-key"\n', encoding="utf-8")
        env = {**os.environ, "MINGBAI_CONFIG": str(config)}
        mingbai = [sys.executable, "-m", "bot"]
        try:
            run([*mingbai, "db", "upgrade"], env)
            run([*mingbai, "villages", "import", str(d / "villages.csv")], env)
            # The same command on a one-row file: what the process costs before any row (start-up, imports).
            (d / "one.csv").write_text(ledger_head(ledger), encoding="utf-8")
            base_time, _ = run([*mingbai, "activities", "import", "--dry-run", str(d / "one.csv")], env)
            base = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            print(f"baseline (one-row file): {base_time:.1f} s, RSS {base / 1024:.0f} MB")
            elapsed, out = run([*mingbai, "activities", "import", str(ledger)], env)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            print(f"import: {elapsed:.1f} s, peak RSS {peak / 1024:.0f} MB"
                  f"{'' if peak > base else ' (not above the baseline)'} -> {out}")
            again, out2 = run([*mingbai, "activities", "import", str(ledger)], env)
            print(f"re-import: {again:.1f} s -> {out2}")
            assert f"导入{args.rows}条" in out and "导入0条" in out2, (out, out2)
        finally:
            if args.pg:
                asyncio.run(_admin(args.pg, "DROP DATABASE IF EXISTS mingbai_bench_import WITH (FORCE)"))


if __name__ == "__main__":
    main()
