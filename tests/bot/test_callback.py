"""The WeChat callback: verification, modes, attacks, dedup, the 5-second rule, paging, limits."""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werobot.crypto import MessageCrypt

from bot import keys
from bot.wechat.client import WeChatSimulator, event_xml, text_xml
from bot.wechat.protocol import _FlatReader, _Refused, parse_xml, render_reply, signature
from handlers.core import Exact, Message, Router
from handlers.core.types import Article, Articles
from tests.conftest import AES_KEY, APPID, TOKEN
from tests.eventually import eventually

PLAIN = WeChatSimulator(TOKEN)


def counting_router(delay: float = 0.0, fail: bool = False) -> tuple[Router, list[str]]:
    """A router whose handler for '慢' / '数' counts calls (and may be slow or fail)."""
    calls: list[str] = []
    router = Router("test")

    @router.text(Exact("数", "慢", "坏", "长"))
    async def counted(msg: Message) -> str:
        calls.append(msg.dedup_key)
        if msg.text == "慢":
            await asyncio.sleep(delay)
        if msg.text == "坏":
            raise RuntimeError("boom")
        if msg.text == "长":
            return "\n".join(f"第{i}段：" + "依法办事" * 30 for i in range(20))
        return f"第{len(calls)}次处理"

    return router, calls


async def post(client: Any, sim: WeChatSimulator, xml: str, **kw: Any) -> tuple[int, dict[str, Any], str]:
    req = sim.sign(xml, **kw)
    resp = await client.post("/wechat", params=req.query, data=req.body)
    body = await resp.text()
    return resp.status, (sim.open_reply(body, req.query) if resp.status == 200 else {}), body


# --- URL verification -------------------------------------------------------------------

