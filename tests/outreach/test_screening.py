"""矛盾纠纷排查: logging in chat (guided and one-line), one record per submission, figures, overdue villages."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from models.screening_tables import Screening, ScreeningLevel, ScreeningSource
from queries.screening_figures import screening_figures
from services.screening import ScreeningError, create_screening, overdue_villages, withdraw_screening

DAY = dt.date(2026, 3, 5)


async def test_guided_form_saves_what_the_card_showed(world) -> None:
    say = world.chat.say
    assert "哪天" in await say("h1", "登记排查")
    assert "未来" in await say("h1", "2099-01-01")
    assert "哪个村" in await say("h1", "2026-03-05")
    assert "范围" in await say("h1", "本村")
    assert "几件" in await say("h1", "全村8个村民小组")
    assert "当场化解" in await say("h1", "三")
    assert "不能超过" in await say("h1", "5")
    assert "登记" in await say("h1", "2")
    assert "不能超过" in await say("h1", "2")  # 2 resolved + 2 registered > 3 found
    assert "稳控" in await say("h1", "1")
    card = await say("h1", "已通知网格员跟进")
    assert "请核对" in card and "江湾村" in card and "发现矛盾纠纷：3件" in card and "登记调解：1件" in card
    assert await Screening.all().count() == 0  # nothing saved before 确认
    assert "编号" in await say("h1", "确认")
    s = await Screening.get()
    assert (s.date, s.village_id, s.level, s.found, s.resolved, s.registered) == (
        DAY, world.villages["江湾村"].id, ScreeningLevel.VILLAGE, 3, 2, 1)
    assert (s.scope, s.measures, s.organiser, s.author_id, s.source) == (
        "全村8个村民小组", "已通知网格员跟进", "李明", world.helper.id, ScreeningSource.CHAT)


async def test_one_line_form_asks_only_what_is_missing_and_is_not_saved_twice(world) -> None:
    say = world.chat.say
    card = await say("h2", "排查 2026-03-05 江湾 发现2件 化解2件")
    assert "请核对" in card and "江湾村" in card and "当场化解：2件" in card and "登记调解：0件" in card
    assert "已保存" in await say("h2", "确认")
    again = await say("h2", "排查 2026-03-05 江湾 发现2件 化解2件")
    assert "请核对" in again
    assert "已经登记过" in await say("h2", "确认")
    assert await Screening.all().count() == 1
    # the same day with another figure is another screening
    assert "请核对" in await say("h2", "排查 2026-03-05 江湾 发现2件 化解1件 登记1件")
    assert "已保存" in await say("h2", "确认")
    assert await Screening.all().count() == 2
    assert "发现了几件" in await say("h2", "排查 2026-03-06 石桥村")  # only the missing field is asked
    assert "当场化解" in await say("h2", "1")
    assert "登记" in await say("h2", "0")
    assert "石桥村" in await say("h2", "1")


async def test_town_level_is_for_town_staff_and_villagers_are_refused(world) -> None:
    say = world.chat.say
    await say("h1", "登记排查")
    await say("h1", "2026-03-05")
    assert "工作人员" in await say("h1", "全镇")
    await say("h1", "取消")
    await say("a1", "登记排查")
    await say("a1", "2026-03-05")
    assert "范围" in await say("a1", "全镇")
    for text in ("重点信访户", "0", "无"):
        reply = await say("a1", text)
    assert "全镇（镇级排查）" in reply and "发现矛盾纠纷：0件" in reply
    assert "已保存" in await say("a1", "确认")
    assert (await Screening.get()).level == ScreeningLevel.TOWN
    assert "只有绑定的法律明白人" in await say("stranger", "登记排查")


async def test_withdraw_in_chat_removes_the_record_from_the_figures(world) -> None:
    say = world.chat.say
    await say("h1", "排查 2026-03-05 本村 发现1件 化解1件")
    await say("h1", "确认")
    s = await Screening.get()
    assert "没有找到" in await say("h2", f"撤回排查 {s.id}")  # not theirs
    assert "已撤回" in await say("h1", f"撤回排查 {s.id}")
    figures = await screening_figures([world.town.id], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert figures.times == 0
    assert "已撤回" in await say("h1", "我的排查")


@pytest.fixture
async def town(db):
    from models.core import Town, Village

    t = await Town.create(name="测试镇")
    villages = [await Village.create(town=t, name=n) for n in ("东村", "西村", "南村")]
    return t, villages


async def test_figures_sum_the_period_and_say_it_in_one_sentence(town) -> None:
    t, (east, west, _south) = town
    rows = [(dt.date(2025, 12, 31), east, 9, 9, 0), (dt.date(2026, 1, 1), east, 3, 2, 1),
            (dt.date(2026, 6, 1), west, 2, 1, 0), (dt.date(2026, 12, 31), west, 0, 0, 0),
            (dt.date(2027, 1, 1), west, 5, 0, 0)]
    for day, village, found, resolved, registered in rows:
        await create_screening(t.id, None, {"date": day, "village_id": village.id, "found": found,
                                            "resolved": resolved, "registered": registered},
                               source=ScreeningSource.IMPORT, today=dt.date(2027, 6, 1))
    town_row = await create_screening(t.id, None, {"date": dt.date(2026, 7, 1), "level": "town", "found": 4,
                                                   "resolved": 0, "registered": 4},
                                      source=ScreeningSource.CONSOLE, today=dt.date(2027, 6, 1))
    f = await screening_figures([t.id], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (f.times, f.village_times, f.town_times, f.villages) == (4, 3, 1, 2)
    assert (f.found, f.resolved, f.registered) == (9, 3, 5)
    assert f.sentence() == ("组织开展矛盾纠纷排查4次（村级3次、镇级1次），排查发现矛盾纠纷9件，"
                            "其中当场化解3件、登记进入调解程序5件。")
    await withdraw_screening(town_row)
    f = await screening_figures([t.id], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (f.times, f.found) == (3, 5)
    assert (await screening_figures([t.id], dt.date(2028, 1, 1), dt.date(2028, 12, 31))).sentence() == ""


async def test_bad_values_are_refused_and_nothing_is_saved(town) -> None:
    t, (east, *_rest) = town
    today = dt.date(2026, 3, 5)
    bad = [
        ({"date": dt.date(2026, 3, 6), "village_id": east.id, "found": 0}, "未来"),
        ({"date": today, "found": 0}, "哪个村"),
        ({"date": today, "village_id": east.id, "found": 1, "resolved": 1, "registered": 1}, "不能超过"),
        ({"date": today, "village_id": east.id, "found": -1}, "之间"),
        ({"date": today, "village_id": east.id, "found": 1, "scope": "长" * 201}, "太长"),
        ({"date": today, "village_id": 999999, "found": 1}, "没有这个村"),
    ]
    for values, message in bad:
        with pytest.raises(ScreeningError, match=message):
            await create_screening(t.id, None, values, source=ScreeningSource.API, today=today)
    assert await Screening.all().count() == 0


async def test_concurrent_identical_submissions_leave_one_row(town) -> None:
    t, (east, *_rest) = town
    values = {"date": DAY, "village_id": east.id, "found": 2, "resolved": 1}

    async def submit() -> int:
        try:
            return (await create_screening(t.id, None, values, source=ScreeningSource.API, today=DAY)).id
        except ScreeningError as exc:
            assert exc.code == "exists" and exc.existing is not None
            return exc.existing

    ids = await asyncio.gather(*(submit() for _ in range(10)))
    assert await Screening.all().count() == 1 and len(set(ids)) == 1


async def test_villages_not_screened_within_the_cycle_are_listed(town) -> None:
    t, (east, west, south) = town
    today = dt.date(2026, 3, 31)
    await create_screening(t.id, None, {"date": dt.date(2026, 3, 20), "village_id": east.id, "found": 0},
                           source=ScreeningSource.API, today=today)
    await create_screening(t.id, None, {"date": dt.date(2026, 2, 1), "village_id": west.id, "found": 0},
                           source=ScreeningSource.API, today=today)
    overdue = await overdue_villages(t.id, today, cycle_days=15)
    assert [(o.village_name, o.last) for o in overdue] == [("南村", None), ("西村", dt.date(2026, 2, 1))]
    assert overdue[1].describe(today) == "西村：上次排查2月1日（58天前）"
    assert south.id == overdue[0].village_id


class Sender:
    """Records customer-service messages; fails while `down`."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.down = False

    async def send(self, openid: str, text: str) -> None:
        if self.down:
            raise ConnectionError("wechat unreachable")
        self.sent.append((openid, text))


