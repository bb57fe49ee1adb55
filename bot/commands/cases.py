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
    c = sub.add_parser("cases", help="人民调解案件：卷宗导出（年底归档）")
    csub = c.add_subparsers(dest="cases_command", required=True)
    e = csub.add_parser("export", help="把每个案件的卷宗（按归档顺序的 .docx 文书）写到文件夹，年底归档用")
    e.add_argument("--year", type=int, required=True,
                   help="案件年度（调字号的年度；未受理的按登记年度）")
    e.add_argument("--status", choices=[s.value for s in Status], help="只导出这一状态的案件，如 archived（已归档）")
    e.add_argument("-o", "--output", required=True, help="写入的文件夹（每个案件一个子文件夹）")
    e.add_argument("--no-progress", action="store_true", help="不显示进度条")
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
    """mingbai report --mediation-table --year Y [--quarter Q] [--town NAME | --county] [-o FILE.xlsx]:
    the 人民调解工作统计表 of the configured town, another town, or the county (a sheet per town)."""
    from models.core import Town
    from queries.mediation_figures import COUNTY, build, build_county, period
    from reports.mediation_table import to_xlsx
    from services.cases import today

    if args.month or args.first or args.last or args.village or args.format != "text" or args.submit:
        print("人民调解工作统计表按年度或季度统计全镇（或 --county 全县），"
              "不能与 --month、--from/--to、--village、--format、--submit 同用。", file=sys.stderr)
        return 2
    year = args.year or today().year
    first, last = period(year, args.quarter)
    where = f"-{COUNTY}" if args.county else (f"-{args.town}" if args.town else "")
    quarter = f"-Q{args.quarter}" if args.quarter else ""
    output = args.output or f"人民调解工作统计表{where}-{year}{quarter}.xlsx"

    async def body(town_id: int) -> int:
        if args.county:
            county = await build_county(first, last)
            data, t = to_xlsx(county), county.combined
        else:
            town = await Town.get_or_none(name=args.town) if args.town else await Town.get(id=town_id)
            if town is None:
                print(f"没有名为“{args.town}”的乡镇。", file=sys.stderr)
                return 1
            t = await build(town.id, first, last)
            data = to_xlsx(t)
        try:
            await asyncio.to_thread(Path(output).write_bytes, data)
        except OSError as exc:
            print(f"无法写入 {output}：{exc.strerror or exc}", file=sys.stderr)
            return 1
        v = t.total.values
        print(f"已写入 {output}（{t.town}）：受理{v['受理']}件，调解成功{v['调解成功']}件"
              f"（书面{v['书面协议']}件、口头{v['口头协议']}件），成功率{t.success_rate}；"
              f"排查{t.screening.times}次，发现纠纷{t.screening.found}件，排查中化解{t.screening.resolved}件")
        return 0

    return _in_db(settings, body)
