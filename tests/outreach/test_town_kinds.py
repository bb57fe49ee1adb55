"""Town-level kinds (法治建设专题会议, 镇村干部普法专题培训) are the town's own figures: every door refuses them
to a helper, saying who logs them instead, and takes them from town staff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from knowledge.wording.dates import today
from models.outreach import Activity, ActivityKind
from services.activities import ActivityError, create_activity, update_activity
from sheets.activity_ledger import COLUMNS, import_activities
from sheets.tabular import read_table
from tests.outreach.test_uniqueness import FORMS, entry, ledger

YESTERDAY = today() - dt.timedelta(days=1)


async def test_the_service_refuses_town_kinds_to_a_helper(world: Any) -> None:
    for kind in (ActivityKind.MEETING, ActivityKind.TRAINING):
        with pytest.raises(ActivityError) as err:
            await create_activity(world.town.id, world.helper, entry(kind=kind, village_id=None))
        assert err.value.code == "town_kind" and "镇里的工作人员" in err.value.message
    assert "参加培训" in err.value.message  # a helper's own training goes to their own record
    assert await Activity.all().count() == 0
    meeting = await create_activity(world.town.id, world.admin, entry(kind=ActivityKind.MEETING, village_id=None))
    assert meeting.author_id == world.admin.id
    outreach = await create_activity(world.town.id, world.helper, entry(village_id=world.villages["江湾村"].id))
    with pytest.raises(ActivityError) as err:  # a correction cannot turn outreach into a town figure
        await update_activity(outreach, world.helper, {"kind": ActivityKind.TRAINING, "village_id": None})
    assert err.value.code == "town_kind"
    await outreach.refresh_from_db()
    assert outreach.kind == ActivityKind.PUBLICITY
    assert await update_activity(meeting, world.admin, {"participants": 12})  # staff correct their own kinds


async def test_chat_guided_and_one_line_forms(world: Any) -> None:
    say = world.chat.say
    start = await say("h1", "登记活动")
    assert "活动是哪天" in start and "法治建设专题会议" not in start.split("。")[-1]  # no kind menu for a helper
    assert "哪个村" in await say("h1", "昨天")
    await say("h1", "本村")
    for answer in ("1", "无", "民法典", "30", "0", "0"):
        card = await say("h1", answer)
    assert "请核对" in card and "普法宣传活动" in card
    refused = await say("h1", "修改 类别 会议")
    assert "镇里的工作人员" in refused and "普法宣传活动" in refused
    assert "已保存" in await say("h1", "确认")
    assert [a.kind for a in await Activity.all()] == [ActivityKind.PUBLICITY]

    meeting = await say("h1", f"会议 {YESTERDAY:%Y-%m-%d} 全镇 主题 法治政府建设 20人")
    assert "法治建设专题会议" in meeting and "镇里的工作人员" in meeting and "请核对" not in meeting
    training = await say("h1", f"培训 {YESTERDAY:%Y-%m-%d} 全镇 主题 宪法 40人")
    assert "镇里的工作人员" in training and "参加培训" in training
    assert "没有正在填写" in await say("h1", "取消")  # nothing half-done was left behind
    assert await Activity.filter(kind__in=[ActivityKind.MEETING, ActivityKind.TRAINING]).count() == 0

    assert "活动类别" in await say("a1", "登记活动")  # town staff choose among every kind
    await say("a1", "取消")
    assert "请核对" in await say("a1", f"会议 {YESTERDAY:%Y-%m-%d} 全镇 主题 法治政府建设 20人")
    assert "已保存" in await say("a1", "确认")
    assert await Activity.filter(kind=ActivityKind.MEETING, author_id=world.admin.id).count() == 1


async def test_ledger_import_refuses_town_rows_organised_by_a_helper(world: Any, tmp_path: Path) -> None:
    bad = ledger(tmp_path / "bad.csv", "2025-03-01,法治建设专题会议,,,,法治政府建设,12,0,0,李明",
                 "2025-03-02,普法宣传活动,江湾村,入户走访,,民法典,20,10,0,李明")
    result = await import_activities(read_table(bad, COLUMNS), world.town.id, FORMS)
    assert result.created == 0 and result.problems
    report = result.problems.report()
    assert "第2行" in report and "李明是法律明白人" in report and "镇里的工作人员" in report
    assert "第3行" not in report
    assert await Activity.all().count() == 0  # all or nothing
    good = ledger(tmp_path / "good.csv", "2025-03-01,法治建设专题会议,,,,法治政府建设,12,0,0,张所长",
                  "2025-03-02,普法专题培训,,,,宪法,40,0,0,司法所",
                  "2025-03-02,普法宣传活动,江湾村,入户走访,,民法典,20,10,0,李明")
    result = await import_activities(read_table(good, COLUMNS), world.town.id, FORMS)
    assert result.created == 3 and not result.problems
