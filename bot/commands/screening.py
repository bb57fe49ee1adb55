"""mingbai screenings import/export/overdue: the 排查台账 as a spreadsheet, and villages due to screen."""

from __future__ import annotations

import argparse
import sys

from bot.commands.outreach import _in_db, _rows
from bot.config import Settings
from knowledge.wording.dates import today
from services.screening import overdue_villages
from sheets.screening_ledger import COLUMNS, REQUIRED, export_rows, import_screenings
from sheets.tabular import TableError, write_table


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `screenings import|export|overdue`."""
    s = sub.add_parser("screenings", help="矛盾纠纷排查台账：导入、导出、未按期排查的村")
    ssub = s.add_subparsers(dest="screenings_command", required=True)
    si = ssub.add_parser("import", help=f"导入排查台账（列：{'、'.join(COLUMNS)}）；有错全部不导入，重复导入不会重复")
    si.add_argument("file", help="排查台账文件（.csv 或 .xlsx）")
    si.add_argument("--dry-run", action="store_true", help="只检查，不导入")
    si.set_defaults(func=run_import)
    se = ssub.add_parser("export", help="导出某年的排查台账（.xlsx 或 .csv）")
    se.add_argument("--year", type=int, required=True, help="年度，如 2025")
    se.add_argument("-o", "--output", required=True, help="输出文件（.xlsx 或 .csv）")
    se.set_defaults(func=run_export)
    so = ssub.add_parser("overdue", help="列出超过排查周期未排查的村")
    so.add_argument("--days", type=int, help="排查周期天数（默认 [outreach] screening_cycle_days）")
    so.set_defaults(func=run_overdue)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai screenings import FILE [--dry-run]."""
    rows = _rows(args.file, REQUIRED)
    if rows is None:
        return 1

    async def body(town_id: int) -> int:
        result = await import_screenings(rows, town_id, today=today(), dry_run=args.dry_run)
        if result.problems:
            print(f"共{len(result.problems.items)}处问题，没有导入任何数据。请修改后重新导入：\n"
                  f"{result.problems.report()}", file=sys.stderr)
            return 1
        verb = "可导入" if args.dry_run else "导入"
        print(f"共{result.rows}行：{verb}{result.created}条，已导入过（跳过）{result.existing}条。")
        return 0

    return _in_db(settings, body)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai screenings export --year Y -o FILE."""

    async def body(town_id: int) -> int:
        try:
            count = write_table(args.output, COLUMNS, await export_rows(town_id, args.year))
        except TableError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(f"已导出{count}条排查记录到 {args.output}")
        return 0

    return _in_db(settings, body)


def run_overdue(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai screenings overdue [--days N]."""
    days = args.days or settings.outreach.screening_cycle_days

    async def body(town_id: int) -> int:
        day = today()
        items = await overdue_villages(town_id, day, days)
        if not items:
            print(f"各村都在{days}天内排查过。")
            return 0
        print(f"超过{days}天未排查的村（{len(items)}个）：")
        for item in items:
            print("  " + item.describe(day))
        return 0

    return _in_db(settings, body)
