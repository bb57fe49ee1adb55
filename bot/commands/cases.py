"""mingbai cases export: the year's 卷宗, one folder per case with its papers in filing order."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.commands.outreach import ProgressBar, _in_db
from bot.config import Settings
from models.mediation import Status
from reports.documents import export_year


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `cases export`."""
    c = sub.add_parser("cases", help="mediation cases (人民调解案件)")
    csub = c.add_subparsers(dest="cases_command", required=True)
    e = csub.add_parser("export", help="write each case's 卷宗 (.docx papers in filing order) for year-end archiving")
    e.add_argument("--year", type=int, required=True,
                   help="the case year (of its 调字号; of registration for cases not accepted)")
    e.add_argument("--status", choices=[s.value for s in Status], help="only cases in this status, e.g. archived")
    e.add_argument("-o", "--output", required=True, help="the folder to write (one sub-folder per case)")
    e.add_argument("--no-progress", action="store_true", help="no progress bar")
    e.set_defaults(func=run_export)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai cases export --year Y [--status archived] -o DIR."""

    async def body(town_id: int) -> int:
        bar = None if args.no_progress else ProgressBar(sys.stderr, "导出卷宗")
        try:
            count, files = await export_year(town_id, args.year, args.output, status=args.status, progress=bar)
        except OSError as exc:
            print(f"无法写入 {args.output}：{exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"已导出{count}件案件的卷宗（{files}份文书）到 {args.output}")
        return 0

    return _in_db(settings, body)


def run_mediation_table(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai report --mediation-table --year Y [--quarter Q] [-o FILE.xlsx]: the county's 人民调解工作统计表."""
    from queries.mediation_figures import build, period
    from reports.mediation_table import to_xlsx
    from services.cases import today

    year = args.year or today().year
    first, last = period(year, args.quarter)
    output = args.output or f"人民调解工作统计表-{year}" + (f"-Q{args.quarter}" if args.quarter else "") + ".xlsx"

    async def body(town_id: int) -> int:
        table = await build(town_id, first, last)
        try:
            await asyncio.to_thread(Path(output).write_bytes, to_xlsx(table))
        except OSError as exc:
            print(f"无法写入 {output}：{exc.strerror or exc}", file=sys.stderr)
            return 1
        t = table.total.values
        print(f"已写入 {output}：受理{t['受理']}件，调解成功{t['调解成功']}件，成功率{table.success_rate}")
        return 0

    return _in_db(settings, body)
