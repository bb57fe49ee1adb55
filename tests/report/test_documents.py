"""docx read back, xlsx totals against the summary, formula injection, charts."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl

from queries.figures import (
    KIND_EVENT,
    KIND_MEETING,
    KIND_TRAINING,
    ActivityRow,
    CountyFigures,
    DisputeRow,
    Period,
    ReportDetail,
    sum_figures,
)
from reports.render import render
from reports.render.charts import cjk_font_path, disputes_by_type, events_by_month
from reports.render.text import render_text
from tests.docx_fonts import check_chinese_fonts
from tests.report.figures import town_2023


def test_docx_text_reads_back() -> None:
    f = town_2023(below=True)
    d = docx.Document(io.BytesIO(render(f, "docx")))
    paragraphs = [p.text for p in d.paragraphs if p.text]
    expected = [line for line in render_text(f).splitlines() if line]
    assert paragraphs[: len(expected)] == expected
    table = d.tables[-1]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0][0] == "村名"
    assert ["西河村", "900", "2", "1", "900.0", "未达到（差89人）", "33.3%（未达到）", "0", "0"] in rows
    assert ["江湾村", "5000", "560", "520", "9.6", "达到", "64%"] == rows[1][:7]
    assert len(d.inline_shapes) == 2


def test_docx_is_a4_gongwen_with_the_chinese_fonts_in_its_styles() -> None:
    d = docx.Document(io.BytesIO(render(town_2023(), "docx")))
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # A4, not US Letter
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def east_asia(style: str) -> str | None:
        fonts = d.styles[style].element.find(f"{w}rPr/{w}rFonts")
        assert fonts is not None and not any("Theme" in k or "theme" in k for k in fonts.attrib), style
        return fonts.get(f"{w}eastAsia")

    assert east_asia("Normal") == "仿宋_GB2312" and d.styles["Normal"].font.size.pt == 16  # 三号
    assert [east_asia(f"Heading {n}") for n in (1, 2, 3, 4)] == ["黑体", "楷体_GB2312", "仿宋_GB2312", "仿宋_GB2312"]
    assert east_asia("公文标题") == "方正小标宋简体"
    styles_xml = d.styles.element.xml
    assert "Calibri" not in styles_xml and "majorHAnsi" not in styles_xml and "minorHAnsi" not in styles_xml
    for n in (1, 2, 3, 4):  # no blue headings
        assert d.styles[f"Heading {n}"].element.find(f"{w}rPr/{w}color") is None
    used = {p.style.name for p in d.paragraphs if p.text}
    assert {"公文标题", "Heading 1", "Normal"} <= used
    assert "PAGE" in s.footer.paragraphs[0]._p.xml  # page numbers


def test_docx_says_simplified_chinese_for_every_style_and_font() -> None:
    a, b = town_2023(), town_2023(below=True)
    b.town = "白沙镇"
    county = CountyFigures("全县", Period.year(2023), [a, b], sum_figures([a, b], "全县", Period.year(2023)))
    for figures in (town_2023(), county):
        named = check_chinese_fonts(render(figures, "docx"))
        assert {"仿宋_GB2312", "黑体", "方正小标宋简体"} <= named


def test_docx_headings_follow_the_level() -> None:
    d = docx.Document(io.BytesIO(render(town_2023(), "docx", level=2)))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 2"]
    assert headings[:2] == ["（一）法治建设专题会议和普法专题培训", "（二）“法律明白人”队伍建设"]
    assert not [p for p in d.paragraphs if p.style.name == "公文标题"]  # under the town's own title


def test_charts_are_png_with_a_cjk_font() -> None:
    f = town_2023()
    assert cjk_font_path().endswith((".ttc", ".ttf", ".otf"))
    for png in (events_by_month(f), disputes_by_type(f)):
        assert png.startswith(b"\x89PNG")


def _detail() -> ReportDetail:
    acts = [
        ActivityRow("2023-03-01", "江湾村", KIND_MEETING),
        ActivityRow("2023-03-02", "江湾村", KIND_TRAINING, participants=60),
        ActivityRow("2023-03-05", "江湾村", KIND_EVENT, "法治公开课", "乡村", "=HYPERLINK(\"x\")", 45, 120, 6),
        ActivityRow("2023-04-05", "东山村", KIND_EVENT, "入户走访", "", "+民法典", 30, 80, 4),
    ]
    disputes = [
        DisputeRow("〔2023〕江湾调字第1号", "江湾村", "邻里", "申请调解", "归档", "2023-03-01", 1, "达成协议",
                   "2023-03-10", 9, 5000.0),
        DisputeRow("〔2023〕江湾调字第2号", "东山村", "婚姻家庭", "主动调解", "调解不成", "2023-04-01", 1,
                   "调解不成", "2023-04-20", 19, 0.0, escalated=1),
        DisputeRow("〔2023〕江湾调字第3号", "东山村", "合同", "申请调解", "不予受理", "2023-05-01", 0, "不予受理"),
    ]
    return ReportDetail(acts, disputes)


def test_xlsx_summary_matches_detail_sheets() -> None:
    f = town_2023()
    detail = _detail()
    wb = openpyxl.load_workbook(io.BytesIO(render(f, "xlsx", detail)))
    assert wb.sheetnames == ["汇总", "活动明细", "纠纷明细", "覆盖情况"]
    summary = {r[0]: (r[1], r[2]) for r in wb["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert summary["发放普法宣传资料（份）"][0] == 4637
    assert summary["法律明白人骨干（人）"][0] == 1003
    assert summary["矛盾纠纷登记（件）"][1] == "=SUM('纠纷明细'!$K$2:$K$4)"
    assert summary["调解成功（件）"][1] == "=SUMIFS('纠纷明细'!$K$2:$K$4,'纠纷明细'!$H$2:$H$4,\"达成协议\")"
    # the coverage sheet adds up to the summary's helpers and 骨干
    cov = list(wb["覆盖情况"].iter_rows(min_row=2, values_only=True))
    assert sum(r[4] for r in cov[:-1]) == summary["法律明白人骨干（人）"][0]
    assert sum(r[3] for r in cov[:-1]) == summary["法律明白人（人）"][0]
    assert cov[-1][:5] == ("合计", None, "=SUM('覆盖情况'!$C$2:$C$3)", "=SUM('覆盖情况'!$D$2:$D$3)",
                           "=SUM('覆盖情况'!$E$2:$E$3)")


def test_xlsx_is_formatted_as_a_clerk_would() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render(town_2023(), "xlsx", _detail())))
    act, dis, cov = wb["活动明细"], wb["纠纷明细"], wb["覆盖情况"]
    assert act.freeze_panes == dis.freeze_panes == cov.freeze_panes == "A2"  # the header stays in view
    assert act["A1"].font.bold and act.column_dimensions["G"].width == 28  # 主题 is wide enough to read
    assert act["B2"].value == dt.datetime(2023, 3, 1) and act["B2"].number_format == "yyyy-mm-dd"  # real dates
    assert dis["G2"].is_date and dis["M2"].number_format == "#,##0.00" and dis["M1"].value == "协议金额（元）"
    assert [c.value for c in cov[1]][-4:] == ["宣传活动（次）", "矛盾纠纷（件）", "联系户数", "联系户占比达标"]
    assert [c.value for c in cov[2]][1:2] + [c.value for c in cov[2]][-4:] == ["江湾村", 20, 70, 3200, "是"]


def test_xlsx_totals_match_for_consistent_figures() -> None:
    """Figures built from the same rows: each SUMIFS of the summary evaluates to the summary's value."""
    from reports.render.xlsx import summary_items

    detail = _detail()
    f = town_2023(previous=False)
    events = [a for a in detail.activities if a.kind == KIND_EVENT]
    f.activities.events = len(events)
    f.activities.materials = sum(a.materials for a in events)
    f.disputes.received, f.disputes.agreed = 3, 1
    ws = openpyxl.load_workbook(io.BytesIO(render(f, "xlsx", detail)))
    rows = {r[0]: r for r in ws["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    acts = list(ws["活动明细"].iter_rows(min_row=2, values_only=True))[:-1]
    dis = list(ws["纠纷明细"].iter_rows(min_row=2, values_only=True))[:-1]
    assert rows["法治宣传教育活动（次）"][1] == sum(a[7] for a in acts if a[2] == KIND_EVENT)
    assert rows["发放普法宣传资料（份）"][1] == sum(a[9] for a in acts if a[2] == KIND_EVENT)
    assert rows["矛盾纠纷登记（件）"][1] == sum(d[10] for d in dis) == 3
    assert rows["调解成功（件）"][1] == sum(d[10] for d in dis if d[7] == "达成协议")
    assert len(summary_items()) == len(rows)


def test_xlsx_writes_formula_like_text_as_text() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render(town_2023(), "xlsx", _detail())))
    ws = wb["活动明细"]
    for cell in (ws["G4"], ws["G5"]):
        assert cell.data_type == "s"
        assert cell.value in ('=HYPERLINK("x")', "+民法典")

