"""The 人民调解工作统计表: figures per statistics category, the success rate with its base, the .xlsx, the command."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bot.cli import build_parser
from knowledge.wording.dates import TZ
from models.core import Town
from models.mediation import Case
from models.screening_tables import ScreeningSource
from queries.mediation_figures import build, build_county, period
from reports.mediation_table import to_xlsx
from services import cases
from services.screening import create_screening
from tests.mediation.conftest import World, new_case

D0 = date(2026, 4, 6)


async def _year(w: World) -> None:
    actor = cases.Actor(w.admin)
    for i, form in enumerate(("written", "written", "oral")):
        c = await new_case(w, openid=f"v{i}", on=D0)
        await cases.accept(c.id, actor, [w.mediator.id], due_days=30, on=D0)
        await cases.agree(c.id, actor, cases.AgreementIn(terms="赔偿", effective_on=D0 + timedelta(days=3), form=form,
                                                         amount=Decimal("1000.50")), followup_days=30)
    failed = await new_case(w, case_type="合同", on=D0)
    await cases.accept(failed.id, actor, [w.mediator.id], due_days=30, on=D0)
    await cases.set_flags(failed.id, actor, {"prevented_criminal": True, "prevented_mass_petition": True,
                                             "prevented_dispute": True}, {"prevented_mass_petition": 15})
    await cases.fail(failed.id, actor, ["诉讼"], on=D0 + timedelta(days=5))
    ended = await new_case(w, case_type="合同", on=D0)
    await cases.accept(ended.id, actor, [w.mediator.id], due_days=30, on=D0)
    await cases.terminate(ended.id, actor, "", on=D0 + timedelta(days=5))
    # registered on D0 (the outcomes a mediator marks count by the day of registration)
    await Case.filter(town_id=w.town.id).update(registered_at=datetime.combine(D0, time(9), TZ))


async def test_table_figures(world: World) -> None:
    await _year(world)
    first, last = period(2026, 2)
    assert (first, last) == (date(2026, 4, 1), date(2026, 6, 30))
    t = await build(world.town.id, first, last)
    rows = {r.category: r.values for r in t.rows}
    assert len(t.rows) == 15
    assert rows["邻里"]["受理"] == 3 and rows["邻里"]["调解成功"] == 3
    assert (rows["邻里"]["书面协议"], rows["邻里"]["口头协议"]) == (2, 1)
    assert rows["邻里"]["协议金额（元）"] == Decimal("3001.50")
    assert (rows["合同"]["调解不成"], rows["合同"]["终止调解"]) == (1, 1)
    assert t.total.values["受理"] == 5
    assert t.success_rate == "75.0%（调解成功3件 ÷ 调结4件）"  # the terminated case is not in the base
    assert (rows["合同"]["防止民转刑（件）"], rows["合同"]["防止民转刑（人）"]) == (1, 2)  # its two parties
    assert (rows["合同"]["防止群体性上访（件）"], rows["合同"]["防止群体性上访（人）"]) == (1, 15)
    assert rows["合同"]["预防纠纷（件）"] == 1 and t.total.values["防止群体性械斗（件）"] == 0
    empty = await build(world.town.id, *period(2026, 1))
    assert empty.total.values["受理"] == 0 and empty.success_rate == "无调结案件"
    ws = load_workbook(io.BytesIO(to_xlsx(t))).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "人民调解工作统计表" in cells and "合计" in cells and any("调结4件" in str(c) for c in cells)
    heads = [c.value for c in ws[3]], [c.value for c in ws[4]]
    at = heads[0].index("防止群体性上访")
    assert heads[1][at:at + 2] == ["件", "人"] and "防止民间纠纷转化为刑事案件" in heads[0]
    assert "调解协议（件）" in heads[0] and "书面" in heads[1] and "口头" in heads[1]
    # it prints on A4 landscape, one page wide, the header rows repeated
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"  # 9: A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$4"
    contract = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "合同")
    assert contract[at:at + 2] == (1, 15)


async def _screen(town_id: int, village_id: int | None, day: date, found: int, resolved: int) -> None:
    await create_screening(town_id, None, {"level": "village" if village_id else "town", "village_id": village_id,
                                           "date": day, "found": found, "resolved": resolved, "registered": 0},
                           source=ScreeningSource.CONSOLE, today=date(2026, 12, 31))


async def test_table_counts_the_periods_screenings(world: World) -> None:
    await _screen(world.town.id, world.village.id, D0, 4, 2)
    await _screen(world.town.id, None, D0 + timedelta(days=1), 1, 1)
    await _screen(world.town.id, world.village.id, date(2026, 1, 5), 9, 9)  # another quarter
    await _screen(world.other_town.id, None, D0, 7, 0)  # another town
    t = await build(world.town.id, *period(2026, 2))
    s = t.screening
    assert (s.times, s.village_times, s.town_times, s.found, s.resolved) == (2, 1, 1, 5, 3)
    assert t.screening_lines()[:3] == [("排查次数（次）", 2), ("发现纠纷（件）", 5), ("排查中化解（件）", 3)]
    ws = load_workbook(io.BytesIO(to_xlsx(t))).active
    notes = [str(r[0]) for r in ws.iter_rows(values_only=True) if r[0]]
    assert any("排查2次（村级1次、镇级1次），发现纠纷5件，排查中化解3件" in n for n in notes)


async def test_county_table_has_every_town(world: World) -> None:
    await _year(world)
    other = await cases.register_case(cases.NewCase(
        town_id=world.other_town.id, case_type="合同", summary="欠款", parties=[cases.PartyIn("王五")]),
        due_days=30, on=D0)
    await cases.accept(other.id, cases.Actor(world.outsider), [world.outsider.id], due_days=30, on=D0)
    await _screen(world.other_town.id, None, D0, 7, 6)
    county = await build_county(*period(2026, 2))
    assert [t.town for t in county.towns] == [t.name for t in await Town.all().order_by("id")]
    by_town = {r.category: r.values for r in county.town_rows}
    assert by_town["江湾镇"]["受理"] == 5 and by_town["河口镇"]["受理"] == 1 and by_town["合计"]["受理"] == 6
    combined = county.combined
    assert {r.category: r.values["受理"] for r in combined.rows}["合同"] == 3  # 2 in 江湾镇, 1 in 河口镇
    assert combined.screening.found == 7 and combined.success_rate == "75.0%（调解成功3件 ÷ 调结4件）"
    wb = load_workbook(io.BytesIO(to_xlsx(county)))
    assert wb.sheetnames == ["全县（分乡镇）", "全县（分类型）", "江湾镇", "河口镇"]
    towns = wb["全县（分乡镇）"]
    names = [r[0] for r in towns.iter_rows(min_row=5, values_only=True) if r[0]]
    assert names[:3] == ["江湾镇", "河口镇", "合计"]
    heads = [c.value for c in towns[4]]
    row = next(r for r in towns.iter_rows(min_row=5, values_only=True) if r[0] == "河口镇")
    assert row[heads.index("发现纠纷（件）")] == 7 and row[heads.index("排查中化解（件）")] == 6
    assert "河口镇人民调解委员会" in str(wb["河口镇"]["A2"].value)


def test_report_command_writes_the_table(make_settings: Any, db_url: str, tmp_path: Path) -> None:
    settings = make_settings()
    out = tmp_path / "table.xlsx"
    args = build_parser().parse_args(["report", "--mediation-table", "--year", "2026", "--quarter", "2",
                                      "-o", str(out)])
    assert args.func(args, settings) == 0
    ws = load_workbook(out).active
    assert ws["A1"].value == "人民调解工作统计表"
    assert "2026年04月01日至2026年06月30日" in str(ws["G2"].value)
    county = tmp_path / "county.xlsx"
    args = build_parser().parse_args(["report", "--mediation-table", "--year", "2026", "--county", "-o", str(county)])
    assert args.func(args, settings) == 0
    assert load_workbook(county).sheetnames[:2] == ["全县（分乡镇）", "全县（分类型）"]
    args = build_parser().parse_args(["report", "--mediation-table", "--year", "2026", "--town", "无此镇",
                                      "-o", str(tmp_path / "x.xlsx")])
    assert args.func(args, settings) == 1 and not (tmp_path / "x.xlsx").exists()
    args = build_parser().parse_args(["report", "--mediation-table", "--year", "2026", "--month", "3"])
    assert args.func(args, settings) == 2
