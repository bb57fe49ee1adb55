"""Legal questions through the real callback: answers, related questions, choices, small talk, statutes, the log."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from bot.commands.kb import top_gaps
from bot.wechat.client import WeChatSimulator, text_xml
from handlers.legal import asker_hash
from knowledge.answering import get_responder
from models.questions import QuestionLog
from tests.conftest import TOKEN
from tests.eventually import eventually

SIM = WeChatSimulator(TOKEN)
IDS = itertools.count(500_000)


async def say(client: Any, openid: str, text: str) -> str:
    req = SIM.sign(text_xml(openid, text, next(IDS)))
    resp = await client.post("/wechat", params=req.query, data=req.body)
    assert resp.status == 200
    return str(SIM.open_reply(await resp.text(), req.query)["Content"])


async def wait_for_logs(n: int) -> list[QuestionLog]:
    async def logged() -> list[QuestionLog] | None:
        rows = await QuestionLog.all().order_by("id")
        return rows if len(rows) >= n else None

    return await eventually(logged)  # written in the background


async def test_a_probable_entry_is_answered_with_its_citation(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    reply = await say(client, "v1", "我爹走了没留遗嘱 老房子咋分")
    plan = get_responder().respond("我爹走了没留遗嘱 老房子咋分")
    assert plan.kind == "answer"
    entry = plan.entries[0]
    assert entry.topic == "继承"
    assert "法律依据" in reply and all(cite in reply for cite in entry.basis)
    assert "《民法典》第1127条" in reply
    assert "您想问的是哪一个" not in reply


async def test_related_questions_under_an_answer_can_be_picked(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    question = "邻居家的狗把我咬了 他家不管"
    plan = get_responder().respond(question)
    assert plan.kind == "answer" and len(plan.entries) >= 2
    reply = await say(client, "v2", question)
    assert reply.startswith(plan.entries[0].answer[:20])
    assert f"相关问题：回复2 {plan.entries[1].title}" in reply
    second = plan.entries[1]
    answer = await say(client, "v2", "2")
    assert answer.startswith(second.answer[:20]) and second.basis[0] in answer
    # the choice is spent: '2' again is not a pick
    assert second.answer[:20] not in await say(client, "v2", "2")


async def test_a_bare_topic_word_offers_choices_and_answers_the_pick(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    plan = get_responder().respond("彩礼")
    assert plan.kind == "choices"
    reply = await say(client, "v6", "彩礼")
    assert "回复1、2、3" in reply and plan.entries[2].title in reply
    answer = await say(client, "v6", "3")
    assert answer.startswith(plan.entries[2].answer[:20])


async def test_small_talk_gets_a_friendly_line_never_law(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    cases = (("谢谢你啊", "不客气"), ("好的", "好的"), ("拜拜", "再见"), ("你是机器人吗", "12348公共法律服务热线"))
    for text, expected in cases:
        reply = await say(client, "v3", text)
        assert expected in reply and "法律依据" not in reply and "回答不了" not in reply, reply
        assert "帮助" in reply


async def test_off_topic_gets_no_legal_content(make_settings, make_client) -> None:
    client = await make_client(make_settings(town={"studio_name": "测试调解室"}))
    for text in ("今天天气怎么样", "双色球下期开什么号", "手机怎么截图"):
        reply = await say(client, "v3", text)
        assert "法律依据" not in reply and "回复1" not in reply and "回答不了" not in reply, reply
        assert "帮助" in reply


async def test_statute_articles_for_a_legal_question_no_entry_fits(make_settings, make_client, tmp_path) -> None:
    from bot import keys
    from knowledge.answering import Responder
    from knowledge.retrieval import KnowledgeBase

    (tmp_path / "x.toml").write_text('[[entry]]\nid = "loan"\ntopic = "借贷"\nquestions = ["借钱不还怎么办"]\n'
                                     'answer = "可以起诉。"\nbasis = ["《民法典》第675条"]\n', encoding="utf-8")
    small = Responder(KnowledgeBase.load(tmp_path))
    client = await make_client(make_settings(town={"studio_name": "测试调解室"}))
    client.server.app[keys.KNOWLEDGE].use(small)  # the app's one knowledge object, as the console's changes do
    reply = await say(client, "v7", "协议离婚怎么办手续")
    assert "可能和您的问题有关" in reply and "《民法典》第1076条" in reply
    assert "12348公共法律服务热线" in reply and "测试调解室" in reply


async def test_the_facts_given_say_which_case_applies(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    reply = await say(client, "v8", "半年前在村里签的调解协议 对方不给钱 还能申请司法确认吗")
    assert "超过了申请司法确认的三十天" in reply and "《人民调解法》第32条" in reply
    reply = await say(client, "v9", "十天前签的调解协议 想去法院司法确认")
    assert "还在三十天内" in reply


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


async def test_questions_gathered_for_a_write_are_all_kept_at_shutdown(db) -> None:
    from handlers.core import Context
    from handlers.legal import DatabaseQuestionLog

    qlog = DatabaseQuestionLog("secret-key-0123456789", interval=60)  # would gather for a minute
    for n in range(3):
        await qlog(Context(openid=f"u{n}"), f"欠钱不还怎么办 第{n}次 电话13812345678", None)
    await asyncio.sleep(0.05)
    assert await QuestionLog.all().count() == 0  # still gathering
    await asyncio.wait_for(qlog.drain(timeout=5), 5)  # shutdown cuts the wait short
    rows = await QuestionLog.all().order_by("id")
    assert [r.question for r in rows] == [f"欠钱不还怎么办 第{n}次 电话138****5678" for n in range(3)]


async def test_a_lone_question_mark_opens_the_help_menu(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    for text in ("?", "？"):
        reply = await say(client, "v3", text)
        assert "您可以" in reply and "查法条" in reply, reply
