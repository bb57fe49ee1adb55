"""mingbai villages/helpers import, user add, activities import/export, coverage."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

import models
from bot.config import Settings
from knowledge.wording.dates import check_date
from knowledge.wording.errors import ParseError
from models.core import Role
from queries.coverage import VillageCoverage, totals, village_coverage
from services.invites import create_invite
from services.people import add_person
from sheets.activity_ledger import COLUMNS, export_rows, import_activities, write_ledger
from sheets.roster import HELPER_COLUMNS, VILLAGE_COLUMNS, import_helpers, import_villages
from sheets.tabular import TableError, read_table

PROGRESS_MIN_ROWS = 2000


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register villages, helpers, user, activities and coverage."""
    v = sub.add_parser("villages", help="村名单（村名、户数、村民小组）")
    vsub = v.add_subparsers(dest="villages_command", required=True)
    vi = vsub.add_parser("import", help="从 CSV/XLSX 导入或更新村名单（列：村名、户数，可加村民小组；有错全部不导入）")
    vi.add_argument("file", help="村名单文件（.csv 或 .xlsx）")
    vi.set_defaults(func=run_villages_import)

    h = sub.add_parser("helpers", help="法律明白人名单（姓名、村名、骨干、电话）与邀请码")
    hsub = h.add_subparsers(dest="helpers_command", required=True)
    hi = hsub.add_parser("import", help="从 CSV/XLSX 导入或更新法律明白人（列：姓名、村名、骨干、电话，"
                         "可加来源、联系户数、加入日期、退出日期；有错全部不导入），并为未绑定的人生成邀请码")
    hi.add_argument("file", help="法律明白人名单文件（.csv 或 .xlsx）")
    hi.add_argument("--sheets", default="",
                    help="邀请码单的文件夹，每村一个 docx（默认：名单文件旁的“邀请码”文件夹）")
    hi.add_argument("--days", type=int, default=30, help="新邀请码和二维码的有效天数（最多30天）")
    hi.add_argument("--since", default="", metavar="日期",
                    help="名单上新增的人从这天起算在册（已有的名单填当初的日期，如 2023-01-01）；"
                         "默认为导入当天，名单里的“加入日期”列优先")
    hi.set_defaults(func=run_helpers_import)
    hv = hsub.add_parser("invites", help="为尚未绑定微信的人生成邀请码和可打印的邀请码单")
    hv.add_argument("--village", default="", help="只生成这个村的")
    hv.add_argument("--renew", action="store_true", help="已有未过期邀请码的人也换发新码")
    hv.add_argument("-o", "--output", default="邀请码", help="邀请码单的文件夹（每村一个 docx）")
    hv.add_argument("--days", type=int, default=30, help="邀请码和二维码的有效天数（最多30天）")
    hv.set_defaults(func=run_helpers_invites)

    u = sub.add_parser("user", help="添加一个人（法律明白人、调解员、管理员）并生成邀请码")
    usub = u.add_subparsers(dest="user_command", required=True)
    ua = usub.add_parser("add", help="添加法律明白人、调解员或管理员，显示一次性邀请码")
    ua.add_argument("--role", required=True, choices=["helper", "mediator", "admin"],
                    help="helper 法律明白人、mediator 调解员、admin 管理员")
    ua.add_argument("--name", required=True, help="姓名")
    ua.add_argument("--village", help="所在的村（法律明白人）")
    ua.add_argument("--phone", default="", help="电话")
    ua.add_argument("--core", action="store_true", help="是法律明白人骨干")
    ua.set_defaults(func=run_user_add)

    a = sub.add_parser("activities", help="普法活动工作台账：导入、导出")
    asub = a.add_subparsers(dest="activities_command", required=True)
    ai = asub.add_parser("import", help=f"导入工作台账（列：{'、'.join(COLUMNS)}，可加地点、受众）；"
                                                  "有错全部不导入，重复导入不会重复")
    ai.add_argument("file", help="工作台账文件（.csv 或 .xlsx）")
    ai.add_argument("--dry-run", action="store_true", help="只检查文件并计数，不导入")
    ai.add_argument("--progress", action="store_true", help="即使不在终端里运行也显示进度条")
    ai.set_defaults(func=run_activities_import)
    ae = asub.add_parser("export", help="导出某年的工作台账（.xlsx 或 .csv）")
    ae.add_argument("--year", type=int, required=True, help="年度，如 2025")
    ae.add_argument("--village", help="只导出这个村的")
    ae.add_argument("-o", "--output", required=True, help="输出文件（.xlsx 或 .csv）")
    ae.set_defaults(func=run_activities_export)

    c = sub.add_parser("coverage", help="各村法律明白人覆盖情况（对照配置的目标）")
    c.add_argument("--ratio", type=int, help="每名骨干对应的户数（默认为配置 [outreach] coverage_ratio）")
    c.add_argument("--floor", type=int, help="每村法律明白人的最少人数（默认为配置 [outreach] helpers_per_village）")
    c.set_defaults(func=run_coverage)


