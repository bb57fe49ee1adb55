"""Every sentence of the text report, from hand-built figures."""

from __future__ import annotations

from queries.figures import CountyFigures, Period, ReportFigures, VillageCoverage, sum_figures
from reports.render.text import render_county_text, render_short, render_text, warnings
from tests.report.figures import town_2023

EXPECTED = """江湾镇2023年法治建设工作情况

一、法治建设专题会议和普法专题培训

2023年召开法治建设专题会议2次，与上年同期持平，组织镇村干部开展普法专题培训4次，同比增加1次，参训186人次。

二、“法律明白人”队伍建设

我镇共有“法律明白人”1060人，其中“法律明白人”骨干1003人，平均每9.8户有一名骨干，实现了每10户至少有一名“法律明白人”骨干，“法律明白人”联系6100户，占总户数的62.2%，各村均达到不低于50%的要求，各行政村“法律明白人”均不少于3名。

三、法治宣传教育

全年累计开展法治宣传教育活动35次，同比增加5次（增长16.7%），覆盖群众5200余人次，发放各类普法宣传资料4600余份，现场解答法律咨询312人次。活动形式包括新时代文明实践（10次）、法治公开课（8次）、入户走访（7次）、小板凳会议（5次）、送法下乡（3次）、以案释法（1次）等。推进法律“六进”，法律进乡村20次、进学校5次、进企业2次。

四、矛盾纠纷排查化解

全年共登记矛盾纠纷120件，同比减少10件（下降7.7%），受理115件，不予受理5件；调解成功100件，调解不成8件，终止调解2件，正在调解5件，调解成功率90.9%，调解协议涉及金额128.6万余元。纠纷类型主要为邻里纠纷（30件）、婚姻家庭纠纷（25件）、房屋宅基地纠纷（20件）、合同纠纷（10件）、损害赔偿纠纷（9件）等。已结案件平均12.5天办结。防止“民转刑”案件2件。开展协议履行回访90次，其中已履行88件。申请司法确认6件，确认有效5件。

五、群众法律咨询

全年群众通过“明白”微信平台咨询法律问题2300余次，主要涉及婚姻（500次）、借贷（300次）。

六、存在的问题

一是超期办结或超期未结的矛盾纠纷3件；二是群众通过微信平台提出的法律问题中有120次未能自动解答，需人工跟进。
"""


def test_every_sentence_of_the_text_report() -> None:
    assert render_text(town_2023()) == EXPECTED


def test_coverage_sentence_names_the_villages_below() -> None:
    text = render_text(town_2023(below=True))
    assert "实现了每10户" not in text and "均不少于3名" not in text
    achievements, problems = text.split("存在的问题")
    assert "西河村" not in achievements  # shortcomings stand in their own part, not among the achievements
    # both ratios stated with their targets, neither claimed as reached
    assert ("平均每10.7户有一名骨干（要求每10户至少一名），“法律明白人”联系6400户，占总户数的59.8%"
            "（要求不低于50%）") in achievements
    assert ("一是1个村尚未实现每10户至少有一名“法律明白人”骨干（西河村）；"
            "二是1个村“法律明白人”联系户数不足总户数的50%（西河村）；"
            "三是西河村的“法律明白人”不足3名，需继续培养；") in problems


def test_share_is_cut_not_rounded_up_and_unrecorded_households_are_a_warning() -> None:
    f = town_2023()
    f.helpers.villages = [VillageCoverage("东山村", 10000, 30, 1000, covered=4999)]  # 49.99%: short of 50%
    achievements, problems = render_text(f).split("存在的问题")
    assert "占总户数的49.9%（要求不低于50%）" in achievements
    assert "1个村“法律明白人”联系户数不足总户数的50%（东山村）" in problems
    f.helpers.share = f.helpers.villages[0].share = 0.4  # the configured target
    text = render_text(f)
    assert "占总户数的49.9%，达到不低于40%的要求" in text and "联系户数不足" not in text
    for v in f.helpers.villages:
        v.covered = 0  # no helper has 联系户数 recorded: nothing claimed, the clerk is warned
    text = render_text(f)
    assert "联系" not in text and "占总户数" not in text
    assert any("联系户数" in w for w in warnings(f))


def test_problems_stand_apart_from_the_achievements() -> None:
    achievements, problems = render_text(town_2023()).split("六、存在的问题")
    assert "超期" not in achievements and "未能自动解答" not in achievements
    assert problems.strip() == ("一是超期办结或超期未结的矛盾纠纷3件；"
                                "二是群众通过微信平台提出的法律问题中有120次未能自动解答，需人工跟进。")


def test_no_comparison_without_previous_year() -> None:
    text = render_text(town_2023(previous=False))
    assert "同比" not in text and "持平" not in text
    assert "全年累计开展法治宣传教育活动35次，覆盖群众5200余人次" in text


