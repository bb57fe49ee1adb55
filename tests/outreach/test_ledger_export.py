"""The ledger export: DESIGN.md's columns, with place, organiser and photos of each entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from models.core import Role, Town, User, Village
from models.outreach import Activity, ActivityKind, ActivityPhoto
from sheets.activity_ledger import EXPORT_COLUMNS, export_rows, write_ledger


async def test_export_has_place_organiser_and_photos(db: Any, tmp_path: Path) -> None:
    town = await Town.create(name="江湾镇")
    village = await Village.create(town=town, name="江湾村")
    helper = await User.create(role=Role.HELPER, display_name="李明", town=town, village=village)
    a = await Activity.create(town=town, village=village, kind=ActivityKind.PUBLICITY, date=dt.date(2025, 5, 12),
                              form="法治公开课", theme="民法典", place="村委会广场", participants=45, materials=120,
                              consultations=3, author=helper, natural_key="k1")
    for i in range(2):
        await ActivityPhoto.create(activity=a, media_id=f"m{i}")
    await Activity.create(town=town, village=village, kind=ActivityKind.PUBLICITY, date=dt.date(2025, 6, 1),
                          form="入户走访", theme="反诈", natural_key="k2", withdrawn=True)
    rows = await export_rows(town.id, 2025)
    assert rows == [[dt.date(2025, 5, 12), "普法宣传活动", "江湾村", "村委会广场", "法治公开课", "", "民法典", "",
                     45, 120, 3, "李明", "2张"]]  # the withdrawn entry is left out; 组织人 from who logged it
    assert len(EXPORT_COLUMNS) == len(rows[0])
    path = tmp_path / "台账.xlsx"
    assert write_ledger(str(path), rows) == 1
    ws = load_workbook(path).active
    assert ws["D2"].value == "村委会广场" and ws["M2"].value == "2张" and ws["A2"].is_date


async def test_audience_from_every_door_is_exported_and_the_export_reimports_as_nothing_new(
        world: Any, tmp_path: Path) -> None:
    from knowledge.wording.dates import today
    from models.outreach import ActivitySource
    from services.activities import create_activity
    from sheets.activity_ledger import import_activities
    from sheets.tabular import read_table
    from tests.outreach.test_uniqueness import _login

    day = today() - dt.timedelta(days=2)
    say = world.chat.say
    card = await say("h1", f"活动 {day:%Y-%m-%d} 江湾 法治公开课 45人 受众村民 主题 民法典")
    assert "受众：村民" in card
    assert "已保存" in await say("h1", "确认")
    await say("h1", "登记活动")  # the guided form: 受众 by a correction at the card
    for answer in (f"{day:%Y-%m-%d}", "本村", "入户走访", "无", "反诈", "12", "0", "0"):
        card = await say("h1", answer)
    assert "已修改受众" in await say("h1", "修改 受众 留守老人")
    assert "已保存" in await say("h1", "确认")
    r = await world.client.post("/api/v1/activities", headers=await _login(world, "h2"), json={
        "kind": "publicity", "date": day.isoformat(), "village_name": "石桥村", "audience": "中小学生",
        "participants": 60})
    assert r.status == 201 and (await r.json())["audience"] == "中小学生"
    await create_activity(world.town.id, world.admin, {"kind": ActivityKind.PUBLICITY, "date": day,
                                                      "village_id": world.villages["上坂村"].id, "audience": "企业职工",
                                                      "participants": 30}, source=ActivitySource.API)
    rows = await export_rows(world.town.id, day.year)
    assert sorted(r[EXPORT_COLUMNS.index("受众")] for r in rows) == ["中小学生", "企业职工", "村民", "留守老人"]
    path = tmp_path / "台账.xlsx"
    assert write_ledger(str(path), rows) == 4
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == ["日期", "类别", "村名", "地点", "活动形式", "六进", "主题", "受众", "参与人数",
                                        "发放资料份数", "咨询人次", "组织人", "照片"]  # DESIGN.md's columns
    assert ws.freeze_panes == "A2" and ws.column_dimensions["G"].width == 30 and ws["A1"].font.bold
    assert all(ws.cell(row=i, column=1).is_date for i in range(2, 6))
    again = await import_activities(read_table(path, ["日期", "类别", "村名"]), world.town.id,
                                    ("法治公开课", "入户走访"))
    assert not again.problems and again.created == 0 and again.duplicates == 4  # the export round-trips
    edited = tmp_path / "改过.xlsx"
    rows[0][EXPORT_COLUMNS.index("受众")] = "妇女"  # a row differing only in 受众 is another activity
    write_ledger(str(edited), rows)
    result = await import_activities(read_table(edited, ["日期"]), world.town.id, ("法治公开课", "入户走访"))
    assert result.created == 1