async def test_url_verification_echoes_echostr(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    ts, nonce = str(int(time.time())), "n1"
    q = {"signature": signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "hello123"}
    resp = await client.get("/wechat", params=q)
    assert resp.status == 200 and await resp.text() == "hello123"


@pytest.mark.parametrize("case", ["bad_signature", "stale", "future", "missing"])
async def test_url_verification_refuses(make_settings, make_client, case: str) -> None:
    client = await make_client(make_settings())
    ts = int(time.time()) + {"stale": -400, "future": 400}.get(case, 0)
    q = {"signature": signature(TOKEN, str(ts), "n"), "timestamp": str(ts), "nonce": "n", "echostr": "x"}
    if case == "bad_signature":
        q["signature"] = "0" * 40
    if case == "missing":
        q = {"echostr": "x"}
    resp = await client.get("/wechat", params=q)
    assert resp.status == 403
    assert await resp.text() != "x"


# --- modes ----------------------------------------------------------------------------------

async def test_plain_text_gets_menu(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    status, reply, _ = await post(client, PLAIN, text_xml("u1", "帮助", 1001))
    assert status == 200
    assert reply["MsgType"] == "text" and "法治服务" in reply["Content"]
    assert reply["ToUserName"] == "u1"


@pytest.mark.parametrize("mode", ["safe", "compat"])
async def test_encrypted_reply_decrypts_with_independent_crypto(make_settings, make_client, mode: str) -> None:
    client = await make_client(make_settings(wechat={"mode": mode}))
    sim = WeChatSimulator(TOKEN, APPID, AES_KEY, mode)
    req = sim.sign(text_xml("u2", "帮助", 2002))
    resp = await client.post("/wechat", params=req.query, data=req.body)
    body = await resp.text()
    assert resp.status == 200
    envelope = parse_xml(body.encode())
    assert "Content" not in envelope  # the reply itself is encrypted
    # WeRoBot's implementation, not ours nor wechatpy's, opens it.
    crypt = MessageCrypt(token=TOKEN, encoding_aes_key=AES_KEY, app_id=APPID)
    xml = crypt.decrypt_message(envelope["TimeStamp"], envelope["Nonce"], envelope["MsgSignature"], envelope["Encrypt"])
    assert "法治服务" in parse_xml(xml.encode() if isinstance(xml, str) else xml)["Content"]


async def test_compat_mode_accepts_plain_requests(make_settings, make_client) -> None:
    client = await make_client(make_settings(wechat={"mode": "compat"}))
    status, reply, _ = await post(client, PLAIN, text_xml("u3", "帮助", 3003))
    assert status == 200 and "法治服务" in reply["Content"]


async def test_safe_mode_refuses_plain_requests(make_settings, make_client) -> None:
    router, calls = counting_router()
    client = await make_client(make_settings(wechat={"mode": "safe"}), (router,))
    status, _, _ = await post(client, PLAIN, text_xml("u4", "数", 4004))
    assert status == 403 and calls == []


async def test_wrong_appid_and_truncated_encryption_are_refused(make_settings, make_client) -> None:
    router, calls = counting_router()
    client = await make_client(make_settings(wechat={"mode": "safe"}), (router,))
    other = WeChatSimulator(TOKEN, "wxOTHERAPPID00000", AES_KEY, "safe")
    status, _, _ = await post(client, other, text_xml("u5", "数", 5005))
    assert status == 403
    sim = WeChatSimulator(TOKEN, APPID, AES_KEY, "safe")
    req = sim.sign(text_xml("u5", "数", 5006))
    encrypt = parse_xml(req.body)["Encrypt"]
    cut = encrypt[: len(encrypt) // 2]
    req.query["msg_signature"] = signature(TOKEN, req.query["timestamp"], req.query["nonce"], cut)
    body = req.body.replace(encrypt.encode(), cut.encode())
    resp = await client.post("/wechat", params=req.query, data=body)
    assert resp.status == 400
    assert calls == []


# --- forged, stale, replayed, hostile --------------------------------------------------------

async def test_forged_signature_and_stale_timestamp_never_reach_a_handler(make_settings, make_client) -> None:
    router, calls = counting_router()
    client = await make_client(make_settings(), (router,))
    forged = WeChatSimulator("not-the-token")
    assert (await post(client, forged, text_xml("u6", "数", 6001)))[0] == 403
    assert (await post(client, PLAIN, text_xml("u6", "数", 6002), timestamp=int(time.time()) - 400))[0] == 403
    assert (await post(client, PLAIN, text_xml("u6", "数", 6003), timestamp=int(time.time()) + 400))[0] == 403
    assert calls == []


async def test_replayed_nonce_with_another_body_is_refused(make_settings, make_client) -> None:
    router, calls = counting_router()
    client = await make_client(make_settings(), (router,))
    ts = int(time.time())
    # One body for the retry: WeChat resends the very same bytes (a CreateTime taken anew could cross a second).
    body = text_xml("u7", "数", 7001, create_time=ts)
    first = await post(client, PLAIN, body, timestamp=ts, nonce="same")
    again = await post(client, PLAIN, body, timestamp=ts, nonce="same")
    replay = await post(client, PLAIN, text_xml("u7", "数", 7002, create_time=ts), timestamp=ts, nonce="same")
    assert first[0] == 200 and again[0] == 200
    assert again[1]["Content"] == first[1]["Content"]  # a retry, not an attack
    assert replay[0] == 403
    assert len(calls) == 1


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>a</ToUserName><FromUserName>u8</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>u8</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


@pytest.mark.parametrize(
    "xml", [BILLION_LAUGHS, XXE, "<xml><unclosed>", "not xml at all", "<html><body/></html>", "<xml></xml>", ""]
)
async def test_hostile_or_malformed_xml_is_400(make_settings, make_client, xml: str) -> None:
    router, calls = counting_router()
    client = await make_client(make_settings(), (router,))
    status, _, body = await post(client, PLAIN, xml)
    assert status == 400
    assert "root:" not in body
    assert calls == []


async def test_hostile_xml_inside_encryption_is_400(make_settings, make_client) -> None:
    client = await make_client(make_settings(wechat={"mode": "safe"}))
    sim = WeChatSimulator(TOKEN, APPID, AES_KEY, "safe")
    assert (await post(client, sim, XXE))[0] == 400


async def test_oversized_body_is_413(make_settings, make_client) -> None:
    router, calls = counting_router()
    client = await make_client(make_settings(), (router,))
    big = text_xml("u9", "数" + "法" * 30000, 9001)  # about 90 KB
    status, _, _ = await post(client, PLAIN, big)
    assert status == 413

    async def chunks():  # no Content-Length: the limit holds while streaming
        for _ in range(100):
            yield b"<!-- " + b"x" * 1000 + b" -->"

    req = PLAIN.sign("<xml/>")
    resp = await client.post("/wechat", params=req.query, data=chunks())
    assert resp.status == 413
    assert calls == []


# --- dedup --------------------------------------------------------------------------------

async def test_retried_msgid_is_processed_once_with_the_same_reply(make_settings, make_client) -> None:
    router, calls = counting_router()
    client = await make_client(make_settings(), (router,))
    replies = [(await post(client, PLAIN, text_xml("u10", "数", 10001)))[1]["Content"] for _ in range(3)]
    assert replies == ["第1次处理"] * 3
    assert calls == ["m:10001"]
    metrics = await (await client.get("/metrics")).text()
    assert "mingbai_dedup_hits_total 2.0" in metrics


async def test_retry_while_first_is_in_flight_gets_the_same_reply(make_settings, make_client) -> None:
    router, calls = counting_router(delay=0.6)
    client = await make_client(make_settings(), (router,))
    xml = text_xml("u11", "慢", 11001)
    first = asyncio.create_task(post(client, PLAIN, xml))
    await eventually(lambda: calls)  # the first delivery is being handled
    second = await post(client, PLAIN, xml)
    assert second[1]["Content"] == (await first)[1]["Content"] == "第1次处理"
    assert len(calls) == 1


async def test_events_dedup_by_sender_and_create_time(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    xml = event_xml("u12", "subscribe", create_time=1_700_000_000)
    a = await post(client, PLAIN, xml)
    b = await post(client, PLAIN, xml)
    assert "欢迎关注" in a[1]["Content"] and a[1]["Content"] == b[1]["Content"]
    metrics = await (await client.get("/metrics")).text()
    assert "mingbai_dedup_hits_total 1.0" in metrics


# --- the 5-second rule --------------------------------------------------------------------

async def test_slow_answer_falls_back_to_customer_service(make_settings, make_client, fake_wechat) -> None:
    fake, base = fake_wechat
    router, calls = counting_router(delay=1.2)
    settings = make_settings(server={"reply_budget_seconds": 0.5}, wechat={"api_base_url": base})
    client = await make_client(settings, (router,))
    xml = text_xml("u13", "慢", 13001)
    status, reply, body = await post(client, PLAIN, xml)
    assert status == 200 and body == "success" and reply == {}
    retry = await post(client, PLAIN, xml)  # WeChat's retry must not produce a second answer
    assert retry[2] == "success"
    await eventually(lambda: fake.sent)
    assert fake.texts_to("u13") == ["第1次处理"]
    assert len(calls) == 1
    # the access token is kept in Redis, shared by every process
    redis = client.app[keys.REDIS]
    assert any(b"access_token" in k for k in await redis.keys("mingbai:wechat:*"))
    metrics = await (await client.get("/metrics")).text()
    assert "mingbai_customer_service_fallbacks_total 1.0" in metrics


async def test_customer_service_failure_is_logged_not_raised(make_settings, make_client, fake_wechat) -> None:
    fake, base = fake_wechat
    fake.fail_sends = 10
    router, _ = counting_router(delay=0.8)
    settings = make_settings(server={"reply_budget_seconds": 0.5}, wechat={"api_base_url": base})
    client = await make_client(settings, (router,))
    assert (await post(client, PLAIN, text_xml("u14", "慢", 14001)))[2] == "success"
    async def failure_counted() -> bool:
        return "mingbai_customer_service_failures_total 1.0" in await (await client.get("/metrics")).text()

    await eventually(failure_counted)
    assert (await client.get("/healthz")).status == 200


# --- replies, limits, other types ----------------------------------------------------------

async def test_long_reply_is_split_and_continued_with_more(make_settings, make_client) -> None:
    router, _ = counting_router()
    client = await make_client(make_settings(), (router,))
    pages = []
    _, reply, _ = await post(client, PLAIN, text_xml("u15", "长", 15001))
    pages.append(reply["Content"])
    for i in range(10):
        reply = (await post(client, PLAIN, text_xml("u15", "更多", 15002 + i)))[1]
        if reply["Content"].startswith("没有更多"):
            break
        pages.append(reply["Content"])
    assert len(pages) >= 2
    assert all(len(p.encode()) <= 2048 for p in pages)
    assert "回复“更多”" in pages[0] and "回复“更多”" not in pages[-1]
    joined = "".join(p.split("\n\n（内容较长")[0] for p in pages)
    for i in range(20):
        assert f"第{i}段" in joined


@pytest.mark.usefixtures("one_minute")  # five messages in one counting minute, wherever the clock stands
async def test_rate_limit_answers_politely(make_settings, make_client) -> None:
    client = await make_client(make_settings(limits={"messages_per_minute": 3}))
    replies = [(await post(client, PLAIN, text_xml("u16", "帮助", 16000 + i)))[1]["Content"] for i in range(5)]
    assert all("法治服务" in r for r in replies[:3])
    assert all("太快" in r for r in replies[3:])
    other = (await post(client, PLAIN, text_xml("u17", "帮助", 16100)))[1]["Content"]
    assert "法治服务" in other  # the limit is per openid
    assert "mingbai_rate_limited_total 2.0" in await (await client.get("/metrics")).text()


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ("<xml><ToUserName>a</ToUserName><FromUserName>u18</FromUserName><CreateTime>1</CreateTime>"
         "<MsgType>image</MsgType><PicUrl>http://x/1.jpg</PicUrl><MediaId>m1</MediaId><MsgId>18001</MsgId></xml>",
         "图片"),
        ("<xml><ToUserName>a</ToUserName><FromUserName>u18</FromUserName><CreateTime>1</CreateTime>"
         "<MsgType>location</MsgType><Location_X>1</Location_X><Location_Y>2</Location_Y><Scale>3</Scale>"
         "<Label>x</Label><MsgId>18002</MsgId></xml>", "位置"),
        ("<xml><ToUserName>a</ToUserName><FromUserName>u18</FromUserName><CreateTime>1</CreateTime>"
         "<MsgType>link</MsgType><Title>t</Title><Url>http://x</Url><MsgId>18003</MsgId></xml>", "链接"),
        ("<xml><ToUserName>a</ToUserName><FromUserName>u18</FromUserName><CreateTime>1</CreateTime>"
         "<MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format><Recognition>帮助</Recognition>"
         "<MsgId>18004</MsgId></xml>", "法治服务"),
        ("<xml><ToUserName>a</ToUserName><FromUserName>u18</FromUserName><CreateTime>1</CreateTime>"
         "<MsgType>miniprogrampage</MsgType><MsgId>18005</MsgId></xml>", "看不懂"),
    ],
)
async def test_other_message_types_get_a_helpful_reply(make_settings, make_client, xml: str, expected: str) -> None:
    client = await make_client(make_settings())
    status, reply, _ = await post(client, PLAIN, xml)
    assert status == 200 and expected in reply["Content"]


async def test_handler_exception_becomes_a_polite_answer(make_settings, make_client) -> None:
    router, _ = counting_router()
    client = await make_client(make_settings(), (router,))
    xml = text_xml("u19", "坏", 19001)
    status, reply, _ = await post(client, PLAIN, xml)
    assert status == 200 and "系统繁忙" in reply["Content"]
    retry = await post(client, PLAIN, xml)
    assert retry[1]["Content"] == reply["Content"]


async def test_healthz_and_metrics(make_settings, make_client) -> None:
    client = await make_client(make_settings())
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    await post(client, PLAIN, text_xml("u20", "帮助", 20001))
    text = await (await client.get("/metrics")).text()
    assert 'mingbai_http_requests_total{route="wechat_receive",status="200"} 1.0' in text
    assert "mingbai_handler_seconds_count 1.0" in text


def test_flat_xml_reader_reads_wechat_fields_like_a_tree() -> None:
    body = ("<xml><ToUserName><![CDATA[gh]]></ToUserName><Content>彩礼&amp;嫁妆 &lt;b&gt;&#20013;</Content>"
            "<ScanCodeInfo>head<ScanType>qrcode</ScanType>tail</ScanCodeInfo><MsgId>1</MsgId><MsgId>2</MsgId>"
            "<Empty/></xml>").encode()
    assert parse_xml(body) == {"ToUserName": "gh", "Content": "彩礼&嫁妆 <b>中", "ScanCodeInfo": "head",
                               "MsgId": "2", "Empty": ""}


_TAGS = st.sampled_from(["ToUserName", "Content", "MsgId", "Event", "ScanCodeInfo", "a"])
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=12)  # what XML can carry
_CDATA = _TEXT.filter(lambda t: "]]>" not in t).map(lambda t: f"<![CDATA[{t}]]>")


@st.composite
def _flat_documents(draw: st.DrawFn) -> str:
    """WeChat-like documents: children with text, CDATA, nested elements and tails, whitespace between."""
    children = []
    for tag in draw(st.lists(_TAGS, max_size=6)):
        inner = draw(st.one_of(_TEXT.map(escape), _CDATA))
        if draw(st.booleans()):
            inner += f"<Inner>{escape(draw(_TEXT))}<Deeper>{escape(draw(_TEXT))}</Deeper></Inner>{escape(draw(_TEXT))}"
        children.append(f"<{tag}>{inner}</{tag}>" + draw(st.sampled_from(["", "\n", " \n  "])))
    return "<xml>" + draw(st.sampled_from(["", "\n"])) + "".join(children) + "</xml>"


@given(_flat_documents())
def test_flat_xml_reader_agrees_with_elementtree(doc: str) -> None:
    expected = {child.tag: child.text or "" for child in ET.fromstring(doc)}  # a repeated tag: the last one
    assert parse_xml(doc.encode()) == expected


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE])
def test_flat_xml_reader_refuses_declarations_on_its_own(xml: str) -> None:
    # The reader itself stops at a DOCTYPE, before any entity is expanded (no byte-pattern pre-check).
    with pytest.raises(_Refused):
        _FlatReader().parse(xml.encode())


async def test_a_reply_quoting_cdata_terminators_stays_readable_xml(make_settings, make_client) -> None:
    echo = Router("echo")

    @echo.text()
    async def repeat(msg: Message) -> str:
        return f"您说的是：{msg.text}"

    client = await make_client(make_settings(), (echo,))
    said = "主题]]><MsgType>news</MsgType>]]>&<b>"
    status, reply, _ = await post(client, PLAIN, text_xml("u-cdata", said, 9901))
    assert status == 200 and reply["Content"] == f"您说的是：{said}" and reply["MsgType"] == "text"


def test_news_replies_keep_their_fields_and_drop_control_characters() -> None:
    msg = Message(openid="u1", to_user="gh", type="text")
    items = tuple(Article(title=f"第{i}条]]>", description="说明\x07", url=f"https://x/{i}") for i in range(10))
    fields = parse_xml(render_reply(Articles(items), msg).encode())
    assert fields["MsgType"] == "news" and fields["ArticleCount"] == "8" and fields["ToUserName"] == "u1"
    assert render_reply(None, msg) == "success"
    assert parse_xml(render_reply("a\x00b\x1fc\td", msg).encode())["Content"] == "abc\td"
