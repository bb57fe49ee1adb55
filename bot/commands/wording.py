"""mingbai outreach eval: how well reports in helpers' own words are read."""

from __future__ import annotations

import argparse

from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("outreach", help="法律明白人自述活动的识别评测")
    osub = p.add_subparsers(dest="outreach_command", required=True)
    ev = osub.add_parser("eval", help="按评测集统计：各项识别准确率、完全正确的卡片、误当成活动的非活动")
    ev.add_argument("--part", choices=["dev", "holdout", "holdout2", "all"], default="all",
                    help="dev（调过的）、holdout / holdout2（从未调过）或 all（默认，全部）")
    ev.add_argument("--misses", action="store_true", help="列出每条读错的自述和误当成活动的话")
    ev.set_defaults(func=evaluate)


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """Run the evaluation."""
    from knowledge.wording.accuracy import main

    parts = ["dev", "holdout", "holdout2"] if args.part == "all" else [args.part]
    return main(parts, misses=args.misses)
