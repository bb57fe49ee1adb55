"""A helper's own record: trainings, reports and referrals in chat, the roster on a past date, the yearly 积分."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.core import Role, Town, User, Village
from models.helper_tables import HelperTraining, Referral, ReferralKind
from models.outreach import Activity, ActivityKind
from models.screening_tables import ScreeningSource
from queries.points import PointRules, points_table, roster_at
from reports.points_sheet import write_points
from services.helper_work import HelperWorkError, set_profile
from services.screening import create_screening


async def test_training_and_referrals_in_chat(world) -> None:
    say = world.chat.say
    assert "已登记参加培训" in await say("h1", "参加培训 2026-03-05 民法典婚姻家庭编 3小时")
    assert "已经登记过" in await say("h1", "参加培训 2026-03-05 民法典婚姻家庭编 3小时")
    assert "学时" in await say("h1", "参加培训 2026-03-06 民法典 很久")
    assert "未来" in await say("h1", "参加培训 2099-03-06 民法典 半天")
    t = await HelperTraining.get()
    assert (t.date, t.theme, t.hours) == (dt.date(2026, 3, 5), "民法典婚姻家庭编", Decimal(3))
    assert t.user_id == world.helper.id
    reply = await say("h1", "报告纠纷 2026-03-05 张三和李四因排水吵架 电话13912345678")
    assert "已记下" in reply and "申请调解" in reply
    assert "12348公共法律服务热线" in await say("h1", "推荐法律援助 2026-03-06 老人讨薪")
    notes = await Referral.all().order_by("id").values_list("kind", "note")
    assert notes[0][0] == ReferralKind.DISPUTE and "13912345678" not in notes[0][1] and "139****5678" in notes[0][1]
    assert notes[1][0] == ReferralKind.LEGAL_AID
    points = await say("h1", "我的积分 2026")
    assert "参加培训1次" in points and "推荐法律援助1人次" in points and "发现或报告纠纷1件" in points


@pytest.fixture
async def town(db):
    t = await Town.create(name="积分镇")
    east = await Village.create(town=t, name="东村")
    west = await Village.create(town=t, name="西村")
    return t, east, west


async def test_the_roster_of_a_past_date_does_not_change_when_people_join_or_leave_later(town) -> None:
    t, east, _west = town
    old = [await User.create(role=Role.HELPER, display_name=f"老{i}", town=t, village=east, is_core=i < 2)
           for i in range(3)]
    assert await roster_at([t.id], dt.date(2025, 12, 31)) == (3, 2)
    newcomer = await User.create(role=Role.HELPER, display_name="新人", town=t, village=east, is_core=True)
    await set_profile(newcomer, joined_on=dt.date(2026, 4, 1))
    await set_profile(old[0], left_on=dt.date(2026, 5, 1))
    assert await roster_at([t.id], dt.date(2025, 12, 31)) == (3, 2)  # 2025 unchanged
    assert await roster_at([t.id], dt.date(2026, 12, 31)) == (3, 2)  # 老0 (骨干) left, 新人 (骨干) joined
    with pytest.raises(HelperWorkError, match="不能早于"):
        await set_profile(newcomer, left_on=dt.date(2026, 1, 1))
    with pytest.raises(HelperWorkError, match="来源"):
        await set_profile(newcomer, source="外星人")


async def test_points_count_each_kind_of_work_by_the_rules(town, tmp_path: Path) -> None:
    t, east, west = town
    a = await User.create(role=Role.HELPER, display_name="甲", town=t, village=east, is_core=True)
    b = await User.create(role=Role.HELPER, display_name="乙", town=t, village=west)
    day = dt.date(2026, 3, 5)
    for i in range(3):
        await Activity.create(town=t, village=east, kind=ActivityKind.PUBLICITY, date=day, author=a,
                              natural_key=f"k{i}", participants=10 + i)
    await Activity.create(town=t, village=east, kind=ActivityKind.PUBLICITY, date=day, author=a,
                          natural_key="w", withdrawn=True)
    await Activity.create(town=t, village=east, kind=ActivityKind.PUBLICITY, date=dt.date(2025, 3, 5), author=a,
                          natural_key="old")
    await create_screening(t.id, b, {"date": day, "village_id": west.id, "found": 4, "resolved": 1},
                           source=ScreeningSource.API, today=day)
    await Referral.create(helper=b, kind=ReferralKind.DISPUTE, date=day)
    await Referral.create(helper=b, kind=ReferralKind.LEGAL_AID, date=day)
    await HelperTraining.create(user=a, date=day, theme="民法典", hours=3, fingerprint="x")
    table = await points_table(t.id, 2026, PointRules(activity=2, screening=1, dispute_found=1, referral=2,
                                                      training=1))
    rows = {h.name: (h.activities, h.screenings, h.disputes_found, h.referrals, h.trainings, h.points)
            for h in table.helpers}
    assert rows == {"甲": (3, 0, 0, 0, 1, 7), "乙": (0, 1, 5, 1, 0, 8)}
    assert [h.name for h in table.helpers] == ["乙", "甲"]
    assert table.villages() == [("西村", 1, 8), ("东村", 1, 7)]
    out = tmp_path / "p.xlsx"
    write_points(table, out, "积分镇")
    wb = load_workbook(out)
    ws = wb["个人积分"]
    assert ws["A1"].value == "积分镇2026年度法律明白人积分表" and ws.freeze_panes == "A4"
    assert [c.value for c in ws[4]] == [1, "乙", "西村", "否", 0, 1, 5, 1, 0, 8]
    assert [c.value for c in wb["村积分"][4]] == ["西村", 1, 8, 8.0]


async def test_a_helpers_words_about_a_training_or_a_screening_are_not_town_activities(world) -> None:
    say = world.chat.say
    reply = await say("h1", "昨天去镇上参加了民法典培训 学了一下午")
    assert "参加培训" in reply and "请核对" not in reply and "读到的是" not in reply
    reply = await say("h1", "今天在村里排查了一下矛盾纠纷 发现两起")
    assert "登记排查" in reply and "读到的是" not in reply
    assert await Activity.all().count() == 0
