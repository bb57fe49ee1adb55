"""Two server processes on PostgreSQL and Redis: one message delivered to both, a form across both."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.wechat.client import WeChatSimulator, text_xml
from tests.bot.conftest import server_processes
from tests.conftest import TOKEN
from tests.eventually import eventually

SIM = WeChatSimulator(TOKEN)


@pytest.fixture
def two_servers(db_url: str, redis_url: str, tmp_path: Path) -> Iterator[list[str]]:
    cfg = tmp_path / "mp.toml"
    cfg.write_text(
        f'[database]\nurl = "{db_url}"\n[redis]\nurl = "{redis_url}"\n[wechat]\ntoken = "{TOKEN}"\n'
        '[security]\nsecret_key = "multi-process-secret-123"\n', encoding="utf-8",
    )
    with server_processes(cfg, tmp_path) as bases:
        yield bases


async def _say(session: aiohttp.ClientSession, base: str, xml: str) -> str:
    req = SIM.sign(xml)
    async with session.post(f"{base}/wechat", params=req.query, data=req.body) as resp:
        assert resp.status == 200
        return str(SIM.open_reply(await resp.text(), req.query)["Content"])


def _metric(text: str, name: str) -> float:
    m = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


@pytest.mark.postgres_only
async def test_same_message_to_both_processes_is_handled_once(two_servers: list[str], db) -> None:
    from models.questions import QuestionLog

    a, b = two_servers
    xml = text_xml("mp-user", "欠钱不还怎么办", 777001)
    async with aiohttp.ClientSession() as session:
        replies = await asyncio.gather(*(_say(session, base, xml) for base in (a, b, a, b, a, b)))
        assert len(set(replies)) == 1 and "法律依据" in replies[0]
        hits = 0.0
        for base in (a, b):
            async with session.get(f"{base}/metrics") as resp:
                hits += _metric(await resp.text(), "mingbai_dedup_hits_total")
        assert hits == 5
        await eventually(lambda: QuestionLog.filter(question="欠钱不还怎么办").count())
        assert await QuestionLog.filter(question="欠钱不还怎么办").count() == 1

        # a form (the numbered choice) started on one process continues on the other
        choices = await _say(session, a, text_xml("mp-form", "彩礼", 777002))
        assert "回复1、2、3" in choices
        first_title = choices.splitlines()[1].removeprefix("1. ")
        answer = await _say(session, b, text_xml("mp-form", "1", 777003))
        assert "法律依据" in answer and first_title not in answer
