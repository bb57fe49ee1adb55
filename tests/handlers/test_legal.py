"""Legal questions through the real callback: the three confidence bands, choices, statutes, the log."""

from __future__ import annotations

import itertools
from typing import Any

from bot.commands.kb import top_gaps
from bot.wechat.client import WeChatSimulator, text_xml
from handlers.legal import asker_hash
from knowledge.retrieval import get_knowledge_base
from models.questions import QuestionLog
from tests.conftest import TOKEN

SIM = WeChatSimulator(TOKEN)
IDS = itertools.count(500_000)


async def say(client: Any, openid: str, text: str) -> str:
    req = SIM.sign(text_xml(openid, text, next(IDS)))
    resp = await client.post("/wechat", params=req.query, data=req.body)
    assert resp.status == 200
    return str(SIM.open_reply(await resp.text(), req.query)["Content"])


async def wait_for_logs(n: int) -> list[QuestionLog]:
    import asyncio

    for _ in range(100):
        rows = await QuestionLog.all().order_by("id")
        if len(rows) >= n:
            return rows
        await asyncio.sleep(0.02)
    return await QuestionLog.all().order_by("id")


async def test_high_confidence_gets_the_answer_with_its_citation(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    reply = await say(client, "v1", "我爹走了没留遗嘱 老房子咋分")
    result = get_knowledge_base().search("我爹走了没留遗嘱 老房子咋分")
    assert result.band == "high"
    entry = result.hits[0].entry
    assert entry.topic == "继承"
    assert "法律依据" in reply and all(cite in reply for cite in entry.basis)
    assert "《民法典》第1127条" in reply


async def test_middle_band_offers_three_choices_and_answers_the_pick(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    result = get_knowledge_base().search("彩礼")
    assert result.band == "middle"
    reply = await say(client, "v2", "彩礼")
    assert "回复1、2、3" in reply
    second = result.hits[1].entry
    assert second.questions[0] in reply
    answer = await say(client, "v2", "2")
    assert answer.startswith(second.answer[:20]) and second.basis[0] in answer
    # the choice is spent: '2' again is a new (unclear) question, not a pick
    assert second.answer[:20] not in await say(client, "v2", "2")


async def test_off_topic_gets_the_fallback_never_a_legal_answer(make_settings, make_client) -> None:
    client = await make_client(make_settings(town={"studio_name": "测试调解室"}))
    for text in ("今天天气怎么样", "双色球下期开什么号", "哈哈哈哈"):
        reply = await say(client, "v3", text)
        assert "12348" in reply and "测试调解室" in reply and "法律依据" not in reply


async def test_statute_lookup_in_chat(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    reply = await say(client, "v4", "治安管理处罚法第五十一条")
    assert "殴打" in reply
    assert "没有找到" in await say(client, "v4", "民法典第9999条")


async def test_questions_are_logged_anonymised_and_gaps_listed(make_settings, make_client, db) -> None:
    settings = make_settings()
    client = await make_client(settings)
    await say(client, "openid-secret-1", "欠钱不还怎么办")
    await say(client, "openid-secret-1", "今天天气怎么样")
    await say(client, "openid-secret-2", "今天天气怎么样")
    rows = await wait_for_logs(3)  # written in the background: in any order
    assert len(rows) == 3
    assert all("openid-secret" not in r.asker for r in rows)
    h1, h2 = (asker_hash(settings.security.secret_key, f"openid-secret-{i}") for i in (1, 2))
    assert {(r.question, r.asker) for r in rows} == {
        ("欠钱不还怎么办", h1), ("今天天气怎么样", h1), ("今天天气怎么样", h2)}
    loan = next(r for r in rows if r.question == "欠钱不还怎么办")
    assert loan.band == "high" and loan.topic == "借贷" and loan.entry_id
    assert all(r.band == "low" and r.entry_id is None for r in rows if r.question == "今天天气怎么样")
    assert await top_gaps(30, 10) == [("今天天气怎么样", 2)]


async def test_question_log_backlog_is_bounded() -> None:
    from handlers.core import Context
    from handlers.legal import DatabaseQuestionLog

    qlog = DatabaseQuestionLog("secret-key-0123456789", max_pending=2)
    for _ in range(5):  # no awaits in between: the writer has not run, the backlog is full after two
        await qlog(Context(openid="x"), "欠钱不还怎么办", None)
    assert qlog.queue.qsize() == 2 and qlog.dropped == 3
    assert qlog.writer is not None
    qlog.writer.cancel()
