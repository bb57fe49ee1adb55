"""申请调解 through the real app's dispatcher: the form, nonsense mid-form, the case number, 查询 permissions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from bot import keys
from handlers.core import Message
from handlers.mediation import normalize_case_number
from models.core import Role, User
from models.mediation import Case, Party, Source
from tests.mediation.conftest import World

_ids = itertools.count(1000)


def chat(app: Any, openid: str) -> Callable[[str], Any]:
    """Send texts as one user through the real dispatcher."""

    async def say(text: str) -> str:
        reply = await app[keys.DISPATCHER].feed(Message(openid=openid, type="text", content=text,
                                                        msg_id=str(next(_ids))))
        assert isinstance(reply, str)
        return reply

    return say


async def _app(make_settings: Callable[..., Any], make_client: Callable[..., Any]) -> Any:
    client = await make_client(make_settings())
    return client.server.app


async def test_apply_for_mediation(make_settings: Any, make_client: Any, world: World) -> None:
    app = await _app(make_settings, make_client)
    say = chat(app, "villager-a")
    assert "第1步" in await say("申请调解")
    assert "没看懂" in await say("吵架了")
    assert "第2步" in await say("2")
    assert "没有找到" in await say("月球村")
    assert "第3步" in await say("江湾村")
    assert "请回复真实姓名" in await say("123")
    assert "住址" in await say("张小三")
    assert "请回复住址" in await say("13912345678")
    assert "第4步" in await say("江湾村3组12号")
    assert "第5步" in await say("李四 138-1234-5678")
    assert "具体一点" in await say("吵架")
    assert "第6步" in await say("李四家的排水沟把水引到我家院子，说了几次都不改。")
    assert "号码好像不对" in await say("12345")
    summary = await say("13912345678")
    assert "请核对" in summary and "邻里" in summary and "李四（13812345678）" in summary
    assert "江湾村3组12号" in summary
    assert await Case.all().count() == 0  # nothing saved before the confirmation
    assert "请回复“确认”" in await say("嗯嗯")
    done = await say("确认")
    case = await Case.get()
    assert case.reg_number and case.reg_number in done and "登字第1号" in done and case.number is None
    assert case.applicant_openid == "villager-a" and case.source == Source.APPLIED
    assert case.village_id == world.village.id  # type: ignore[attr-defined]
    parties = {p.side: p for p in await Party.filter(case=case)}
    assert parties["applicant"].phone == "13912345678" and parties["respondent"].name == "李四"
    assert parties["applicant"].address == "江湾村3组12号" and parties["applicant"].kind == "person"
    status = await say(f"查询 {case.reg_number}")
    assert "已登记" in status and "下一步" in status
    assert case.reg_number in await say("我的案件")


async def test_name_apart_from_description(make_settings: Any, make_client: Any, world: World) -> None:
    app = await _app(make_settings, make_client)
    say = chat(app, "villager-n")
    for text in ("申请调解", "2", "江湾村", "江湾镇青山茶叶专业合作社", "江湾村工业园3号"):
        await say(text)
    assert "第5步" in await say("隔壁老李 李大海 13800001111")  # the description is not the name
    await say("李大海家的狗咬了我家的羊，说好赔钱一直没给。")
    summary = await say("13912345678")
    assert "李大海（13800001111）" in summary and "隔壁老李" in summary
    await say("确认")
    case = await Case.get()
    parties = {p.side: p for p in await Party.filter(case=case)}
    assert parties["respondent"].name == "李大海" and parties["applicant"].kind == "org"
    assert parties["applicant"].name == "江湾镇青山茶叶专业合作社" and parties["applicant"].address == "江湾村工业园3号"


async def test_description_only_asks_for_the_name(make_settings: Any, make_client: Any, world: World) -> None:
    app = await _app(make_settings, make_client)
    say = chat(app, "villager-d")
    for text in ("申请调解", "2", "江湾村", "张小三", "跳过"):
        await say(text)
    assert "真实姓名" in await say("隔壁老李")
    assert "真实姓名" in await say("老李头")
    assert "第5步" in await say("李大海")
    await say("李大海家的狗咬了我家的羊，说好赔钱一直没给。")
    summary = await say("13912345678")
    assert "对方：李大海，隔壁老李" in summary


async def test_lookup_by_anyone_else_finds_nothing(make_settings: Any, make_client: Any, world: World) -> None:
    from tests.mediation.conftest import new_case

    app = await _app(make_settings, make_client)
    from services import cases

    case = await new_case(world, openid="owner")
    case = await cases.accept(case.id, cases.Actor(world.admin), [], due_days=30)
    assert case.number and case.reg_number
    assert "没有找到" in await chat(app, "stranger")(f"查询 {case.number}")
    assert "没有找到" in await chat(app, world.mediator.openid or "")(f"查询 {case.number}")
    assert "没有找到" in await chat(app, "stranger")(f"查询 {case.reg_number}")
    loose = case.number.replace("〔", "(").replace("〕", ")")
    assert "状态" in await chat(app, "owner")(f"查询{loose}")
    spaced = case.number.replace("〔", "( ").replace("〕", " ) ")
    assert "状态" in await chat(app, "owner")(f"查询 {spaced}")
    assert "调解案号" in await chat(app, "owner")(f"查询 {case.reg_number}")


async def test_helper_reports_a_dispute(make_settings: Any, make_client: Any, world: World) -> None:
    app = await _app(make_settings, make_client)
    await User.create(openid="helper-1", role=Role.HELPER, display_name="明白人小陈", town=world.town)
    assert "供法律明白人使用" in await chat(app, "villager-x")("登记纠纷")
    say = chat(app, "helper-1")
    assert "主动调解" in await say("登记纠纷")
    await say("1")
    await say("2")
    await say("王桂兰")
    await say("东岸村5组")
    assert "真实姓名" in await say("王大爷")
    await say("王建国")
    await say("老两口为了养老的事吵了好几天，儿女也不管。")
    assert "请核对" in await say("无")
    assert "修改" in await say("不对")
    assert "第1步" in await say("修改")
    for text in ("1", "2", "王桂兰", "跳过", "王建国", "老两口为了养老的事吵了好几天，儿女也不管。", "无"):
        await say(text)
    assert "已登记" in await say("确认")
    case = await Case.get()
    assert case.source == Source.INITIATIVE and case.reporter_openid == "helper-1" and case.applicant_openid is None
    assert case.village_id == world.village2.id  # type: ignore[attr-defined]
    assert "状态" in await say(f"查询 {case.reg_number}")


async def test_cancel_mid_form(make_settings: Any, make_client: Any, world: World) -> None:
    app = await _app(make_settings, make_client)
    say = chat(app, "villager-c")
    await say("申请调解")
    await say("3")
    assert "已取消" in await say("取消")
    assert await Case.all().count() == 0


def test_normalize_case_number() -> None:
    assert normalize_case_number("查询 (2026)江湾调字第012号") == "〔2026〕江湾调字第12号"
    assert normalize_case_number("查询 【2026】江湾调字第 3 号") == "〔2026〕江湾调字第3号"
    assert normalize_case_number("查询 婚姻法") is None
    assert normalize_case_number("查询（2026）江湾登字第7号") == "〔2026〕江湾登字第7号"


async def test_other_party_name_keeps_its_hyphen(make_settings: Any, make_client: Any, world: World) -> None:
    app = await _app(make_settings, make_client)
    say = chat(app, "villager-h")
    await say("申请调解")
    await say("2")
    await say("江湾村")
    await say("张小三")
    await say("跳过")
    assert "第5步" in await say("王-小二 138 1234 5678")  # the phone, however written, is taken out of the name
    await say("王小二家的排水沟把水引到我家院子，说了几次都不改。")
    summary = await say("13912345678")
    assert "王-小二（13812345678）" in summary
