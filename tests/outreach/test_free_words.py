"""Reports in a helper's own words through the signed callback: the card, missing fields, photos, voice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.wechat.client import WeChatSimulator
from knowledge.wording.dates import today
from models.core import Town
from models.outreach import Activity, ActivityKind, ActivityPhoto
from tests.conftest import TOKEN
from tests.outreach.conftest import Chat, seed_people

JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 100


@pytest.fixture
async def town(make_settings, make_client, fake_wechat, db) -> Any:
    """The app talking to the fake WeChat API (media downloads), with seeded villages and people."""
    fake, base = fake_wechat
    settings = make_settings(wechat={"api_base_url": base}, outreach={"photo_max_bytes": 4096})
    client = await make_client(settings)
    villages, *_ = await seed_people(await Town.get(name="江湾镇"))
    return fake, Chat(client, WeChatSimulator(TOKEN)), villages


async def test_report_then_photo_then_confirm_saves_one_activity_with_the_photo(town) -> None:
    fake, chat, villages = town
    fake.media["PHOTO1"] = JPEG
    card = await chat.say("h1", "今天在石桥村搞了一场普法讲座，讲的民法典，来了四十多人，发了三百五十份资料")
    assert "请核对" in card and "回复“确认”保存" in card
    assert "石桥村" in card and "普法讲座" in card and "约40人" in card and "350份" in card and "民法典" in card
    assert await Activity.all().count() == 0
    assert "第1张照片" in await chat.photo("h1", "PHOTO1")
    saved = await chat.say("h1", "确认")
    assert "已保存" in saved and "附照片1张" in saved
    a = await Activity.get()
    assert (a.kind, a.date, a.village_id, a.form, a.theme) == (
        ActivityKind.PUBLICITY, today(), villages["石桥村"].id, "普法讲座", "民法典")
    assert (a.participants, a.materials, a.consultations) == (40, 350, 0)
    photo = await ActivityPhoto.get(activity=a)
    assert (photo.media_id, photo.data, photo.size, photo.content_type) == ("PHOTO1", JPEG, len(JPEG), "image/jpeg")
    assert fake.media_requests == ["PHOTO1"]


async def test_missing_fields_are_asked_one_at_a_time_and_default_village_is_stated(town) -> None:
    _fake, chat, villages = town
    reply = await chat.say("h1", "昨天上门走访宣传防诈骗，发资料30份")
    assert "没写村名，按您所在的村" in reply and "江湾村" in reply and "入户走访" in reply
    assert "还差1项" in reply and "参与人数" in reply
    card = await chat.say("h1", "十二户")
    assert "请核对" in card and "12人" in card
    await chat.say("h1", "确认")
    a = await Activity.get()
    assert (a.village_id, a.form, a.participants, a.materials) == (villages["江湾村"].id, "入户走访", 12, 30)


async def test_voice_report_is_read_like_text_and_a_large_photo_is_refused(town) -> None:
    fake, chat, villages = town
    fake.media["BIG"] = b"\xff\xd8\xff" + b"x" * 5000  # over the 4096-byte limit of this town
    card = await chat.voice("h1", "嗯前天在石乔村开了个院坝会讲村规民约来了二十来个人")
    assert "请核对" in card and "小板凳会议" in card and "约20人" in card and "石桥村" in card and "石乔村" in card
    await chat.photo("h1", "BIG")
    saved = await chat.say("h1", "确认")
    assert "已保存" in saved and "太大" in saved
    a = await Activity.get()
    assert a.village_id == villages["石桥村"].id and a.theme == "村规民约"
    assert await ActivityPhoto.filter(activity=a).count() == 0


async def test_questions_and_greetings_are_not_carded(town) -> None:
    _fake, chat, _ = town
    for text in ("你好", "我家宅基地被邻居占了怎么办", "昨天在石桥村被狗咬了 要赔多少钱"):
        reply = await chat.say("h1", text)
        assert "请核对" not in reply and "还差" not in reply
    assert "请核对" not in await chat.say("h1", "邻居欠钱不还怎么办")
    assert await Activity.all().count() == 0


async def test_only_helpers_get_report_reading(town) -> None:
    _fake, chat, _ = town
    text = "今天在石桥村搞了普法讲座，来了四十多人"
    assert "读到" not in await chat.say("villager1", text)
    assert "读到" not in await chat.say("a1", text)  # admins use the template or the guided form
    reply = await chat.say("h2", text)
    assert "我读到的是" in reply and "约40人" in reply and "还差1项" in reply and "主题" in reply


async def test_template_with_chinese_numerals(town) -> None:
    _fake, chat, _ = town
    card = await chat.say("h1", "活动 今天 江湾村 法治公开课 三百五人 资料一百来份 主题民法典")
    assert "请核对" in card and "350人" in card and "约100份" in card
    await chat.say("h1", "确认")
    a = await Activity.get()
    assert (a.participants, a.materials) == (350, 100)


async def test_work_still_to_come_is_not_logged(town) -> None:
    _fake, chat, _ = town
    reply = await chat.say("h1", "明天下午在石桥村开展普法讲座，欢迎大家参加")
    assert "还没到" in reply and "开展以后" in reply and "请核对" not in reply
    assert "已保存" not in await chat.say("h1", "确认")
    assert await Activity.all().count() == 0


async def test_answers_in_a_sentence_and_a_report_said_again_replaces_the_card(town) -> None:
    fake, chat, villages = town
    fake.media["P"] = JPEG
    assert "参与人数" in await chat.say("h1", "昨天在石桥村上门走访 讲反诈")
    card = await chat.say("h1", "走了十来户吧")
    assert "请核对" in card and "约10人" in card
    await chat.photo("h1", "P")
    again = await chat.say("h1", "前天在上坂村上门走访讲反诈，走了十二户")
    assert "请核对" in again and "上坂村" in again and "12人" in again and "照片：1张" in again
    assert "附照片1张" in await chat.say("h1", "确认")
    a = await Activity.get()
    assert (a.village_id, a.participants, a.date) == (villages["上坂村"].id, 12, today() - dt.timedelta(days=2))


async def test_photo_download_renews_an_expired_token_and_refuses_what_is_not_an_image(town) -> None:
    fake, chat, _ = town
    fake.media.update(GOOD=JPEG, TEXT=b"not a picture at all")
    fake.media_token_expired = 1
    await chat.say("h1", "今天在石桥村讲座 讲民法典 三十人")
    await chat.photo("h1", "GOOD")
    await chat.photo("h1", "TEXT")
    saved = await chat.say("h1", "确认")
    assert "附照片1张" in saved and "不是图片" in saved
    a = await Activity.get()
    assert [p.data for p in await ActivityPhoto.filter(activity=a)] == [JPEG]
    assert fake.token_requests >= 2  # the expired token was replaced


async def test_a_town_adds_its_own_names_of_forms(make_settings, make_client, fake_wechat, db) -> None:
    settings = make_settings(wechat={"api_base_url": fake_wechat[1]}, outreach={"form_words": "夜校=普法讲座"})
    client = await make_client(settings)
    await seed_people(await Town.get(name="江湾镇"))
    chat = Chat(client, WeChatSimulator(TOKEN))
    card = await chat.say("h1", "昨天晚上办了期法治夜校 防诈骗 二十人")
    assert "请核对" in card and "普法讲座" in card and "20人" in card


def test_form_words_must_name_configured_forms(make_settings) -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="form_words"):
        make_settings(outreach={"form_words": "夜校=文艺演出"})
