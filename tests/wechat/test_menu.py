"""The 公众号 menu: the file, `mingbai wechat menu push`, and clicks routed to the keyword handlers."""

from __future__ import annotations

import aiohttp
import pytest

from bot.redis_store import make_clients
from bot.wechat.api import WeChatApi
from bot.wechat.custom_menu import MenuError, load_menu, parse_menu, push_menu
from tests.conftest import REDIS_URL
from tests.wechat.conftest import Platform


async def _api(base: str, http: aiohttp.ClientSession) -> WeChatApi:
    aio, _ = make_clients(REDIS_URL)
    return WeChatApi("wxtest", "secret", base, aio, http)


async def test_push_sends_the_configured_menu_and_role_menus(platform: Platform, fake_wechat) -> None:
    _, base = fake_wechat
    menu = load_menu()
    async with aiohttp.ClientSession() as http:
        done = await push_menu(await _api(base, http), menu, "wxminiprogram00001")
    fake = platform.fake
    assert fake.menus[0] == menu.wechat_json(menu.buttons, "wxminiprogram00001")
    top = [b["name"] for b in fake.menus[0]["button"]]
    assert top == ["法律咨询", "小程序", "帮助"]
    assert {"type": "click", "name": "申请调解", "key": "申请调解"} in fake.menus[0]["button"][0]["sub_button"]
    mp_button = fake.menus[0]["button"][1]
    assert mp_button["type"] == "miniprogram" and mp_button["appid"] == "wxminiprogram00001"
    helpers_tag = next(i for i, n in fake.tags.items() if n == "法律明白人")
    assert {o for o, tags in fake.tagged.items() if helpers_tag in tags} == {"h1", "h2"}
    helper_menu = next(m for m in fake.menus[1:] if m["matchrule"] == {"tag_id": str(helpers_tag)})
    assert [s["key"] for s in helper_menu["button"][1]["sub_button"]] == ["登记活动", "排查", "我的记录", "绑定小程序"]
    assert done[0].startswith("默认菜单已推送") and "2人已打标签" in done[1]


async def test_without_a_miniprogram_its_button_opens_the_web_page(fake_wechat) -> None:
    menu = load_menu()
    rendered = menu.wechat_json(menu.buttons, "")
    assert rendered["button"][1] == {"type": "view", "name": "小程序", "url": "https://mp.weixin.qq.com"}


async def test_menu_show_reads_back_what_wechat_has(platform: Platform, fake_wechat) -> None:
    _, base = fake_wechat
    async with aiohttp.ClientSession() as http:
        api = await _api(base, http)
        await push_menu(api, load_menu(), "")
        shown = await api.call("menu/get", method="GET")
    assert shown["menu"]["button"][0]["name"] == "法律咨询" and len(shown["conditionalmenu"]) == 2


async def test_click_on_apply_starts_the_intake_form(platform: Platform) -> None:
    reply = await platform.event("villager-1", "CLICK", "申请调解")
    assert "申请人民调解" in reply and "第1步" in reply
    assert "第2步" in await platform.chat.say("villager-1", "2")  # the same form goes on in text


async def test_clicks_with_fixed_answers_keywords_and_unknown_keys(platform: Platform) -> None:
    assert "直接打字或发语音" in await platform.event("villager-2", "CLICK", "我要提问")
    assert "活动是哪天" in await platform.event("h1", "CLICK", "登记活动")  # the helper's form, as if typed
    await platform.chat.say("h1", "取消")
    assert "暂未开通" in await platform.event("villager-2", "CLICK", "某个没有的功能")
    assert "关联码" in await platform.event("h1", "CLICK", "绑定小程序")


@pytest.mark.parametrize(("data", "words"), [
    ({"button": [{"type": "click", "name": f"菜单{i}", "key": "帮助"} for i in range(4)]}, "1到3个"),
    ({"button": [{"type": "click", "name": "帮助"}]}, "要有 key"),
    ({"button": [{"type": "view", "name": "网页", "url": "ftp://x"}]}, "http(s)://"),
    ({"button": [{"name": "很长很长的菜单名", "sub_button": []}]}, "最多5个汉字"),
    ({"button": [{"type": "click", "name": "帮助", "key": "帮助"}], "conditional": [{"tag": "村民", "button": []}]},
     "tag 要是"),
])
def test_menu_files_wechat_would_refuse_are_explained(data: dict, words: str) -> None:
    with pytest.raises(MenuError) as info:
        parse_menu(data)
    assert words in str(info.value)
