"""mingbai kb eval | gaps: how well the knowledge base answers, and what went unanswered."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

import models
from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("kb", help="知识库评测与未答问题")
    ksub = p.add_subparsers(dest="kb_command", required=True)
    ev = ksub.add_parser("eval", help="评测知识库：直接回答率与准确率、首条命中、前三命中、答非所问，按类别统计")
    ev.add_argument("--set", dest="sets", action="append", choices=("dev", "consult", "holdout", "judge"),
                    help="自带的评测集（可重复指定；默认评 dev、holdout、judge）")
    ev.add_argument("--devset", action="append", default=[], help="另外的评测集文件（TOML；可重复指定）")
    ev.add_argument("--holdout", action="store_true", help="只评留出集")
    ev.add_argument("--lawbench", help="LawBench 3-8 的 JSON 文件：首条回复的法律、条文是否一致")
    ev.add_argument("--faq-dir", help="问答库文件夹（默认用自带的）")
    ev.add_argument("--misses", action="store_true", help="列出每个首条未命中的问题")
    ev.set_defaults(func=evaluate)
    gaps = ksub.add_parser("gaps", help="群众问得最多却没有答上的问题")
    gaps.add_argument("--days", type=int, default=90, help="统计最近多少天（默认90天）")
    gaps.add_argument("--limit", type=int, default=20, help="列出多少条（默认20条）")
    gaps.set_defaults(func=show_gaps)


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """Run the evaluation on the chosen sets."""
    from knowledge.evaluation import main

    argv = [*[arg for path in args.devset for arg in ("--devset", path)],
            *(["--faq-dir", args.faq_dir] if args.faq_dir else []),
            *(["--holdout"] if args.holdout else []), *(["--misses"] if args.misses else []),
            *(["--lawbench", args.lawbench] if args.lawbench else []),
            *[arg for name in args.sets or () for arg in ("--set", name)]]
    return main(argv)


async def top_gaps(days: int, limit: int) -> list[tuple[str, int]]:
    """Unanswered questions (band low) of the last `days`, most asked first (grouped in SQL)."""
    from tortoise.expressions import Q
    from tortoise.functions import Count
    from tortoise.timezone import now

    from models.questions import QuestionLog

    since = now() - timedelta(days=days)
    rows = (
        await QuestionLog.filter(Q(band="low") & Q(created_at__gte=since))
        .annotate(n=Count("id"))
        .group_by("question")
        .order_by("-n", "question")
        .limit(limit)
        .values_list("question", "n")
    )
    return [(str(q), int(n)) for q, n in rows]


async def _gaps(settings: Settings, days: int, limit: int) -> list[tuple[str, int]]:
    if settings.embedded:
        await models.migrate(settings.database.url)
    async with models.database(settings.database.url):
        return await top_gaps(days, limit)


def show_gaps(args: argparse.Namespace, settings: Settings) -> int:
    """Print the table of unanswered questions."""
    rows = asyncio.run(_gaps(settings, args.days, args.limit))
    if not rows:
        print(f"最近{args.days}天没有未能回答的问题。")
        return 0
    print(f"最近{args.days}天未能回答的问题（按次数）：")
    for question, n in rows:
        print(f"{n:>5}  {question}")
    return 0
