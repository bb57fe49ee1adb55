"""mingbai ask: the reply a villager would get, without a server."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time

from bot.config import Settings
from handlers import build_dispatcher
from handlers.core import Dispatcher, MemoryStateStorage, Message
from knowledge.retrieval import get_knowledge_base


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("ask", help="print the reply a villager would get (no server needed)")
    p.add_argument("--json", action="store_true", help='print {"q": ..., "reply": ...} per question')
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.set_defaults(func=run)


def local_dispatcher(settings: Settings) -> Dispatcher:
    """A dispatcher on in-memory state, for one local user."""
    return build_dispatcher(MemoryStateStorage(), settings=settings, kb=get_knowledge_base())


async def _ask_all(settings: Settings, questions: list[str] | None, as_json: bool) -> int:
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
    questions = None if args.question == "-" else [args.question]
    return asyncio.run(_ask_all(settings, questions, args.json))
