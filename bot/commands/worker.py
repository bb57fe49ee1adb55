"""mingbai worker: background jobs (deadline reminders) with arq on the configured Redis."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("worker", help="后台任务（arq）：期限提醒、通知、客服消息重发")
    p.add_argument("--burst", action="store_true", help="把到期的任务执行一遍就退出")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run until SIGINT/SIGTERM (or once with --burst)."""
    if settings.embedded:
        print("嵌入式默认配置没有共享的Redis：提醒由 mingbai serve 在进程内定时发送，无需单独运行worker。\n"
              "The embedded default scans for reminders inside `mingbai serve`; set [redis] url to run a worker.",
              file=sys.stderr)
        return 2
    from bot.jobs import make_worker

    make_worker(settings, burst=args.burst).run()
    return 0
