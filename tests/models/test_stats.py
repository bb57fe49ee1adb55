"""Statistics from hand-built records (SQLite, and PostgreSQL with MINGBAI_TEST_DB=postgres)."""

from __future__ import annotations

from typing import Any

from queries import statistics as stats
from queries.figures import KIND_EVENT, KIND_MEETING, KIND_TRAINING, Period
from tests.report.seed import seed


async def test_town_year_figures(db: Any) -> None:
    s = await seed()
    f = await stats.town_figures(Period.year(2023), s["jw"])
    a = f.activities
    assert (a.meetings, a.trainings, a.training_participants) == (2, 4, 186)
    assert (a.events, a.participants, a.materials, a.consultations) == (5, 260, 4637, 42)
    assert a.by_form == {"法治公开课": 2, "入户走访": 1, "小板凳会议": 1, "新时代文明实践": 1}
    assert a.by_target == {"乡村": 2, "学校": 1, "企业": 1}
    assert a.by_village == {"江湾村": 2, "东山村": 2, "西河村": 1}
    assert a.by_month == {"2023-01": 1, "2023-05": 2, "2023-12": 2}
    h = f.helpers
    assert (h.helpers, h.core) == (19, 17)
    cov = {v.name: (v.households, v.helpers, v.core, v.meets_ratio, v.meets_floor) for v in h.villages}
    assert cov == {"东山村": (50, 5, 5, True, True), "江湾村": (100, 12, 10, True, True),
                   "西河村": (40, 2, 2, False, False)}
    d = f.disputes
    assert (d.received, d.accepted, d.rejected, d.agreed, d.failed, d.terminated, d.in_progress) == (
        6, 4, 1, 1, 1, 1, 1)
    assert d.success_rate == 33.3
    assert d.amount == 5000.0
    assert d.avg_days_to_close == 30.3
    assert (d.overdue, d.escalated, d.prevented_criminal) == (2, 1, 1)
    assert (d.judicial_applied, d.judicial_confirmed, d.followups, d.followups_performed) == (1, 1, 1, 1)
    assert d.by_type == {"邻里": 3, "婚姻家庭": 1, "合同": 1, "房屋宅基地": 1}
    assert d.by_source == {"申请调解": 4, "主动调解": 1, "接受委托移送": 1}
    assert d.by_village == {"江湾村": 2, "东山村": 2, "西河村": 1, "外村": 1}
    q = f.questions
    assert (q.asked, q.unanswered, q.by_topic) == (3, 1, {"婚姻": 1, "借贷": 1})
    assert f.previous is not None
    assert (f.previous.activities.events, f.previous.activities.meetings, f.previous.disputes.received) == (3, 1, 1)


async def test_village_quarter_and_month(db: Any) -> None:
    s = await seed()
    dsc = s["villages"]["东山村"]
    f = await stats.town_figures(Period.year(2023), s["jw"], village_id=dsc.id, village_name="东山村")
    assert (f.activities.events, f.activities.materials, f.activities.meetings) == (2, 1337, 0)
    assert [v.name for v in f.helpers.villages] == ["东山村"] and f.helpers.core == 5
    assert f.disputes.received == 2 and f.previous is None
    q2 = await stats.town_figures(Period.quarter(2023, 2), s["jw"])
    assert (q2.activities.events, q2.activities.trainings, q2.disputes.received) == (2, 2, 2)
    dec = await stats.town_figures(Period.month(2023, 12), s["jw"])
    assert dec.activities.events == 2 and dec.disputes.received == 1  # 23:30 on 31 Dec belongs to December


async def test_county_side_by_side(db: Any) -> None:
    await seed()
    c = await stats.county_figures(Period.year(2023))
    assert [t.town for t in c.towns] == ["江湾镇", "白沙镇"]
    assert c.total.activities.events == 6 and c.total.activities.meetings == 3
    assert c.total.disputes.received == 7 and c.total.helpers.core == 20
    assert c.total.activities.by_village["白沙镇白沙村"] == 1
    assert c.total.questions.asked == 4 and c.total.questions.by_topic == {"婚姻": 1, "借贷": 1, "继承": 1}


async def test_detail_rows_without_personal_data(db: Any) -> None:
    s = await seed()
    detail = await stats.report_detail(Period.year(2023), [s["jw"]])
    kinds = [r.kind for r in detail.activities]
    assert kinds.count(KIND_EVENT) == 5 and kinds.count(KIND_TRAINING) == 4 and kinds.count(KIND_MEETING) == 2
    assert sum(r.materials for r in detail.activities if r.kind == KIND_EVENT) == 4637
    assert len(detail.disputes) == 6
    first = detail.disputes[0]
    assert (first.received, first.outcome, first.days, first.amount) == ("2023-01-20", "达成协议", 10, 5000.0)
    assert detail.disputes[-1].received == "2023-12-31"
    grouped = await stats.report_detail(Period.year(2023), [s["jw"]], max_rows=3)
    assert grouped.activities_grouped and grouped.disputes_grouped
    assert sum(r.count for r in grouped.activities) == 11
    assert sum(r.materials for r in grouped.activities) == 4637
    assert sum(r.count for r in grouped.disputes) == 6 and sum(r.accepted for r in grouped.disputes) == 4
    assert sum(r.count for r in grouped.disputes if r.outcome == "达成协议") == 1
    assert sum(r.amount for r in grouped.disputes) == 5000.0 and sum(r.escalated for r in grouped.disputes) == 1
