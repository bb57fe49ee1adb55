"""mingbai report: the 述法报告 section for a period, as text, Markdown, docx or xlsx."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path

import models
from bot.config import Settings
from knowledge.wording.dates import today
from queries.figures import CountyFigures, parse_period
from reports import submitted as snapshot
from reports.render import FORMATS, ReportError
from reports.render.text import warnings
from reports.reporting import ReportRequest, Targets, file_name, gather, report_bytes


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("report", help="述法报告的数字与文字（text、md、docx、xlsx），人民调解工作统计表")
    p.add_argument("--year", type=int, help="年度，如 2023（默认今年）")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--quarter", type=int, choices=range(1, 5), help="只统计某一季度")
    when.add_argument("--month", type=int, choices=range(1, 13), help="只统计某一月")
    p.add_argument("--from", dest="first", type=dt.date.fromisoformat, help="起始日 YYYY-MM-DD（与 --to 一起用）")
    p.add_argument("--to", dest="last", type=dt.date.fromisoformat, help="截止日 YYYY-MM-DD（与 --from 一起用）")
    p.add_argument("--format", choices=FORMATS, default="text", help="输出格式（默认 text 纯文字）")
    p.add_argument("-o", "--output", help="输出文件（默认：text、md 显示在屏幕上，其他格式按报告名存为文件）")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--town", metavar="镇名", help="乡镇（默认为配置的 [town] name）")
    where.add_argument("--county", action="store_true", help="全县：各乡镇对比和全县合计")
    p.add_argument("--village", default="", help="只统计本镇的这个村")
    p.add_argument("--heading-level", type=int, choices=range(1, 5), default=1,
                   help="标题层级：1 一、（默认，带标题） 2 （一） 3 1. 4 （1），便于放在本镇报告的某一部分之下")
    p.add_argument("--submit", metavar="报送人",
                   help="报送这份报告：冻结文字和数字（之后再生成显示报送时的内容和此后的变化）")
    p.add_argument("--current", action="store_true", help="已报送的报告也按现在的数字生成")
    p.add_argument("--mediation-table", action="store_true",
                   help="人民调解工作统计表（.xlsx）：本镇（或 --town 某镇、--county 全县分乡镇）--year [--quarter]")
    p.set_defaults(func=run)


def targets_from(settings: Settings) -> Targets:
    """The coverage and deadline targets from the configuration."""
    return Targets(settings.outreach.coverage_ratio, settings.outreach.helpers_per_village,
                   settings.mediation.due_days, settings.outreach.household_share)


async def _build(req: ReportRequest, settings: Settings, fmt: str, *, submit: str | None = None,
                 current: bool = False) -> bytes:
    if settings.embedded:
        await models.migrate(settings.database.url)
    async with models.database(settings.database.url):
        if not req.county and req.town == settings.town.name:
            t = settings.town
            from bot.users import ensure_town  # here: it loads the chat handlers, not needed for --help
            await ensure_town(t.name, t.studio_name, t.case_prefix)
        figures = await gather(req, targets_from(settings))
        total = figures.total if isinstance(figures, CountyFigures) else figures
        for line in warnings(total):
            print(f"注意：{line}", file=sys.stderr)
        scope = snapshot.scope_key(req.town, req.county, req.village, req.county_name)
        last = req.period.end - dt.timedelta(days=1)
        if submit is not None:
            text = (await report_bytes(req, targets_from(settings), "text", figures)).decode()
            saved = await snapshot.submit(scope, req.period.start, last, text, total, submit)
            print(f"已报送并冻结（{saved.submitted_at:%Y年%-m月%-d日}，{saved.submitted_by or '未署名'}）。"
                  "以后再生成这份报告，显示的是报送时的内容，并列出此后数字的变化。", file=sys.stderr)
        frozen = None if current else await snapshot.find(scope, req.period.start, last)
        if frozen is None:
            return await report_bytes(req, targets_from(settings), fmt, figures)
        changed = snapshot.changes(frozen.figures, snapshot.flatten(total))
        head = f"（本报告已于{frozen.submitted_at:%Y年%-m月%-d日}报送，以下为报送时的内容。）"
        tail = ("报送后数字有变化：\n" + "\n".join(f"· {c}" for c in changed)) if changed else "报送后数字没有变化。"
        if fmt in ("text", "md"):
            return f"{head}\n\n{frozen.text.rstrip()}\n\n{tail}\n".encode()
        print(f"{head}这份{fmt}按现在的数字生成。{tail}", file=sys.stderr)
        return await report_bytes(req, targets_from(settings), fmt, figures)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print or write the report."""
    if args.mediation_table:
        from bot.commands.cases import run_mediation_table

        return run_mediation_table(args, settings)
    year = args.year if args.year is not None or args.first else today().year
    try:
        period = parse_period(year if not args.first else None, args.quarter, args.month, args.first, args.last)
    except ValueError as exc:
        print(f"时间段有误：{exc}", file=sys.stderr)
        return 2
    if args.county and args.village:
        print("--village 只能和单个乡镇一起使用", file=sys.stderr)
        return 2
    req = ReportRequest(period, town=args.town or settings.town.name, county=args.county, village=args.village,
                        level=args.heading_level)
    try:
        data = asyncio.run(_build(req, settings, args.format, submit=args.submit, current=args.current))
    except (ReportError, snapshot.AlreadySubmitted) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.output == "-" or (args.output is None and args.format in ("text", "md")):
        sys.stdout.write(data.decode())
        return 0
    path = Path(args.output or file_name(req, args.format))
    path.write_bytes(data)
    print(f"已写入 {path}", file=sys.stderr)
    return 0
