"""mingbai demo: fill an empty database with a demo town (or county) for the report and the dashboard."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TYPE_CHECKING

import models
from bot.config import Settings
from knowledge.wording.dates import today

if TYPE_CHECKING:
    from demo.seed import DemoOptions


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("demo", help="生成演示数据：村庄、法律明白人、活动、纠纷")
    p.add_argument("--year", type=int, default=today().year - 1, help="生成哪一年的数据（连同上一年）")
    p.add_argument("--scale", choices=("town", "county"), default="town",
                   help="town：一个镇，约20个村、约1000名骨干；county：全县8个镇")
    p.add_argument("--seed", type=int, default=2023, help="随机种子：相同的种子生成相同的数据")
    p.set_defaults(func=run)


async def _generate(settings: Settings, opts: DemoOptions) -> str:
    from demo.seed import generate

    if settings.embedded:
        await models.migrate(settings.database.url)
    async with models.database(settings.database.url):
        t = settings.town
        from bot.users import ensure_town  # here: it loads the chat handlers, not needed for --help
        await ensure_town(t.name, t.studio_name, t.case_prefix)
        s = await generate(opts, progress=lambda text: print(text, file=sys.stderr, flush=True))
    return (f"已生成演示数据：{'、'.join(s.towns)}，{s.villages}个村，法律明白人{s.helpers}人（骨干{s.core}人），"
            f"活动{s.activities}条，纠纷{s.cases}件，群众提问{s.questions}条。")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Generate the demo data (the demo package is loaded only here, never by the running service)."""
    from demo.seed import DemoError, DemoOptions

    o = settings.outreach
    opts = DemoOptions(
        year=args.year, scale=args.scale, seed=args.seed, town=settings.town.name,
        studio_name=settings.town.studio_name, case_prefix=settings.town.case_prefix, forms=o.form_list,
        ratio=o.coverage_ratio, due_days=settings.mediation.due_days, followup_days=settings.mediation.followup_days,
    )
    started = time.perf_counter()
    try:
        summary = asyncio.run(_generate(settings, opts))
    except DemoError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{summary}（用时{time.perf_counter() - started:.1f}秒）")
    print(f"查看报告：mingbai report --year {args.year}{' --county' if args.scale == 'county' else ''}")
    print("查看统计页：make run 后打开 /admin/stats（先用 mingbai admin create 建一个管理员账号）")
    return 0
