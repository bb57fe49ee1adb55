"""CLI: villages/helpers import, user add, activities import/export round trip, all-or-nothing, coverage."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import models
from bot.cli import build_parser
from models.core import Role, User
from models.outreach import Activity, ActivityChange
from queries.coverage import village_coverage
from services.invites import redeem_invite

HEADER = "日期,类别,村名,活动形式,六进,主题,参与人数,发放资料份数,咨询人次,组织人"


def run(settings: Any, *argv: str) -> int:
    """Run one mingbai command in-process."""
    args = build_parser().parse_args(list(argv))
    return int(args.func(args, settings))


def query(db_url: str, fn: Callable[[], Any]) -> Any:
    """Run an async model query against the test database."""

    async def main() -> Any:
        async with models.database(db_url):
            return await fn()

    return asyncio.run(main())


def write(path: Path, *lines: str) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def town(make_settings: Callable[..., Any], db_url: str, tmp_path: Path) -> Any:
    """Settings with villages and helpers imported through the CLI."""
    settings = make_settings()
    assert run(settings, "villages", "import", write(tmp_path / "v.csv", "村名,户数,村民小组", "江湾村,25,3",
                                                     "石桥村,45,", "上坂村,8,")) == 0
    assert run(settings, "helpers", "import", write(tmp_path / "h.csv", "姓名,村名,骨干,电话",
                                                    "李明,江湾村,是,13800000001", "王芳,江湾,是,13800000002",
                                                    "赵强,江湾村,否,", "钱多,上坂村,是,13800000004")) == 0
    return settings


def test_coverage_figures(town: Any, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = query(db_url, lambda: village_coverage(1, 10, 3))
    by = {r.village: r for r in rows}
    assert (by["江湾村"].households, by["江湾村"].helpers, by["江湾村"].core) == (25, 3, 2)
    assert by["江湾村"].households_per_core == 12.5 and not by["江湾村"].meets_ratio and by["江湾村"].meets_floor
    assert by["上坂村"].meets_ratio and not by["上坂村"].meets_floor
    assert by["石桥村"].core == 0 and by["石桥村"].households_per_core is None
    capsys.readouterr()
    assert run(town, "coverage") == 0
    out = capsys.readouterr().out
    assert "江湾村\t25\t3\t2\t12.5\t否\t是" in out
    assert "未达标的村（3个）" in out and "骨干还差1人（需3人）" in out
    assert run(town, "coverage", "--ratio", "13", "--floor", "1") == 0
    assert "江湾村：" not in capsys.readouterr().out
    # re-importing the same lists changes nothing; a changed row updates
    assert run(town, "helpers", "import", write(tmp_path / "h2.csv", "姓名,村名,骨干,电话",
                                                "赵强,江湾村,是,")) == 0
    assert "新增0人，更新1人" in capsys.readouterr().out


def test_people_import_is_all_or_nothing(town: Any, db_url: str, capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    capsys.readouterr()
    bad = write(tmp_path / "bad.csv", "姓名,村名,骨干,电话", "孙一,江湾村,是,", "周二,火星村,是,",
                "吴三,石桥村,也许,12")
    assert run(town, "helpers", "import", bad) == 1
    err = capsys.readouterr().err
    assert "第3行「村名」" in err and "第4行「骨干」" in err and "第4行「电话」" in err
    assert query(db_url, lambda: User.filter(display_name="孙一").count()) == 0


def test_user_add_prints_invite_code(town: Any, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(town, "user", "add", "--role", "mediator", "--name", "洪调解", "--phone", "139") == 0
    code = re.search(r"邀请码：([A-Z0-9]{8})", capsys.readouterr().out).group(1)  # type: ignore[union-attr]
    user = query(db_url, lambda: redeem_invite(code, "wx-hong"))
    assert user.role == Role.MEDIATOR and user.openid == "wx-hong"
    assert run(town, "user", "add", "--role", "helper", "--name", "新人", "--village", "火星村") == 1


def test_import_export_round_trip(town: Any, db_url: str, capsys: pytest.CaptureFixture[str],
                                  tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", HEADER,
                "2025-05-12,普法宣传活动,江湾村,法治公开课,乡村,民法典,45,120,3,李明",
                "2025/6/1,普法专题培训,,,,宪法,30,0,0,张所长",
                "2025年7月2日,法治建设专题会议,,,,法治政府建设,12,,,张所长",
                "2025-05-12,宣传,上坂,入户走访,进社区,反诈,8,20,1,钱多")
    assert run(town, "activities", "import", src) == 0
    assert "导入4条" in capsys.readouterr().out
    assert query(db_url, lambda: Activity.all().count()) == 4
    assert query(db_url, lambda: ActivityChange.filter(action="import").count()) == 4
    li = query(db_url, lambda: Activity.get(theme="民法典"))
    assert li.author_id is not None and li.participants == 45 and li.six_target == "乡村"
    assert run(town, "activities", "import", src) == 0  # again: nothing new
    assert "导入0条，已存在（跳过）4条" in capsys.readouterr().out
    assert query(db_url, lambda: Activity.all().count()) == 4
    for name in ("out.csv", "out.xlsx"):
        assert run(town, "activities", "export", "--year", "2025", "-o", str(tmp_path / name)) == 0
        assert run(town, "activities", "import", str(tmp_path / name)) == 0
        assert "导入0条，已存在（跳过）4条" in capsys.readouterr().out
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["日期", "类别", "村名", "地点", "活动形式", "六进", "主题", "受众", "参与人数", "发放资料份数",
                       "咨询人次", "组织人", "照片"]  # DESIGN.md's ledger
    assert rows[1] == ["2025-05-12", "普法宣传活动", "江湾村", "", "法治公开课", "乡村", "民法典", "", "45", "120", "3",
                       "李明", ""]
    sheet = load_workbook(tmp_path / "out.xlsx").active
    xlsx = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert xlsx[0] == rows[0]
    assert xlsx[1][0] == dt.datetime(2025, 5, 12)  # a real date, not text
    assert sheet["A2"].number_format == "yyyy-mm-dd" and sheet["A1"].font.bold
    assert ["" if c is None else str(c) for c in xlsx[1][1:]] == rows[1][1:]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["G"].width == 30  # header frozen, 主题 wide
    assert run(town, "activities", "export", "--year", "2025", "--village", "上坂村",
               "-o", str(tmp_path / "s.csv")) == 0
    assert "导出1条" in capsys.readouterr().out
    # a fresh database gets the same entries back from the export
    query(db_url, lambda: Activity.all().delete())
    assert run(town, "activities", "import", str(tmp_path / "out.xlsx")) == 0
    assert run(town, "activities", "export", "--year", "2025", "-o", str(tmp_path / "again.csv")) == 0
    assert (tmp_path / "again.csv").read_text(encoding="utf-8-sig") == (tmp_path / "out.csv").read_text(
        encoding="utf-8-sig")


def test_bad_row_imports_nothing(town: Any, db_url: str, capsys: pytest.CaptureFixture[str],
                                 tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    src = write(tmp_path / "bad.csv", HEADER,
                "2025-05-12,普法宣传活动,江湾村,法治公开课,乡村,民法典,45,120,3,李明",
                f"{future},普法宣传活动,江湾村,法治公开课,,,10,0,0,李明",
                "2025-05-13,普法宣传活动,火星村,跳舞,进月球,,-4,abc,0,李明",
                "2025-05-14,开会,,,,,1,0,0,")
    capsys.readouterr()
    assert run(town, "activities", "import", src) == 1
    err = capsys.readouterr().err
    for expected in ("第3行「日期」", "第4行「村名」", "第4行「活动形式」", "第4行「六进」", "第4行「参与人数」",
                     "第4行「发放资料份数」", "第5行「类别」"):
        assert expected in err, (expected, err)
    assert "没有导入任何数据" in err
    assert query(db_url, lambda: Activity.all().count()) == 0
    assert run(town, "activities", "import", str(tmp_path / "missing.csv")) == 1
    assert run(town, "activities", "import", write(tmp_path / "cols.csv", "日期,类别", "2025-01-01,培训")) == 1
    assert "缺少列" in capsys.readouterr().err


def test_large_import_shows_progress(town: Any, db_url: str, capsys: pytest.CaptureFixture[str],
                                     tmp_path: Path) -> None:
    start = dt.date(2024, 1, 1)
    lines = [f"{start + dt.timedelta(days=i % 700)},普法宣传活动,江湾村,入户走访,,第{i}期,{i % 90},{i % 300},0,李明"
             for i in range(2500)]
    src = write(tmp_path / "big.csv", HEADER, *lines)
    assert run(town, "activities", "import", src, "--progress") == 0
    captured = capsys.readouterr()
    assert "导入2500条" in captured.out and "100% 2500/2500" in captured.err
    assert query(db_url, lambda: Activity.all().count()) == 2500


def test_roster_columns_fill_the_helpers_own_record(town: Any, db_url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from knowledge.wording.dates import today
    from models.helper_tables import HelperProfile

    async def profiles() -> dict[str, tuple[Any, ...]]:
        rows = await HelperProfile.all().values_list("user__display_name", "source", "households", "joined_on",
                                                     "left_on")
        return {r[0]: tuple(r[1:]) for r in rows}

    # the fixture's roster had no 加入日期 and no --since: its people joined on the day of the import
    assert query(db_url, profiles)["王芳"] == ("", 0, today(), None)
    roster = write(tmp_path / "h2.csv", "姓名,村名,骨干,电话,来源,联系户数,加入日期,退出日期",
                   "李明,江湾村,是,13800000001,村干部,12,2020-03-01,", "孙丽,石桥村,否,13800000005,网格员,三十,,",
                   "钱多,上坂村,是,13800000004,,,2020-01-01,2024-06-30")
    assert run(town, "helpers", "import", roster, "--since", "2021-01-01", "--sheets", str(tmp_path / "s")) == 0
    found = query(db_url, profiles)
    assert found["李明"] == ("村干部", 12, dt.date(2020, 3, 1), None)
    assert found["孙丽"] == ("网格员", 30, dt.date(2021, 1, 1), None)  # new to the roster: --since
    assert found["钱多"] == ("", 0, dt.date(2020, 1, 1), dt.date(2024, 6, 30))
    bad = write(tmp_path / "bad.csv", "姓名,村名,骨干,电话,来源,联系户数", "周七,江湾村,否,,老师,很多")
    assert run(town, "helpers", "import", bad) == 1
    err = capsys.readouterr().err
    assert "来源" in err and "联系户数" in err and "没有导入任何数据" in err
    assert query(db_url, lambda: User.filter(display_name="周七").count()) == 0
