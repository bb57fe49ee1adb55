"""Hand-built figures whose every sentence is known."""

from __future__ import annotations

from queries.figures import (
    ActivityFigures,
    DisputeFigures,
    HelperFigures,
    Period,
    QuestionFigures,
    ReportFigures,
    VillageCoverage,
)


def town_2023(*, below: bool = False, previous: bool = True) -> ReportFigures:
    """江湾镇 2023: the DESIGN.md example figures."""
    villages = [VillageCoverage("江湾村", 5000, 560, 520, covered=3200),
                VillageCoverage("东山村", 4800, 500, 483, covered=2900)]  # 联系户: 64% and 60.4%
    if below:
        villages.append(VillageCoverage("西河村", 900, 2, 1, covered=300))  # 33.3%
    f = ReportFigures(town="江湾镇", period=Period.year(2023))
    f.activities = ActivityFigures(
        meetings=2, trainings=4, training_participants=186, events=35, participants=5230, materials=4637,
        consultations=312,
        by_form={"新时代文明实践": 10, "法治公开课": 8, "入户走访": 7, "小板凳会议": 5, "送法下乡": 3,
                 "以案释法": 1, "警示教育": 1},
        by_target={"乡村": 20, "学校": 5, "企业": 2},
        by_village={"江湾村": 20, "东山村": 15},
        by_month={"2023-01": 3, "2023-05": 12, "2023-12": 20},
    )
    f.helpers = HelperFigures(helpers=sum(v.helpers for v in villages), core=sum(v.core for v in villages),
                              villages=villages)
    f.disputes = DisputeFigures(
        received=120, accepted=115, rejected=5, agreed=100, failed=8, terminated=2, in_progress=5,
        amount=1286450.0, avg_days_to_close=12.5, overdue=3, escalated=0, prevented_criminal=2,
        judicial_applied=6, judicial_confirmed=5, followups=90, followups_performed=88,
        by_type={"邻里": 30, "婚姻家庭": 25, "房屋宅基地": 20, "合同": 10, "损害赔偿": 9, "其他": 6},
        by_source={"申请调解": 100, "主动调解": 20}, by_village={"江湾村": 70, "东山村": 50},
    )
    f.questions = QuestionFigures(asked=2345, unanswered=120, by_topic={"婚姻": 500, "借贷": 300})
    if previous:
        f.previous = ReportFigures(
            town="江湾镇", period=Period.year(2022),
            activities=ActivityFigures(meetings=2, trainings=3, events=30),
            disputes=DisputeFigures(received=130),
        )
    return f