async def test_overdue_reminders_reach_the_village_helpers_once_and_retry_after_failure(town) -> None:
    from bot.screening_reminders import scan
    from models.core import Role, User

    t, (east, west, _south) = town
    await User.create(openid="he", role=Role.HELPER, display_name="甲", town=t, village=east)
    await User.create(openid="hw", role=Role.HELPER, display_name="乙", town=t, village=west)
    await User.create(role=Role.HELPER, display_name="未绑定", town=t, village=west)
    today = dt.date(2026, 3, 31)
    await create_screening(t.id, None, {"date": dt.date(2026, 3, 25), "village_id": east.id, "found": 0},
                           source=ScreeningSource.API, today=today)
    sender = Sender()
    sender.down = True
    first = await scan(sender, 15, today)
    assert (first.overdue, first.sent, first.failed) == (2, 0, 1)  # 南村 has no helper to tell
    sender.down = False
    second = await scan(sender, 15, today)
    assert second.sent == 1 and [o for o, _ in sender.sent] == ["hw"]
    assert "西村已超过15天没有登记矛盾纠纷排查（还没有登记过排查）" in sender.sent[0][1]
    third = await scan(sender, 15, today + dt.timedelta(days=1))
    assert third.sent == 0 and third.skipped == 1 and len(sender.sent) == 1  # once a cycle, not daily
