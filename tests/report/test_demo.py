"""The demo generator: valid cases through the mediation service, deterministic by seed, a full report."""

from __future__ import annotations

from typing import Any

import pytest

from demo.seed import DemoError, DemoOptions, generate
from models.core import Town
from models.mediation import AuditEntry, Case
from queries import statistics as stats
from queries.figures import Period
from reports.render.text import render_text


async def test_demo_town_is_full_and_deterministic(db: Any) -> None:
    a = await generate(DemoOptions(year=2023, seed=7, town="甲镇", case_prefix="甲", cases_per_town=12))
    b = await generate(DemoOptions(year=2023, seed=7, town="乙镇", case_prefix="乙", cases_per_town=12))
    assert a.villages == b.villages and a.helpers == b.helpers and a.activities == b.activities
    assert 18 <= a.villages <= 22 and 900 <= a.core <= 1300
    fa = await stats.town_figures(Period.year(2023), await Town.get(name="甲镇"))
    fb = await stats.town_figures(Period.year(2023), await Town.get(name="乙镇"))
    fb.town = fa.town
    assert fb.previous is not None and fa.previous is not None
    fb.previous.town = fa.previous.town
    for v in fb.helpers.villages:
        v.town = fa.town
    assert fa == fb
    assert fa.activities.meetings == 2 and fa.activities.trainings == 4 and fa.activities.events > 80
    assert len(fa.helpers.below_ratio) == 2 and len(fa.helpers.below_share) == 2 and fa.previous is not None
    assert 0.3 < fa.helpers.core / fa.helpers.helpers < 0.5  # ordinary helpers far outnumber 骨干
    assert fa.disputes.received > 5
    assert fa.questions.asked == 600 and fa.questions.by_topic and fa.questions.unanswered > 0
    # every case went through the service: each has a registration audit entry
    assert await AuditEntry.filter(action="register").count() == await Case.all().count()
    text = render_text(fa)
    assert "2个村尚未实现每10户至少有一名“法律明白人”骨干" in text
    helpers, problems = text.split("“法律明白人”队伍建设")[1].split("\n\n")[1], text.split("存在的问题")[1]
    # both ratios with their targets among the figures; the villages short of them among the problems
    assert "（要求每10户至少一名）" in helpers and "（要求不低于50%）" in helpers and "联系" in helpers
    assert "2个村“法律明白人”联系户数不足总户数的50%" in problems
    assert "不足" not in helpers and "未" not in helpers
    with pytest.raises(DemoError):
        await generate(DemoOptions(year=2023, seed=7, town="甲镇", cases_per_town=1))
