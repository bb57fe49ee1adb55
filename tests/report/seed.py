"""Hand-built records whose figures are known (see the expected values in the tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.core import Role, Town, User, Village
from models.helper_tables import HelperProfile
from models.mediation import Agreement, Case, FollowUp, JudicialConfirmation
from models.outreach import Activity, ActivityKind
from models.questions import QuestionLog

TZ = ZoneInfo("Asia/Shanghai")
_seq = {"n": 0}


async def _helpers(town: Town, village: Village, core: int, other: int, inactive: int = 0, covers: int = 0) -> None:
    """Helpers of a village, each covering `covers` households (联系户)."""
    for i in range(core + other + inactive):
        user = await User.create(role=Role.HELPER, display_name=f"{village.name}{i}", town=town, village=village,
                                 is_core=i < core or i >= core + other, active=i < core + other)
        if covers:
            await HelperProfile.create(user=user, households=covers)


async def _act(town: Town, village: Village | None, kind: ActivityKind, day: str, form: str = "",
               target: str = "", p: int = 0, m: int = 0, c: int = 0, withdrawn: bool = False) -> None:
    _seq["n"] += 1
    await Activity.create(town=town, village=village, kind=kind, date=dt.date.fromisoformat(day), form=form,
                          six_target=target, theme="民法典", participants=p, materials=m, consultations=c,
                          fingerprint=f"k{_seq['n']}", withdrawn=withdrawn)


async def _case(town: Town, village: Village | None, local: str, case_type: str, source: str, status: str,
                **kw: Any) -> Case:
    _seq["n"] += 1
    at = dt.datetime.fromisoformat(local).replace(tzinfo=TZ).astimezone(dt.UTC)
    return await Case.create(town=town, village=village, number=f"〔{at.year}〕江湾调字第{_seq['n']}号",
                             year=at.year, seq=_seq["n"], case_type=case_type, source=source, status=status,
                             registered_at=at, **kw)


def d(s: str) -> dt.date:
    """A date from ISO text."""
    return dt.date.fromisoformat(s)


async def seed() -> dict[str, Any]:
    """Two towns; 江湾镇 has the known 2023 figures, 白沙镇 a little of everything."""
    jw, _ = await Town.get_or_create(name="江湾镇", defaults={"studio_name": "老洪调解工作室", "case_prefix": "江湾"})
    bs = await Town.create(name="白沙镇", case_prefix="白沙")
    jwc = await Village.create(town=jw, name="江湾村", households=100)
    dsc = await Village.create(town=jw, name="东山村", households=50)
    xhc = await Village.create(town=jw, name="西河村", households=40)
    bsc = await Village.create(town=bs, name="白沙村", households=30)
    # 联系户: 江湾村 60 of 100, 东山村 30 of 50, 西河村 16 of 40 (below half; the inactive one is not counted)
    await _helpers(jw, jwc, core=10, other=2, covers=5)
    await _helpers(jw, dsc, core=5, other=0, covers=6)
    await _helpers(jw, xhc, core=2, other=0, inactive=1, covers=8)
    await _helpers(bs, bsc, core=3, other=1, covers=5)
    await User.create(role=Role.VILLAGER, display_name="村民", town=jw, village=jwc, is_core=True)

    P, T, M = ActivityKind.PUBLICITY, ActivityKind.TRAINING, ActivityKind.MEETING
    await _act(jw, None, M, "2023-03-01")
    await _act(jw, None, M, "2023-09-01")
    for day, p in (("2023-04-01", 40), ("2023-06-01", 45), ("2023-08-01", 50), ("2023-10-01", 51)):
        await _act(jw, None, T, day, p=p)
    await _act(jw, jwc, P, "2023-01-10", "法治公开课", "乡村", 100, 1500, 10)
    await _act(jw, jwc, P, "2023-05-12", "入户走访", "", 30, 800, 5)
    await _act(jw, dsc, P, "2023-05-20", "小板凳会议", "乡村", 45, 1337, 20)
    await _act(jw, xhc, P, "2023-12-30", "新时代文明实践", "学校", 60, 1000, 7)
    await _act(jw, dsc, P, "2023-12-31", "法治公开课", "企业", 25, 0, 0)
    await _act(jw, jwc, P, "2023-06-01", "法治公开课", "", 999, 999, 999, withdrawn=True)
    await _act(jw, jwc, P, "2024-01-01", "法治公开课", "", 10, 10, 1)
    for day in ("2022-02-01", "2022-03-01", "2022-04-01"):
        await _act(jw, jwc, P, day, "入户走访", "", 10, 100, 1)
    await _act(jw, None, M, "2022-05-01")
    await _act(bs, bsc, P, "2023-07-01", "送法下乡", "乡村", 20, 300, 3)
    await _act(bs, None, M, "2023-07-02")

    a = await _case(jw, jwc, "2023-01-20 09:00", "邻里", "申请调解", "archived", accepted_on=d("2023-02-01"),
                    closed_on=d("2023-02-11"))
    await Agreement.create(case=a, terms="赔偿", amount=Decimal("5000.00"), effective_on=d("2023-02-11"))
    await FollowUp.create(case=a, visited_on=d("2023-03-01"), performed="yes", satisfied=True)
    await JudicialConfirmation.create(case=a, applied_on=d("2023-02-20"), result="confirmed")
    await _case(jw, dsc, "2023-02-25 10:00", "婚姻家庭", "主动调解", "archived", accepted_on=d("2023-03-01"),
                closed_on=d("2023-03-21"), fail_routes="诉讼")
    await _case(jw, dsc, "2023-04-01 10:00", "合同", "申请调解", "declined", closed_on=d("2023-04-02"),
                decline_reason="in_court")
    await _case(jw, xhc, "2023-05-30 10:00", "邻里", "接受委托移送", "terminated", accepted_on=d("2023-06-01"),
                closed_on=d("2023-08-01"), prevented_criminal=True, referred_by="公安")
    await _case(jw, jwc, "2023-11-30 10:00", "邻里", "申请调解", "mediating", accepted_on=d("2023-12-01"),
                due_on=d("2023-12-20"), escalated=True)
    await _case(jw, None, "2023-12-31 23:30", "房屋宅基地", "申请调解", "registered", village_name="外村",
                due_on=d("2024-01-30"))
    await _case(jw, jwc, "2024-01-01 00:30", "邻里", "申请调解", "registered")
    await _case(jw, jwc, "2022-06-01 10:00", "邻里", "申请调解", "registered")
    await _case(bs, bsc, "2023-06-01 10:00", "合同", "申请调解", "registered")
    for local, topic, band in (("2023-03-01 08:00", "婚姻", "high"), ("2023-07-01 08:00", "借贷", "middle"),
                               ("2023-08-01 08:00", "", "low"), ("2024-01-02 08:00", "婚姻", "high")):
        at = dt.datetime.fromisoformat(local).replace(tzinfo=TZ)
        await QuestionLog.create(town=jw, asker="a" * 32, question="演示问题", topic=topic, band=band,
                                 created_at=at)
    await QuestionLog.create(town=bs, asker="b" * 32, question="演示问题", topic="继承", band="high",
                             created_at=dt.datetime(2023, 5, 1, tzinfo=TZ))
    return {"jw": jw, "bs": bs, "villages": {"江湾村": jwc, "东山村": dsc, "西河村": xhc}}