def test_percentages_only_on_a_base_of_ten() -> None:
    f = town_2023()
    assert f.previous is not None
    f.previous.activities.trainings = 1
    f.activities.trainings = 43
    text = render_text(f)
    assert "普法专题培训43次，同比增加42次，参训" in text and "4200%" not in text


def test_no_escalation_claim_unless_recorded_for_every_closed_case() -> None:
    f = town_2023()
    assert "矛盾不上交" not in render_text(f)  # nobody recorded whether the closed cases went up
    f.disputes.closed = f.disputes.escalation_recorded = 110
    assert "无一起矛盾纠纷上交，及时就地化解矛盾纠纷，实现了矛盾不上交。" in render_text(f)
    f.disputes.escalation_recorded = 109
    assert "矛盾不上交" not in render_text(f)
    f.disputes.escalation_recorded, f.disputes.from_petition = 110, 1  # a case transferred from 信访
    assert "矛盾不上交" not in render_text(f)


def test_escalated_cases_are_counted() -> None:
    f = town_2023()
    f.disputes.escalated = 2
    f.disputes.closed = f.disputes.escalation_recorded = 110
    text = render_text(f)
    assert "申请司法确认6件，确认有效5件。上交2件。" in text
    assert "仍有2件矛盾纠纷上交" in text.split("存在的问题")[1]
    assert "无一起" not in text and "矛盾不上交" not in text


def test_days_to_close_never_zero_days() -> None:
    f = town_2023()
    f.disputes.avg_days_to_close = 0.0
    assert "平均0天" not in render_text(f) and "已结案件均在受理当日办结。" in render_text(f)
    f.disputes.avg_days_to_close = 0.4
    assert "已结案件平均不足1天办结。" in render_text(f)


def test_money_is_cut_with_yu() -> None:
    f = town_2023()
    f.disputes.amount = 1312999.0
    assert "调解协议涉及金额131.2万余元。" in render_text(f)


def test_no_half_width_punctuation_in_chinese_text() -> None:
    text = render_text(town_2023(below=True))
    for mark in "(),:;?!":
        assert mark not in text, mark


def test_headings_sit_under_the_towns_numbering() -> None:
    text = render_text(town_2023(), level=3)
    assert not text.startswith("江湾镇2023年")  # under the town's own heading, no title of its own
    assert [line for line in text.splitlines() if line[:2] in {"1.", "2.", "3.", "4.", "5.", "6."}] == [
        "1.法治建设专题会议和普法专题培训", "2.“法律明白人”队伍建设", "3.法治宣传教育", "4.矛盾纠纷排查化解",
        "5.群众法律咨询", "6.存在的问题"]
    assert "（二）“法律明白人”队伍建设" in render_text(town_2023(), level=2)
    assert "### （二）“法律明白人”队伍建设" in render_text(town_2023(), level=2, md=True)


def test_a_village_report_says_only_what_a_village_can() -> None:
    f = town_2023()
    f.village = "东山村"
    f.helpers.villages = [VillageCoverage("东山村", 30, 3, 3)]
    f.helpers.helpers, f.helpers.core = 3, 3
    f.activities.meetings = f.activities.trainings = 0
    text = render_text(f)
    assert "群众法律咨询" not in text and "微信平台" not in text  # questions carry no village
    assert "专题会议" not in text  # the town's own figures
    assert "各行政村" not in text and "东山村共有“法律明白人”3人" in text and "达到每村不少于3名的要求" in text
    assert next(line for line in text.splitlines() if "、" in line[:2]) == "一、“法律明白人”队伍建设"


def test_quarter_and_empty_period() -> None:
    f = ReportFigures(town="江湾镇", period=Period.quarter(2024, 2))
    text = render_text(f)
    assert text.startswith("江湾镇2024年第二季度法治建设工作情况\n")
    assert "召开法治建设专题会议0次" not in text  # no sentence of zeros among the achievements
    assert ("一、存在的问题\n\n一是未召开法治建设专题会议；二是未组织镇村干部开展普法专题培训；"
            "三是未登记法治宣传教育活动；") in text
    assert warnings(f)[0].startswith("2024年第二季度没有任何活动、纠纷或咨询记录")
    assert not warnings(town_2023())


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
        "法律明白人1060人，骨干1003人；每10户一名骨干：已实现；联系户占62.2%（要求50%）",
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
    assert "1个村尚未实现每10户至少有一名“法律明白人”骨干（白沙镇西河村）" in text
    assert "江湾镇\t2\t4\t35\t4637\t1003\t达到\t120\t100\t90.9%\t0" in text
    assert "全县\t4\t8\t70\t9274" in text
