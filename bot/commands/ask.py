"""mingbai ask: the reply a villager would get, without a server."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from handlers.core import Dispatcher


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("ask", help="显示村民问这个问题时收到的回复（不需要启动服务）",
                       description="例：mingbai ask 我爹走了没留遗嘱 老房子咋分；"
                                   "mingbai ask - < 问题.txt（每行一个问题）")
    p.add_argument("--json", action="store_true", help='每个问题输出一行 {"q": 问题, "reply": 回复}')
    p.add_argument("question", nargs="+", help="问题（可以有空格）；写 - 表示从标准输入每行读一个问题")
    p.set_defaults(func=run)


def local_dispatcher(settings: Settings) -> Dispatcher:
    """A dispatcher on in-memory state, for one local user."""
    from handlers import build_dispatcher
    from handlers.core import MemoryStateStorage
    from knowledge.answering import Knowledge, get_responder

    return build_dispatcher(MemoryStateStorage(), settings=settings, knowledge=Knowledge(get_responder()))


async def _ask_all(settings: Settings, questions: list[str] | None, as_json: bool) -> int:
    from handlers.core import Message

    dispatcher = local_dispatcher(settings)
    ids = itertools.count(int(time.time() * 1000))
    source = questions if questions is not None else (line.rstrip("\n") for line in sys.stdin)
    for q in source:
        if not q.strip():
            continue
        reply = await dispatcher.feed(Message(openid="ask-cli", type="text", content=q, msg_id=str(next(ids))))
        text = reply if isinstance(reply, str) else ("" if reply is None else "[图文消息]")
        if as_json:
            print(json.dumps({"q": q, "reply": text}, ensure_ascii=False), flush=True)
        else:
            print(text)
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Answer the question(s)."""
    questions = None if args.question == ["-"] else [" ".join(args.question)]
    return asyncio.run(_ask_all(settings, questions, args.json))
