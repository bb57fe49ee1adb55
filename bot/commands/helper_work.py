"""mingbai points: the yearly 积分 of 法律明白人 as an xlsx."""

from __future__ import annotations

import argparse

from bot.commands.outreach import _in_db
from bot.config import Settings
from queries.points import PointRules, points_table
from reports.points_sheet import write_points


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `points`."""
    p = sub.add_parser("points", help="法律明白人年度积分表（xlsx：个人、各村）")
    p.add_argument("--year", type=int, required=True, help="年度，如 2025")
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")
    p.set_defaults(func=run_points)


def run_points(args: argparse.Namespace, settings: Settings) -> int:
    """mingbai points --year Y -o FILE."""

    async def body(town_id: int) -> int:
        s = settings.points
        table = await points_table(town_id, args.year, PointRules(s.activity, s.screening, s.dispute_found,
                                                                   s.referral, s.training))
        write_points(table, args.output, settings.town.name)
        print(f"已写出{len(table.helpers)}名法律明白人的{args.year}年积分到 {args.output}")
        return 0

    return _in_db(settings, body)
