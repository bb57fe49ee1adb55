"""mingbai outreach eval: how well reports in helpers' own words are read."""

from __future__ import annotations

import argparse

from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("outreach", help="法律明白人 reports in their own words")
    osub = p.add_subparsers(dest="outreach_command", required=True)
    ev = osub.add_parser("eval", help="field accuracy, fully right cards and non-reports carded, per part")
    ev.add_argument("--part", choices=["dev", "holdout", "holdout2", "all"], default="all",
                    help="dev (tuned on), holdout / holdout2 (never tuned on) or all (default)")
    ev.add_argument("--misses", action="store_true", help="list every wrongly read report and carded non-report")
    ev.set_defaults(func=evaluate)


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """Run the evaluation."""
    from knowledge.wording.accuracy import main

    parts = ["dev", "holdout", "holdout2"] if args.part == "all" else [args.part]
    return main(parts, misses=args.misses)
