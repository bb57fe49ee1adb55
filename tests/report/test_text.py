"""Every sentence of the text report, from hand-built figures."""

from __future__ import annotations

from models.report.text import render_county_text, render_short, render_text
from models.report_figures import CountyFigures, Period, ReportFigures, sum_figures
from tests.report.figures import town_2023

EXPECTED = """江湾镇2023年法治建设工作情况

一、法治建设专题会议和普法专题培训

2023年召开法治建设专题会议2次，与上年同期持平，组织镇村干部开展普法专题培训4次，同比增加1次（增长33.3%），参训186人次。

二、“法律明白人”队伍建设

我镇共有“法律明白人”1060人，其中“法律明白人”骨干1003人，实现了每10户至少有一名“法律明白人”骨干。各行政村“法律明白人”均不少于3名。

三、法治宣传教育

全年累计开展法治宣传教育活动35次，同比增加5次（增长16.7%），覆盖群众5200余人次，发放各类普法宣传资料4600余份，现场解答法律咨询312人次。活动形式包括新时代文明实践（10次）、法治公开课（8次）、入户走访（7次）、小板凳会议（5次）、送法下乡（3次）、以案释法（1次）等。推进法律“六进”，法律进乡村20次、进学校5次、进企业2次。

四、矛盾纠纷排查化解

全年共排查登记矛盾纠纷120件，同比减少10件（下降7.7%），受理115件，不予受理5件；调解成功100件，调解不成8件，终止调解2件，正在调解5件，调解成功率90.9%，调解协议涉及金额128.6万元。纠纷类型主要为邻里纠纷（30件）、婚姻家庭纠纷（25件）、房屋宅基地纠纷（20件）、合同纠纷（10件）、损害赔偿纠纷（9件）等。已结案件平均12.5天办结，超期3件。防止“民转刑”案件2件。开展协议履行回访90次，其中已履行88件。申请司法确认6件，确认有效5件。无一起矛盾纠纷上交，及时就地化解矛盾纠纷，努力实现矛盾不上交。

五、群众法律咨询

全年群众通过“明白”微信平台咨询法律问题2300余次，主要涉及婚姻（500次）、借贷（300次）；其中120次未能自动解答。
"""


def test_every_sentence_of_the_text_report() -> None:
    assert render_text(town_2023()) == EXPECTED


def test_coverage_sentence_names_the_villages_below() -> None:
    text = render_text(town_2023(below=True))
    assert "实现了每10户" not in text
    assert "1个村尚未实现每10户至少有一名“法律明白人”骨干：西河村。" in text
    assert "西河村的“法律明白人”不足3名，需继续培养。" in text


def test_no_comparison_without_previous_year() -> None:
    text = render_text(town_2023(previous=False))
    assert "同比" not in text and "持平" not in text
    assert "全年累计开展法治宣传教育活动35次，覆盖群众5200余人次" in text


def test_escalated_cases_are_counted() -> None:
    f = town_2023()
    f.disputes.escalated = 2
    text = render_text(f)
    assert "上交2件，坚持及时就地化解矛盾纠纷，努力实现矛盾不上交。" in text
    assert "无一起" not in text


def test_quarter_and_empty_period() -> None:
    f = ReportFigures(town="江湾镇", period=Period.quarter(2024, 2))
    text = render_text(f)
    assert text.startswith("江湾镇2024年第二季度法治建设工作情况\n")
    assert "2024年第二季度召开法治建设专题会议0次，未组织镇村干部普法专题培训。" in text
    assert "2024年第二季度未登记法治宣传教育活动。" in text
    assert "尚未登记行政村户数" in text


def test_markdown_has_headings_and_village_table() -> None:
    md = render_text(town_2023(below=True), md=True)
    assert md.startswith("# 江湾镇2023年法治建设工作情况")
    assert "## 四、矛盾纠纷排查化解" in md
    assert "| 西河村 | 900 | 2 | 1 | 900.0 | 未达到 |" in md


def test_short_text_for_chat() -> None:
    short = render_short(town_2023())
    assert short.splitlines() == [
        "江湾镇2023年法治建设工作情况",
        "专题会议2次，普法专题培训4次",
        "普法宣传活动35次，同比增加5次（增长16.7%），覆盖5200余人次，资料4600余份",
        "法律明白人1060人，骨干1003人；每10户一名骨干：已实现",
        "矛盾纠纷120件，调解成功100件（90.9%），上交0件",
        "群众提问2300余次，未能解答120次",
    ]
    assert len(short.encode()) < 2048


def test_county_totals_and_towns_side_by_side() -> None:
    a, b = town_2023(), town_2023(below=True)
    b.town = "白沙镇"
    for v in a.helpers.villages:
        v.town = "江湾镇"
    for v in b.helpers.villages:
        v.town = "白沙镇"
    total = sum_figures([a, b], "全县", Period.year(2023))
    assert total.activities.events == 70 and total.disputes.received == 240
    assert total.previous is not None and total.previous.activities.events == 60
    text = render_county_text(CountyFigures("全县", Period.year(2023), [a, b], total))
    assert "全县共有“法律明白人”" in text
    assert "1个村尚未实现每10户至少有一名“法律明白人”骨干：白沙镇西河村。" in text
    assert "江湾镇\t2\t4\t35\t4637\t1003\t达到\t120\t100\t90.9%\t0" in text
    assert "全县\t4\t8\t70\t9274" in text
