"""绑定 with invite codes, wrong guesses, expiry, and 解绑 by an admin."""

from __future__ import annotations

import datetime as dt

from models.core import Role, User
from models.outreach import InviteCode
from services.invites import create_invite


async def test_bind_with_code_then_code_is_spent(world) -> None:
    person = await User.create(role=Role.HELPER, display_name="赵强", town=world.town, village=world.villages["石桥村"])
    code = await create_invite(person, 7)
    reply = await world.chat.say("new1", f"绑定 {code.lower()}")
    assert "绑定成功" in reply and "法律明白人" in reply
    await person.refresh_from_db()
    assert person.openid == "new1"
    assert "用过" in await world.chat.say("new2", f"绑定 {code}")
    assert "活动是哪天" in await world.chat.say("new1", "登记活动")  # a helper logs outreach: no kind to choose


async def test_wrong_and_expired_codes(world) -> None:
    person = await User.create(role=Role.HELPER, display_name="钱多", town=world.town)
    code = await create_invite(person, 7)
    await InviteCode.filter(user=person).update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert "过期" in await world.chat.say("x1", f"绑定 {code}")
    for _ in range(5):
        assert "不对" in await world.chat.say("x2", "绑定 WRONG123")
    assert "太多" in await world.chat.say("x2", "绑定 WRONG123")
    fresh = await create_invite(person, 7)
    assert "太多" in await world.chat.say("x2", f"绑定 {fresh}")  # still limited
    assert "绑定成功" in await world.chat.say("x3", f"绑定 {fresh}")


async def test_unbind_by_admin_only(world) -> None:
    assert "管理员" in await world.chat.say("h2", "解绑 李明")
    assert "已解除" in await world.chat.say("a1", "解绑 李明")
    await world.helper.refresh_from_db()
    assert world.helper.openid is None
    assert "绑定" in await world.chat.say("h1", "登记活动")  # now an unbound villager
