"""CLI: the 排查台账 imported (all or nothing, never twice, copies in one file reported), exported, overdue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from models.screening_tables import Screening
from tests.outreach.test_ledger_cli import query, run, town, write  # noqa: F401  (fixture)

HEADER = "日期,层级,村名,排查人,排查范围,发现纠纷,当场化解,登记调解,稳控措施,备注"


def test_import_twice_adds_nothing_and_rows_that_differ_are_two(town: Any, db_url: str, tmp_path: Path,  # noqa: F811
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "s.csv", HEADER,
              "2026-03-05,村级,江湾村,李明,全村,3,2,1,,",
              "2026-03-05,村级,江湾村,李明,全村,3,1,1,,上午",  # same day, other figures: another screening
              "2026-03-10,镇级,全镇,张所长,重点信访户,三,0,三,专人包案,")
    assert run(town, "screenings", "import", f) == 0
    assert "导入3条" in capsys.readouterr().out
    assert run(town, "screenings", "import", f) == 0
    assert "导入0条，已导入过（跳过）3条" in capsys.readouterr().out
    rows = query(db_url, lambda: Screening.all().order_by("id").values_list("found", "registered", "village_id"))
    assert rows[2][:2] == (3, 3) and rows[2][2] is None and len(rows) == 3


def test_a_bad_or_copied_row_imports_nothing(town: Any, db_url: str, tmp_path: Path,  # noqa: F811
                                             capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "s.csv", HEADER,
              "2026-03-05,村级,江湾村,李明,全村,3,2,1,,",
              "2026-03-05,村级,江湾村,李明,全村,3,2,1,,",
              "2099-01-01,村级,江湾村,李明,全村,1,0,0,,",
              "2026-03-06,村级,火星村,李明,全村,1,0,0,,",
              "2026-03-07,村级,江湾村,李明,全村,1,1,1,,")
    assert run(town, "screenings", "import", f) == 1
    err = capsys.readouterr().err
    assert "第3行「全行」：与第2行完全相同" in err and "第4行「日期」" in err and "第5行「村名」" in err
    assert "第6行" in err and "没有导入任何数据" in err
    assert query(db_url, lambda: Screening.all().count()) == 0


def test_export_round_trip_and_overdue(town: Any, db_url: str, tmp_path: Path,  # noqa: F811
                                       capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "s.csv", HEADER, "2025-03-05,村级,江湾村,李明,全村,3,2,1,已跟进,",
              "2025-04-05,村级,石桥村,王芳,一组,0,0,0,,")
    assert run(town, "screenings", "import", f) == 0
    out = tmp_path / "out.xlsx"
    assert run(town, "screenings", "export", "--year", "2025", "-o", str(out)) == 0
    sheet = load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER.split(",") and len(values) == 3 and values[1][2] == "江湾村" and values[1][5] == 3
    capsys.readouterr()
    assert run(town, "screenings", "import", str(out)) == 0  # the export reads back in: nothing new
    assert "导入0条" in capsys.readouterr().out
    assert run(town, "screenings", "overdue", "--days", "15") == 0
    listed = capsys.readouterr().out
    assert "上坂村：还没有登记过排查" in listed and "江湾村：上次排查3月5日" in listed
