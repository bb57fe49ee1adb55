"""`mingbai report` on hand-built records: every sentence, the xlsx totals, the docx read back."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

import models
from bot.cli import build_parser
from tests.report.seed import seed

EXPECTED = """江湾镇2023年法治建设工作情况

一、法治建设专题会议和普法专题培训

2023年召开法治建设专题会议2次，同比增加1次，组织镇村干部开展普法专题培训4次，同比增加4次，参训186人次。

二、“法律明白人”队伍建设

我镇共有“法律明白人”19人，其中“法律明白人”骨干17人，平均每11.2户有一名骨干（要求每10户至少一名），“法律明白人”联系106户，占总户数的55.7%（要求不低于50%）。

三、法治宣传教育

全年累计开展法治宣传教育活动5次，同比增加2次，覆盖群众260人次，发放各类普法宣传资料4600余份，现场解答法律咨询42人次。活动形式包括法治公开课（2次）、入户走访（1次）、小板凳会议（1次）、新时代文明实践（1次）。推进法律“六进”，法律进乡村2次、进学校1次、进企业1次。

四、矛盾纠纷排查化解

全年共登记矛盾纠纷6件，同比增加5件，受理4件，不予受理1件；调解成功1件，调解不成1件，终止调解1件，正在调解1件，调解成功率33.3%，调解协议涉及金额5000元。纠纷类型主要为邻里纠纷（3件）、合同纠纷（1件）、婚姻家庭纠纷（1件）、房屋宅基地纠纷（1件）。已结案件平均30.3天办结。防止“民转刑”案件1件。开展协议履行回访1次，其中已履行1件。申请司法确认1件，确认有效1件。上交1件。

五、群众法律咨询

全年群众通过“明白”微信平台咨询法律问题3次，主要涉及借贷（1次）、婚姻（1次）。

六、存在的问题

一是1个村尚未实现每10户至少有一名“法律明白人”骨干（西河村）；二是1个村“法律明白人”联系户数不足总户数的50%（西河村）；三是西河村的“法律明白人”不足3名，需继续培养；四是超期办结或超期未结的矛盾纠纷2件；五是仍有1件矛盾纠纷上交；六是群众通过微信平台提出的法律问题中有1次未能自动解答，需人工跟进。
"""


@pytest.fixture
def seeded(db_url: str, make_settings: Callable[..., Any]) -> Any:
    """The known records in the test database, and settings pointing at it."""
    async def go() -> None:
        async with models.database(db_url):
            await seed()

    asyncio.run(go())
    return make_settings()


def _run(settings: Any, *argv: str) -> int:
    args = build_parser().parse_args(["report", *argv])
    result: int = args.func(args, settings)
    return result


def test_text_report_every_sentence(seeded: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(seeded, "--year", "2023") == 0
    assert capsys.readouterr().out == EXPECTED


def test_markdown_village_and_county(seeded: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(seeded, "--year", "2023", "--format", "md", "--village", "东山村") == 0
    md = capsys.readouterr().out
    assert md.startswith("# 江湾镇东山村2023年法治建设工作情况")
    assert "专题会议" not in md and "微信平台" not in md  # the town's meetings, questions with no village
    assert ("东山村共有“法律明白人”5人，其中“法律明白人”骨干5人，平均每10户有一名骨干，实现了每10户至少有一名"
            "“法律明白人”骨干，“法律明白人”联系30户，占总户数的60%，达到不低于50%的要求") in md
    assert _run(seeded, "--year", "2023", "--county") == 0
    text = capsys.readouterr().out
    assert "全县2023年召开法治建设专题会议3次" in text
    assert "白沙镇\t1\t0\t1\t300\t3\t达到\t1\t0\t—\t0" in text
    assert _run(seeded, "--year", "2023", "--town", "无名镇") == 1
    assert "没有找到乡镇“无名镇”" in capsys.readouterr().err


def test_docx_reads_back(seeded: Any, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    assert _run(seeded, "--year", "2023", "--format", "docx", "-o", str(out)) == 0
    d = docx.Document(str(out))
    text = [p.text for p in d.paragraphs if p.text]
    expected = [line for line in EXPECTED.splitlines() if line]
    assert text[: len(expected)] == expected
    rows = [[c.text for c in r.cells] for r in d.tables[-1].rows]
    assert rows[1:] == [
        ["东山村", "50", "5", "5", "10.0", "达到", "60%", "2", "2"],
        ["江湾村", "100", "12", "10", "10.0", "达到", "60%", "2", "2"],
        ["西河村", "40", "2", "2", "20.0", "未达到（差2人）", "40%（未达到）", "1", "1"],
    ]


def test_xlsx_totals_match_summary(seeded: Any, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert _run(seeded, "--year", "2023", "--format", "xlsx", "-o", str(out)) == 0
    wb = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    acts = list(wb["活动明细"].iter_rows(min_row=2, values_only=True))[:-1]
    dis = list(wb["纠纷明细"].iter_rows(min_row=2, values_only=True))[:-1]
    cov = list(wb["覆盖情况"].iter_rows(min_row=2, values_only=True))[:-1]
    by_kind = lambda kind, col: sum(a[col] for a in acts if a[2] == kind)  # noqa: E731
    assert summary["法治建设专题会议（次）"] == by_kind("法治建设专题会议", 7) == 2
    assert summary["普法专题培训参训（人次）"] == by_kind("普法专题培训", 8) == 186
    assert summary["法治宣传教育活动（次）"] == by_kind("普法宣传活动", 7) == 5
    assert summary["发放普法宣传资料（份）"] == by_kind("普法宣传活动", 9) == 4637
    assert summary["矛盾纠纷登记（件）"] == len(dis) == sum(d[10] for d in dis) == 6
    assert summary["受理（件）"] == sum(d[11] for d in dis) == 4
    assert summary["调解成功（件）"] == sum(d[10] for d in dis if d[7] == "达成协议") == 1
    assert summary["协议涉及金额（元）"] == sum(d[12] for d in dis) == 5000
    assert summary["上交（件）"] == sum(d[13] for d in dis) == 1
    assert summary["法律明白人骨干（人）"] == sum(c[4] for c in cov) == 17
    # no personal data in the dispute sheet: only the listed columns
    assert [c.value for c in next(wb["纠纷明细"].iter_rows(max_row=1))] == [
        "案件编号", "乡镇", "村名", "纠纷类型", "来源", "状态", "登记日期", "调解结果", "结案日期", "办结天数",
        "件数", "受理", "协议金额（元）", "上交", "防止民转刑"]
