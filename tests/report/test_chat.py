"""统计 2023 in chat: admins get the short text; others are told it is for admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.wechat.client import WeChatSimulator
from models.core import Role, Town, User
from tests.conftest import TOKEN
from tests.outreach.conftest import Chat
from tests.report.seed import seed


async def _chat(make_settings: Callable[..., Any], make_client: Callable[..., Any]) -> Chat:
    client = await make_client(make_settings())
    await seed()
    town = await Town.get(name="江湾镇")
    await User.create(openid="admin1", role=Role.ADMIN, display_name="所长", town=town)
    await User.create(openid="county1", role=Role.COUNTY_ADMIN, display_name="县局", town=town)
    await User.create(openid="helper1", role=Role.HELPER, display_name="李明", town=town)
    return Chat(client, WeChatSimulator(TOKEN))


async def test_admin_gets_the_short_text(make_settings: Any, make_client: Any, db: str) -> None:
    chat = await _chat(make_settings, make_client)
    reply = await chat.say("admin1", "统计 2023")
    assert reply.splitlines()[:6] == [
        "江湾镇2023年法治建设工作情况",
        "专题会议2次，普法专题培训4次",
        "普法宣传活动5次，同比增加2次，覆盖260人次，资料4600余份",
        # helper1 has no village
        "法律明白人20人，骨干17人；1个村未达每10户一名骨干；联系户占55.7%（要求50%），1个村未达",
        "矛盾纠纷6件，调解成功1件（33.3%），上交1件",
        "群众提问3次，未能解答1次",
    ]
    assert (await chat.say("admin1", "2023年统计")).startswith("江湾镇2023年")
    assert "年份在2000到" in await chat.say("admin1", "统计 1999")


async def test_county_admin_sees_every_town(make_settings: Any, make_client: Any, db: str) -> None:
    chat = await _chat(make_settings, make_client)
    reply = await chat.say("county1", "统计2023")
    assert reply.startswith("全县2023年法治建设工作情况")
    assert "· 江湾镇：活动5次，纠纷6件" in reply and "· 白沙镇：活动1次，纠纷1件" in reply


async def test_others_are_refused(make_settings: Any, make_client: Any, db: str) -> None:
    chat = await _chat(make_settings, make_client)
    assert "只对管理员开放" in await chat.say("helper1", "统计 2023")
    assert "只对管理员开放" in await chat.say("stranger", "本年统计")
