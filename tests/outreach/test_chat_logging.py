"""Logging activities in chat: the guided form, photos, corrections, the quick form, permissions."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.wording.dates import today
from models.outreach import Activity, ActivityChange, ActivityKind, ActivityPhoto
from services.activities import ActivityError, add_photo


async def test_guided_form_with_photos_and_correction(world) -> None:
    say = world.chat.say
    assert "哪天" in await say("h1", "登记活动")  # a helper logs outreach only: the kind is not asked
    assert "未来" in await say("h1", "明天")  # refused, same step
    assert "哪个村" in await say("h1", "昨天")
    assert "已收到第1张照片" in await world.chat.photo("h1", "MEDIA1")
    reply = await say("h1", "江弯")  # typo: close names are suggested
    assert "江湾村" in reply and "没有" in reply
    assert "活动形式" in await say("h1", "本村")
    assert "六进" in await say("h1", "1")  # 法治公开课
    assert "主题" in await say("h1", "2")  # 进乡村
    assert "参与人数" in await say("h1", "民法典婚姻家庭编")
    assert "整数" in await say("h1", "很多人")
    assert "太大" in await say("h1", "450000")
    assert "资料" in await say("h1", "45人")
    assert "咨询" in await say("h1", "120")
    assert "已收到第2张照片" in await world.chat.photo("h1", "MEDIA2")
    summary = await say("h1", "3")
    assert "请核对" in summary and "江湾村" in summary and "45人" in summary and "照片：2张" in summary
    assert await Activity.all().count() == 0  # nothing saved before 确认
    fixed = await say("h1", "修改 人数 50")
    assert "已修改参与人数" in fixed and "50人" in fixed
    assert "负数" in await say("h1", "修改 资料 -3")
    saved = await say("h1", "确认")
    assert "已保存" in saved
    a = await Activity.get()
    assert (a.kind, a.participants, a.materials, a.consultations) == (ActivityKind.PUBLICITY, 50, 120, 3)
    assert a.date == today() - dt.timedelta(days=1)
    assert a.village_id == world.villages["江湾村"].id and a.form == "法治公开课" and a.six_target == "乡村"
    assert a.author_id == world.helper.id and a.organiser == "李明" and a.town_id == world.town.id
    assert sorted(p.media_id for p in await ActivityPhoto.filter(activity=a)) == ["MEDIA1", "MEDIA2"]
    assert [c.action for c in await ActivityChange.filter(activity=a)] == ["create"]


async def test_quick_form_then_correct_and_withdraw(world) -> None:
    say = world.chat.say
    held = today() - dt.timedelta(days=3)  # always in the past, whatever the date the suite runs on
    reply = await say("h1", f"活动 {held:%Y-%m-%d} 江湾 法治公开课 45人 资料120份 咨询6人次 主题 民法典 进乡村")
    assert "请核对" in reply and "江湾村" in reply and "45人" in reply
    assert "已保存" in await say("h1", "确认")
    a = await Activity.get()
    assert (a.participants, a.materials, a.consultations, a.theme) == (45, 120, 6, "民法典 进乡村")
    assert a.date == held
    records = await say("h1", "我的记录")
    assert f"{a.id}." in records and "45人" in records
    assert "已更正" in await say("h1", f"修改 {a.id} 人数 48")
    assert "不是您登记的" in await say("h2", f"修改 {a.id} 人数 1")
    assert "不是您登记的" in await say("h2", f"撤回 {a.id}")
    assert "已撤回" in await say("h1", f"撤回 {a.id}")
    assert "已撤回" in await say("h1", f"修改 {a.id} 人数 49")
    await a.refresh_from_db()
    assert a.participants == 48 and a.withdrawn
    changes = await ActivityChange.filter(activity=a).order_by("id")
    assert [c.action for c in changes] == ["create", "update", "withdraw"]
    assert changes[1].changes == {"participants": [45, 48]}
    assert "已撤回" in await say("h1", "我的记录")


async def test_same_entry_twice_is_not_duplicated(world) -> None:
    say = world.chat.say
    for _ in range(2):
        await say("a1", "会议 今天 全镇 主题 法治建设专题会议 20人")
        await say("a1", "确认")
    assert await Activity.filter(kind=ActivityKind.MEETING).count() == 1


async def test_admin_corrects_any_entry_and_edit_window(world) -> None:
    say = world.chat.say
    await say("h2", "活动 今天 石桥村 入户走访 8人")
    await say("h2", "确认")
    a = await Activity.get()
    old = a.created_at - dt.timedelta(days=8)
    await Activity.filter(id=a.id).update(created_at=old)
    assert "超过7天" in await say("h2", f"修改 {a.id} 人数 9")
    assert "已更正" in await say("a1", f"修改 {a.id} 人数 9")


async def test_villager_and_unbound_cannot_log(world) -> None:
    say = world.chat.say
    for text in ("登记活动", "我的记录", "活动 今天 江湾村 45人", "撤回 1"):
        assert "只有绑定的法律明白人和管理员才能登记活动" in await say("stranger", text)
    assert await Activity.all().count() == 0


async def test_validation_failures_save_nothing(world) -> None:
    say = world.chat.say
    # each refusal says what is wrong (every one also ends with the format example, so its words prove nothing)
    assert "本镇没有叫“火星村”的村" in await say("h1", "活动 今天 火星村 45人")
    assert "不能登记未来的活动" in await say("h1", "活动 2099-01-01 江湾村 45人")
    assert "参与人数99999太大了" in await say("h1", "活动 今天 江湾村 99999人")
    assert "请写上日期" in await say("h1", "活动 江湾村 45人")
    await say("h1", "登记活动")
    await say("h1", "1")
    assert "已取消" in await say("h1", "取消")
    assert await Activity.all().count() == 0


async def test_half_done_form_expires_quietly(make_settings, make_client, db) -> None:
    from bot import keys
    from bot.wechat.client import WeChatSimulator
    from models.core import Town
    from tests.conftest import TOKEN
    from tests.outreach.conftest import Chat, seed_people

    client = await make_client(make_settings(limits={"form_ttl_seconds": 90, "messages_per_minute": 1000}))
    await seed_people(await Town.get(name="江湾镇"))
    chat = Chat(client, WeChatSimulator(TOKEN))
    assert "活动是哪天" in await chat.say("h1", "登记活动")
    redis, key = client.server.app[keys.REDIS], "mingbai:fsm:state:h1"
    assert 0 < await redis.ttl(key) <= 90  # Redis forgets the form after the configured time ...
    await redis.delete(key)  # ... as it does here, without the test waiting for it
    assert "没有正在填写" in await chat.say("h1", "取消")
    assert await Activity.all().count() == 0


async def test_photo_right_after_saving_is_attached(world) -> None:
    assert "附照片" in await world.chat.photo("h1", "EARLY")  # nothing saved yet: a hint
    await world.chat.say("h1", "活动 今天 江湾村 入户走访 6人")
    await world.chat.say("h1", "确认")
    a = await Activity.get()
    assert f"编号{a.id}" in await world.chat.photo("h1", "LATE")
    assert [p.media_id for p in await ActivityPhoto.filter(activity=a)] == ["LATE"]
    assert [c.action for c in await ActivityChange.filter(activity=a).order_by("id")] == ["create", "photo"]


async def test_an_entry_takes_nine_photos_whichever_way_they_come(world) -> None:
    await world.chat.say("h1", "活动 今天 江湾村 入户走访 6人")
    await world.chat.say("h1", "确认")
    a = await Activity.get()
    for n in range(8):
        assert f"编号{a.id}" in await world.chat.photo("h1", f"P{n}")
    await add_photo(a, None, media_id="API")  # the ninth, as the mini-program would add it
    refused = await world.chat.photo("h1", "TENTH")
    assert "最多9张照片" in refused and "没有保存" in refused
    with pytest.raises(ActivityError) as exc:
        await add_photo(a, None, media_id="API2")
    assert exc.value.code == "too_many_photos"
    assert await ActivityPhoto.filter(activity=a).count() == 9
