"""The 人民调解工作统计表: figures per statistics category, the success rate with its base, the .xlsx, the command."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bot.cli import build_parser
from queries.mediation_figures import build, period
from reports.mediation_table import to_xlsx
from services import cases
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
    await cases.set_flags(failed.id, actor, {"prevented_criminal": True})
    await cases.fail(failed.id, actor, ["诉讼"], on=D0 + timedelta(days=5))
    ended = await new_case(w, case_type="合同", on=D0)
    await cases.accept(ended.id, actor, [w.mediator.id], due_days=30, on=D0)
    await cases.terminate(ended.id, actor, "", on=D0 + timedelta(days=5))


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
    empty = await build(world.town.id, *period(2026, 1))
    assert empty.total.values["受理"] == 0 and empty.success_rate == "无调结案件"
    ws = load_workbook(io.BytesIO(to_xlsx(t))).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "人民调解工作统计表" in cells and "合计" in cells and any("调结4件" in str(c) for c in cells)


def test_report_command_writes_the_table(make_settings: Any, db_url: str, tmp_path: Path) -> None:
    settings = make_settings()
    out = tmp_path / "table.xlsx"
    args = build_parser().parse_args(["report", "--mediation-table", "--year", "2026", "--quarter", "2",
                                      "-o", str(out)])
    assert args.func(args, settings) == 0
    ws = load_workbook(out).active
    assert ws["A1"].value == "人民调解工作统计表"
    assert "2026年04月01日至2026年06月30日" in str(ws["G2"].value)
