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
