"""QR codes with a scene: an invite QR binds in one scan; a village QR counts later questions for the village."""

from __future__ import annotations

import datetime as dt

import aiohttp

from bot.redis_store import make_clients
from bot.wechat.api import WeChatApi
from bot.wechat.qrcodes import invite_qr_url
from knowledge.wording.dates import TZ
from models.core import Role, User, WeChatApp, WeChatIdentity
from models.outreach import InviteCode
from models.questions import QuestionLog
from services.invites import create_invite
from tests.admin.conftest import login, make_staff
from tests.conftest import REDIS_URL
from tests.eventually import eventually
from tests.wechat.conftest import Platform


async def _person(p: Platform, name: str = "赵强") -> tuple[User, str]:
    person = await User.create(role=Role.HELPER, display_name=name, town=p.town, village=p.villages["石桥村"])
    return person, await create_invite(person, 7)


async def test_invite_qr_is_temporary_and_its_scan_binds_a_new_follower(platform: Platform, fake_wechat) -> None:
    p = platform
    person, code = await _person(p)
    _, base = fake_wechat
    async with aiohttp.ClientSession() as http:
        url = await invite_qr_url(WeChatApi("wxtest", "s", base, make_clients(REDIS_URL)[0], http), code, 7)
    ticket = url.rsplit("/", 1)[1]
    made = p.fake.qrcodes[ticket]
    assert made["scene"] == f"invite:{code}" and made["action"] == "QR_STR_SCENE"
    assert made["expire_seconds"] == 7 * 24 * 3600
    reply = await p.event("oa-zhao", "subscribe", f"qrscene_invite:{code}")
    assert reply.startswith("欢迎关注！绑定成功！赵强") and "法律明白人" in reply
    await person.refresh_from_db()
    assert person.openid == "oa-zhao"
    assert "活动是哪天" in await p.chat.say("oa-zhao", "登记活动")
    await eventually(lambda: p.fake.tagged.get("oa-zhao"))  # tagged in the background: the helpers' 个性化菜单
    assert [p.fake.tags[t] for t in p.fake.tagged["oa-zhao"]] == ["法律明白人"]


async def test_scan_by_a_follower_binds_and_used_expired_or_wrong_codes_are_explained(platform: Platform) -> None:
    p = platform
    person, code = await _person(p)
    assert "绑定成功" in await p.event("oa-qian", "SCAN", f"invite:{code}")
    assert "用过" in await p.event("oa-other", "SCAN", f"invite:{code}")
    assert (await User.get(id=person.id)).openid == "oa-qian"
    late, late_code = await _person(p, "孙丽")
    await InviteCode.filter(user=late).update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert "过期" in await p.event("oa-sun", "SCAN", f"invite:{late_code}")
    assert "无效" in await p.event("oa-sun", "subscribe", "qrscene_invite:NOTACODE")
    assert (await User.get(id=late.id)).openid is None


async def test_a_village_qr_counts_later_questions_for_the_village(platform: Platform) -> None:
    p = platform
    village = p.villages["石桥村"]
    assert "石桥村" in await p.event("oa-villager", "subscribe", f"qrscene_village:{village.id}")
    ident = await WeChatIdentity.get(app=WeChatApp.OFFICIAL_ACCOUNT, openid="oa-villager")
    assert ident.village_id == village.id and ident.user_id is None  # a villager: no person record
    await p.chat.say("oa-villager", "邻居欠钱不还怎么办")
    await p.chat.say("oa-passerby", "邻居欠钱不还怎么办")  # no village QR: counted for the town only
    async def both_logged() -> bool:  # the question log is written in the background
        return await QuestionLog.all().count() == 2

    await eventually(both_logged)
    logged = sorted((q.village_id or 0) for q in await QuestionLog.all())
    assert logged == [0, village.id]
    await make_staff("统计员", Role.ADMIN, p.town)
    await login(p.client, "统计员")
    asked = await QuestionLog.get(village_id=village.id)
    year = asked.created_at.astimezone(TZ).year  # the figures count a question in the town's year it was asked
    html = await (await p.client.get(f"/admin/stats?year={year}&village=石桥村")).text()
    assert '<div class="label">群众提问</div><div class="value">1次</div>' in html
    town_page = await (await p.client.get(f"/admin/stats?year={year}")).text()
    row = town_page.split("<td>石桥村</td>", 1)[1].split("</tr>", 1)[0]
    assert row.rstrip().endswith("<td>1</td>")


async def test_an_unknown_village_scene_is_harmless(platform: Platform) -> None:
    assert "失效" in await platform.event("oa-x", "SCAN", "village:99999")
    assert await WeChatIdentity.filter(village_id__not_isnull=True).count() == 0
