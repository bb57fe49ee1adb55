"""Two apps, one person: a helper bound in chat is the same person in the mini-program (UnionID or link code)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from knowledge.wording.dates import today
from models.core import LinkCode, Role, User, WeChatApp, WeChatIdentity
from models.outreach import Activity
from services.invites import create_invite
from tests.eventually import eventually
from tests.wechat.conftest import Platform


async def _bound_helper(p: Platform, oa_openid: str, name: str = "赵强") -> User:
    person = await User.create(role=Role.HELPER, display_name=name, town=p.town, village=p.villages["石桥村"])
    code = await create_invite(person, 7)
    assert "绑定成功" in await p.chat.say(oa_openid, f"绑定 {code}")
    return person


async def _log_activity(p: Platform, oa_openid: str) -> None:
    day = today() - dt.timedelta(days=1)
    reply = await p.chat.say(oa_openid, f"活动 {day.month}月{day.day}日 石桥村 法治公开课 45人 资料120份 主题民法典")
    assert "请核对" in reply, reply
    await p.chat.say(oa_openid, "确认")
    assert await Activity.all().count() >= 1


async def _wait_for_unionid(openid: str) -> None:
    async def stored() -> bool:  # user/info is asked in the background after binding
        ident = await WeChatIdentity.get_or_none(app=WeChatApp.OFFICIAL_ACCOUNT, openid=openid)
        return ident is not None and bool(ident.unionid)

    await eventually(stored)


async def test_unionid_makes_the_chat_helper_the_same_person_in_the_miniprogram(platform: Platform) -> None:
    p = platform
    p.fake.unionids["oa-zhao"] = "union-zhao"
    person = await _bound_helper(p, "oa-zhao")
    await _log_activity(p, "oa-zhao")
    await _wait_for_unionid("oa-zhao")
    assert "user/info" in p.fake.calls
    headers, me = await p.login("mp-zhao", unionid="union-zhao")
    assert me["bound"] and me["id"] == person.id and me["role"] == "helper" and me["display_name"] == "赵强"
    listing = await (await p.client.get("/api/v1/activities", headers=headers)).json()
    assert listing["total"] == 1 and listing["items"][0]["participants"] == 45
    idents = {i.app: i.openid for i in await WeChatIdentity.filter(user_id=person.id)}
    assert idents == {WeChatApp.OFFICIAL_ACCOUNT: "oa-zhao", WeChatApp.MINI_PROGRAM: "mp-zhao"}
    await person.refresh_from_db()
    assert person.openid == "oa-zhao"  # the chat still addresses the person by the 公众号 openid


async def test_a_different_unionid_stays_a_stranger(platform: Platform) -> None:
    p = platform
    p.fake.unionids["oa-zhao"] = "union-zhao"
    await _bound_helper(p, "oa-zhao")
    await _wait_for_unionid("oa-zhao")
    _, me = await p.login("mp-other", unionid="union-someone-else")
    assert not me["bound"] and me["role"] == "villager"


async def test_link_code_from_chat_links_the_miniprogram_without_unionid(platform: Platform) -> None:
    p = platform
    person = await _bound_helper(p, "oa-qian", "钱多")
    await _log_activity(p, "oa-qian")
    headers, me = await p.login("mp-qian")
    assert not me["bound"]
    reply = await p.chat.say("oa-qian", "绑定小程序")
    code = next(w for w in reply.replace("：", " ").split() if w.isdigit() and len(w) == 6)
    r = await p.client.post("/api/v1/auth/link", json={"code": code}, headers=headers)
    assert r.status == 200, await r.text()
    me = await r.json()
    assert me["bound"] and me["id"] == person.id and me["role"] == "helper"
    listing = await (await p.client.get("/api/v1/activities", headers=headers)).json()
    assert listing["total"] == 1
    r = await p.client.post("/api/v1/auth/link", json={"code": code}, headers=headers)
    assert r.status == 400 and "过期" in (await r.json())["message"]  # a code works once


async def test_link_code_from_the_miniprogram_links_the_chat(platform: Platform) -> None:
    p = platform
    person = await User.create(role=Role.HELPER, display_name="孙丽", town=p.town, village=p.villages["江湾村"])
    code = await create_invite(person, 7)
    headers, _ = await p.login("mp-sun")
    assert (await p.client.post("/api/v1/auth/bind", json={"invite_code": code}, headers=headers)).status == 200
    assert "活动是哪天" not in await p.chat.say("oa-sun", "登记活动")  # the chat does not know her yet
    r = await p.client.post("/api/v1/auth/link-code", headers=headers)
    assert r.status == 200
    link = (await r.json())["code"]
    assert "绑定成功" in await p.chat.say("oa-sun", f"绑定 {link}")
    await person.refresh_from_db()
    assert person.openid == "oa-sun"
    assert "活动是哪天" in await p.chat.say("oa-sun", "登记活动")


async def test_strangers_and_wrong_codes_are_refused(platform: Platform) -> None:
    p = platform
    # A villager has nothing to link.
    assert "邀请码" in await p.chat.say("oa-stranger", "绑定小程序")
    assert await LinkCode.all().count() == 0
    # An unbound mini-program user cannot ask for a code for the chat.
    headers, _ = await p.login("mp-stranger")
    r = await p.client.post("/api/v1/auth/link-code", headers=headers)
    assert r.status == 403
    # A code nobody was given.
    r = await p.client.post("/api/v1/auth/link", json={"code": "123456"}, headers=headers)
    assert r.status == 400 and (await r.json())["error"] == "invalid_link_code"
    # Helper 王芳 (mini-program bound) enters 李明's code: refused, nothing changes.
    wang_headers, me = await p.login("h2")  # bound before identities existed: found by User.openid
    assert me["display_name"] == "王芳"
    li_code = (await p.chat.say("h1", "绑定小程序")).split("：")[1][:6]
    r = await p.client.post("/api/v1/auth/link", json={"code": li_code}, headers=wang_headers)
    assert r.status == 409 and "王芳" in (await r.json())["message"]
    assert (await (await p.client.get("/api/v1/me", headers=wang_headers)).json())["display_name"] == "王芳"
    # An expired code.
    await LinkCode.all().update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    r = await p.client.post("/api/v1/auth/link", json={"code": li_code}, headers=headers)
    assert r.status == 400 and "过期" in (await r.json())["message"]
    # A link code typed in the chat by a stranger whose code is for the mini-program.
    fresh = (await p.chat.say("h1", "绑定小程序")).split("：")[1][:6]
    assert "小程序" in await p.chat.say("oa-stranger", f"绑定 {fresh}")
    assert (await User.get(id=p.helper.id)).openid == "h1"


async def test_unbinding_detaches_both_apps(platform: Platform) -> None:
    p = platform
    p.fake.unionids["oa-zhou"] = "union-zhou"
    await _bound_helper(p, "oa-zhou", "周平")
    await _wait_for_unionid("oa-zhou")
    _, me = await p.login("mp-zhou", unionid="union-zhou")
    assert me["bound"]
    assert "已解除" in await p.chat.say("a1", "解绑 周平")
    _, me = await p.login("mp-zhou", unionid="union-zhou")
    assert not me["bound"]


async def test_migration_turns_bound_openids_into_chat_identities(tmp_path: Path) -> None:
    from tortoise import Tortoise
    from tortoise.context import TortoiseContext
    from tortoise.migrations.api import migrate

    import models
    from models import tortoise_config

    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    async with TortoiseContext():
        await migrate(config=tortoise_config(url), app_labels=["core"], target="core.0001_initial")
    async with models.database(url):
        conn = Tortoise.get_connection("default")
        await conn.execute_query('INSERT INTO town (name, studio_name, case_prefix, created_at) '
                                 "VALUES ('江湾镇', '', '', '2025-01-01 00:00:00+00:00')")
        await conn.execute_query(
            'INSERT INTO "user" (openid, role, display_name, town_id, phone, is_core, active, password_hash, '
            "created_at) VALUES ('o-old', 'helper', '老李', 1, '', 0, 1, '', '2025-01-01 00:00:00+00:00'), "
            "(NULL, 'helper', '没绑', 1, '', 0, 1, '', '2025-01-01 00:00:00+00:00')")
    await models.migrate(url)
    async with models.database(url):
        idents = await WeChatIdentity.all().values_list("app", "openid", "user__display_name")
    assert idents == [(WeChatApp.OFFICIAL_ACCOUNT, "o-old", "老李")]


async def test_a_villagers_cases_follow_them_across_the_two_apps(platform: Platform) -> None:
    p = platform
    p.fake.unionids["oa-villager"] = "union-villager"
    assert "欢迎关注" in await p.event("oa-villager", "subscribe")  # user/info is asked in the background
    await _wait_for_unionid("oa-villager")
    headers, me = await p.login("mp-villager", unionid="union-villager")
    assert me["role"] == "villager" and not me["bound"]  # no person record: a villager
    r = await p.client.post("/api/v1/cases", headers=headers, json={
        "case_type": "邻里", "village_id": p.villages["江湾村"].id, "applicant_name": "周甲",
        "applicant_phone": "13800001111", "other_name": "周乙", "summary": "两家因为排水沟的事情吵了起来。"})
    assert r.status == 201, await r.text()
    number = (await r.json())["reg_number"]  # the 调字号 comes at 受理; a new application has its 登记号
    assert number in await p.chat.say("oa-villager", "我的案件")  # applied in the mini-program, seen in chat
    assert "下一步" in await p.chat.say("oa-villager", f"查询 {number}")
    assert "没有找到" in await p.chat.say("oa-someone", "我的案件")
    assert "没有找到" in await p.chat.say("oa-someone", f"查询 {number}")
    listing = await (await p.client.get("/api/v1/cases", headers=(await p.login("mp-other"))[0])).json()
    assert listing["items"] == []
    mine = await (await p.client.get("/api/v1/cases", headers=headers)).json()
    assert [c["reg_number"] for c in mine["items"]] == [number]