def _in_db(settings: Settings, body: Callable[[int], Awaitable[int]]) -> int:
    async def main() -> int:
        if settings.embedded:
            await models.migrate(settings.database.url)
        async with models.database(settings.database.url):
            t = settings.town
            from bot.users import ensure_town  # here: it loads the chat handlers, not needed for --help
            town_id = await ensure_town(t.name, t.studio_name, t.case_prefix)
            return await body(town_id)

    return asyncio.run(main())


def _rows(path: str, columns: tuple[str, ...]) -> Any:
    try:
        return read_table(path, columns)
    except TableError as exc:
        print(f"无法读取 {path}：{exc}", file=sys.stderr)
        return None


def run_villages_import(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai villages import FILE."""
    rows = _rows(args.file, VILLAGE_COLUMNS)
    if rows is None:
        return 1

    async def body(town_id: int) -> int:
        created, updated, problems = await import_villages(rows, town_id)
        if problems:
            print(f"文件有问题，没有导入任何数据：\n{problems.report()}", file=sys.stderr)
            return 1
        print(f"村名单：新增{created}个，更新{updated}个，共{len(rows)}行。")
        return 0

    return _in_db(settings, body)


def run_helpers_import(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai helpers import FILE."""
    rows = _rows(args.file, HELPER_COLUMNS)
    if rows is None:
        return 1

    since = None
    if args.since:
        try:
            since = check_date(dt.date.fromisoformat(args.since))
        except (ValueError, ParseError) as exc:
            print(f"--since 应为已过去的日期，如 2023-01-01（{exc}）", file=sys.stderr)
            return 2

    async def body(town_id: int) -> int:
        created, updated, problems = await import_helpers(rows, town_id, since=since)
        if problems:
            print(f"文件有问题，没有导入任何数据：\n{problems.report()}", file=sys.stderr)
            return 1
        print(f"法律明白人：新增{created}人，更新{updated}人，共{len(rows)}行。")
        from bot.commands.wechat import write_invite_sheets

        folder = args.sheets or str(Path(args.file).parent / "邀请码")
        return await write_invite_sheets(settings, town_id, folder, args.days)

    return _in_db(settings, body)


def run_helpers_invites(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai helpers invites: codes and sheets for everyone not yet bound (--renew: everyone, anew)."""
    from bot.commands.wechat import write_invite_sheets

    async def body(town_id: int) -> int:
        return await write_invite_sheets(settings, town_id, args.output, args.days, renew=args.renew,
                                         village=args.village)

    return _in_db(settings, body)


def run_user_add(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai user add: create the person and print a one-time invite code."""

    async def body(town_id: int) -> int:
        try:
            user, created = await add_person(town_id, Role(args.role), args.name, village=args.village,
                                             phone=args.phone, core=args.core)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        days = settings.outreach.invite_ttl_days
        code = await create_invite(user, days)
        what = "已创建" if created else "已存在，重新生成邀请码（旧邀请码作废）："
        print(f"{what}{user.display_name}（{Role(user.role).label}）")
        print(f"邀请码：{code}（{days}天内有效，只能用一次）")
        print(f"请让本人在公众号中发送：绑定 {code}")
        return 0

    return _in_db(settings, body)


class ProgressBar:
    """A one-line progress bar on a stream."""

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self.stream, self.label, self.width = stream, label, width

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        pct = 100 * done // max(total, 1)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {pct:3d}% {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run_activities_import(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai activities import FILE: all or nothing, no duplicates on re-import."""
    rows = _rows(args.file, COLUMNS)
    if rows is None:
        return 1
    show = args.progress or (sys.stderr.isatty() and len(rows) >= PROGRESS_MIN_ROWS)
    progress = ProgressBar(sys.stderr, "导入") if show else None

    async def body(town_id: int) -> int:
        result = await import_activities(rows, town_id, settings.outreach.form_list, progress=progress,
                                         dry_run=args.dry_run)
        if result.problems:
            print(f"共{len(result.problems.items)}处问题，没有导入任何数据。请修改后重新导入：\n"
                  f"{result.problems.report()}", file=sys.stderr)
            return 1
        verb = "可导入" if args.dry_run else "导入"
        print(f"共{result.rows}行：{verb}{result.created}条，已存在（跳过）{result.duplicates}条。")
        if result.repeats:
            print(f"文件内重复{len(result.repeats)}行：\n{result.repeats_report()}")
        return 0

    return _in_db(settings, body)


def run_activities_export(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai activities export --year Y [--village V] -o FILE."""

    async def body(town_id: int) -> int:
        rows = await export_rows(town_id, args.year, args.village)
        try:
            count = write_ledger(args.output, rows)
        except TableError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(f"已导出{count}条记录到 {args.output}")
        return 0

    return _in_db(settings, body)


def coverage_table(rows: list[VillageCoverage]) -> str:
    """The coverage table and the villages below target, as printed by `mingbai coverage`."""
    lines = ["村名\t户数\t法律明白人\t骨干\t户/骨干\t骨干达标\t人数达标"]
    for r in rows:
        per = "-" if r.households_per_core is None else f"{r.households_per_core:g}"
        lines.append(f"{r.village}\t{r.households}\t{r.helpers}\t{r.core}\t{per}\t"
                     f"{'是' if r.meets_ratio else '否'}\t{'是' if r.meets_floor else '否'}")
    t = totals(rows)
    lines.append(f"合计\t{t['households']}\t{t['helpers']}\t{t['core']}\t\t\t")
    below = [r for r in rows if not r.ok]
    if not rows:
        lines.append("\n还没有村名单，请先运行 mingbai villages import。")
    elif not below:
        ratio = rows[0].ratio
        lines.append(f"\n全部{len(rows)}个村均达标：每{ratio}户至少有一名骨干，每村至少{rows[0].floor}名法律明白人。")
    else:
        lines.append(f"\n未达标的村（{len(below)}个）：")
        for r in below:
            gaps = []
            if not r.meets_ratio:
                gaps.append(f"骨干还差{r.core_needed - r.core}人（需{r.core_needed}人）")
            if not r.meets_floor:
                gaps.append(f"法律明白人还差{r.floor - r.helpers}人")
            lines.append(f"  {r.village}：{'，'.join(gaps)}")
    return "\n".join(lines)


def run_coverage(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai coverage: the table, then the villages below target."""
    ratio = args.ratio or settings.outreach.coverage_ratio
    floor = settings.outreach.helpers_per_village if args.floor is None else args.floor

    async def body(town_id: int) -> int:
        print(coverage_table(await village_coverage(town_id, ratio, floor)))
        return 0

    return _in_db(settings, body)
