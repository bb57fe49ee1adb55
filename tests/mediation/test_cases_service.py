"""The mediation service against the real database: numbering, transitions, audit, refusals, 30-day rules."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from models import cases
from models.case_flow import Action, Status, TransitionRefused
from models.mediation import Agreement, Assignment, AuditEntry, Case, FollowUp, JudicialConfirmation
from tests.mediation.conftest import World, new_case

D0 = date(2026, 3, 2)


async def test_case_numbers_per_town_per_year(world: World) -> None:
    a = await new_case(world, on=date(2026, 1, 5))
    b = await new_case(world, on=date(2026, 2, 5))
    c = await new_case(world, on=date(2027, 1, 2))
    assert (a.reg_number, b.reg_number, c.reg_number) == (
        "〔2026〕江湾登字第1号", "〔2026〕江湾登字第2号", "〔2027〕江湾登字第1号")
    assert (a.number, b.number, c.number) == (None, None, None)  # no 调字号 before 受理
    other = await cases.register_case(
        cases.NewCase(town_id=world.other_town.id, case_type="合同", summary="欠款",
                      parties=[cases.PartyIn("赵五")]), due_days=30, on=date(2026, 1, 5))
    assert other.reg_number == "〔2026〕河口登字第1号"
    assert a.due_on == date(2026, 2, 4)
    actor = cases.Actor(world.admin)
    b = await cases.accept(b.id, actor, [], due_days=30, on=date(2026, 2, 6))
    a = await cases.decline(a.id, actor, "party_refuses")
    # 调字号 in order of 受理; a case registered in December and accepted in January takes the new year's number.
    late = await new_case(world, on=date(2026, 12, 30))
    late = await cases.accept(late.id, actor, [], due_days=30, on=date(2027, 1, 3))
    c = await cases.accept(c.id, actor, [], due_days=30, on=date(2027, 1, 4))
    assert (b.number, late.number) == ("〔2026〕江湾调字第1号", "〔2027〕江湾调字第1号")
    assert c.number == "〔2027〕江湾调字第2号"
    assert a.number is None and (await cases.archive(a.id, actor)).number is None  # a refused case never gets one


async def test_concurrent_registrations_get_distinct_numbers(world: World) -> None:
    made = await asyncio.gather(*(new_case(world, openid=f"v{i}", on=D0) for i in range(12)))
    assert sorted(c.reg_seq or 0 for c in made) == list(range(1, 13))
    actor = cases.Actor(world.admin)
    accepted = await asyncio.gather(*(cases.accept(c.id, actor, [], due_days=30, on=D0) for c in made))
    assert sorted(c.seq or 0 for c in accepted) == list(range(1, 13))
    assert await Case.filter(town=world.town).count() == 12


async def test_register_refuses_bad_input(world: World) -> None:
    with pytest.raises(ValueError):
        await new_case(world, case_type="打架")
    with pytest.raises(ValueError):
        await cases.register_case(cases.NewCase(town_id=world.town.id, case_type="邻里", summary="x", parties=[],),
                                  due_days=30)
    assert await Case.all().count() == 0


async def test_full_life_cycle_with_audit(world: World) -> None:
    actor = cases.Actor(world.mediator)
    case = await new_case(world, on=D0)
    case = await cases.accept(case.id, actor, [world.mediator.id, world.mediator2.id], due_days=30, on=D0)
    assert case.status == Status.MEDIATING and case.due_on == D0 + timedelta(days=30)
    assert await Assignment.filter(case=case, lead=True).count() == 1
    case = await cases.record_session(case.id, actor, D0, "双方到场，各自陈述。", "村委会", "张小三、李四")
    case = await cases.set_flags(case.id, actor, {"risk_escalation": True, "prevented_criminal": True})
    agreement = cases.AgreementIn(terms="张小三疏通排水沟并赔偿李四500元。", effective_on=D0 + timedelta(days=3),
                                  amount=Decimal("500"), perform_by=D0 + timedelta(days=10),
                                  facts="排水沟堵塞", issues="赔偿多少", responsibility="张小三负主要责任")
    case = await cases.agree(case.id, actor, agreement, followup_days=30)
    assert case.status == Status.AGREED and case.due_on is None
    assert case.follow_up_due == D0 + timedelta(days=10)
    assert case.confirmation_deadline == D0 + timedelta(days=33)
    case = await cases.apply_confirmation(case.id, actor, D0 + timedelta(days=20), "某某县人民法院")
    assert case.confirmation_deadline is None
    case = await cases.decide_confirmation(case.id, actor, True, D0 + timedelta(days=25))
    assert case.status == Status.CONFIRMED
    case = await cases.record_follow_up(case.id, actor, D0 + timedelta(days=12), "yes", True, "已付清")
    assert case.status == Status.FOLLOWED_UP and case.follow_up_due is None
    case = await cases.archive(case.id, actor)
    assert case.status == Status.ARCHIVED and case.archived_at is not None
    trail = await AuditEntry.filter(case=case).order_by("id")
    assert [t.action for t in trail] == ["register", "accept", "assign", "record_session", "flags", "agree",
                                         "apply_confirmation", "confirm", "follow_up", "archive"]
    assert trail[1].from_status == "registered" and trail[1].to_status == "accepted"
    assert all(t.actor_id == world.mediator.id for t in trail[1:])  # type: ignore[attr-defined]
    with pytest.raises(TransitionRefused):
        await cases.set_flags(case.id, actor, {"escalated": True})


async def test_refused_transition_changes_nothing(world: World) -> None:
    actor = cases.Actor(world.mediator)
    case = await new_case(world, on=D0)
    with pytest.raises(TransitionRefused, match="不能“达成协议”"):
        await cases.agree(case.id, actor, cases.AgreementIn(terms="x", effective_on=D0), followup_days=30)
    with pytest.raises(TransitionRefused):
        await cases.archive(case.id, actor)
    assert (await Case.get(id=case.id)).status == Status.REGISTERED
    assert await Agreement.all().count() == 0
    assert await AuditEntry.filter(case_id=case.id).count() == 1


async def test_decline_fail_terminate(world: World) -> None:
    actor = cases.Actor(world.admin)
    c1 = await new_case(world, on=D0)
    with pytest.raises(TransitionRefused):
        await cases.decline(c1.id, actor, "because")
    c1 = await cases.decline(c1.id, actor, "party_refuses", "李四明确拒绝")
    assert c1.status == Status.DECLINED and "第十七条" in (await AuditEntry.filter(case=c1).last()).note  # type: ignore[union-attr]
    c2 = await cases.accept((await new_case(world, on=D0)).id, actor, [world.mediator.id], due_days=30, on=D0)
    with pytest.raises(TransitionRefused, match="告知"):
        await cases.fail(c2.id, actor, [])
    c2 = await cases.fail(c2.id, actor, ["诉讼", "仲裁"], "分歧太大")
    assert c2.status == Status.FAILED and c2.fail_routes == "诉讼,仲裁"
    c3 = await cases.accept((await new_case(world, on=D0)).id, actor, [], due_days=30, on=D0)
    assert c3.status == Status.ACCEPTED
    c3 = await cases.terminate(c3.id, actor, "申请人撤回")
    assert c3.status == Status.TERMINATED
    for c in (c1, c2, c3):
        assert (await cases.archive(c.id, actor)).status == Status.ARCHIVED


async def test_assign_only_own_town_mediators(world: World) -> None:
    actor = cases.Actor(world.admin)
    case = await new_case(world, on=D0)
    await cases.accept(case.id, actor, [], due_days=30, on=D0)
    with pytest.raises(TransitionRefused, match="本镇"):
        await cases.assign(case.id, actor, [world.outsider.id])
    assert (await Case.get(id=case.id)).status == Status.ACCEPTED


async def _agreed(world: World, form: str = "written") -> Case:
    actor = cases.Actor(world.mediator)
    case = await new_case(world, on=D0)
    await cases.accept(case.id, actor, [world.mediator.id], due_days=30, on=D0)
    return await cases.agree(case.id, actor, cases.AgreementIn(terms="赔偿500元", effective_on=D0, form=form),
                             followup_days=30)


async def test_confirmation_thirty_day_rule(world: World) -> None:
    actor = cases.Actor(world.mediator)
    late = await _agreed(world)
    with pytest.raises(TransitionRefused, match="超过司法确认申请期限"):
        await cases.apply_confirmation(late.id, actor, D0 + timedelta(days=31))
    assert (await Case.get(id=late.id)).status == Status.AGREED
    assert await JudicialConfirmation.all().count() == 0
    ok = await cases.apply_confirmation(late.id, actor, D0 + timedelta(days=30))
    assert ok.status == Status.CONFIRMATION_APPLIED
    oral = await _agreed(world, "oral")
    assert oral.confirmation_deadline is None
    with pytest.raises(TransitionRefused, match="书面"):
        await cases.apply_confirmation(oral.id, actor, D0 + timedelta(days=1))


async def test_rejected_confirmation_reopens(world: World) -> None:
    actor = cases.Actor(world.mediator)
    case = await _agreed(world)
    await cases.apply_confirmation(case.id, actor, D0 + timedelta(days=5))
    case = await cases.decide_confirmation(case.id, actor, False, D0 + timedelta(days=9), "协议内容违法")
    assert case.status == Status.CONFIRMATION_REJECTED
    case = await cases.reopen(case.id, actor, due_days=30, on=D0 + timedelta(days=10))
    assert case.status == Status.MEDIATING and case.due_on == D0 + timedelta(days=40)
    # The file is append-only: the first agreement and the court's refusal stay, marked as superseded.
    first = await Agreement.get(case=case)
    assert first.terms == "赔偿500元" and first.superseded_at is not None
    refusal = await JudicialConfirmation.get(case=case)
    assert refusal.result == "rejected" and refusal.note == "协议内容违法"
    assert refusal.agreement_id == first.id  # type: ignore[attr-defined]
    assert await cases.current_agreement(case.id) is None
    again = cases.AgreementIn(terms="改为分期赔偿500元", effective_on=D0 + timedelta(days=12))
    case = await cases.agree(case.id, actor, again, followup_days=30)
    assert (await cases.current_agreement(case.id)).terms == "改为分期赔偿500元"  # type: ignore[union-attr]
    assert await Agreement.filter(case=case).count() == 2
    case = await cases.apply_confirmation(case.id, actor, D0 + timedelta(days=13))
    assert await JudicialConfirmation.filter(case=case).count() == 2


async def test_follow_up_after_agreement(world: World) -> None:
    actor = cases.Actor(world.mediator)
    case = await _agreed(world)
    with pytest.raises(TransitionRefused, match="履行情况"):
        await cases.record_follow_up(case.id, actor, D0, "maybe", True)
    case = await cases.record_follow_up(case.id, actor, D0 + timedelta(days=31), "partly", False, "还差200")
    case = await cases.record_follow_up(case.id, actor, D0 + timedelta(days=40), "yes", True)
    assert await FollowUp.filter(case=case).count() == 2
    assert Action.ARCHIVE in __import__("models.case_flow").case_flow.allowed_actions(Status(case.status))


async def test_find_own_case(world: World) -> None:
    case = await new_case(world, openid="me")
    assert (await cases.find_own_case(case.reg_number or "", "me")) is not None
    assert await cases.find_own_case(case.reg_number or "", "someone-else") is None
    case = await cases.accept(case.id, cases.Actor(world.admin), [], due_days=30)
    assert (await cases.find_own_case(case.number or "", "me")) is not None
    assert await cases.find_own_case("〔2026〕江湾调字第999号", "me") is None


async def test_statistics_outcomes_with_persons(world: World) -> None:
    actor = cases.Actor(world.mediator)
    case = await new_case(world, on=D0)
    case = await cases.set_flags(case.id, actor, {"prevented_criminal": True})
    assert case.prevented_criminal_persons == 2  # no count given: the case's parties
    case = await cases.set_flags(case.id, actor, {"prevented_mass_petition": True, "prevented_dispute": True},
                                 {"prevented_mass_petition": 12, "prevented_criminal": 3})
    assert (case.prevented_mass_petition_persons, case.prevented_criminal_persons) == (12, 3)
    note = (await AuditEntry.filter(case=case, action="flags").order_by("-id").first()).note  # type: ignore[union-attr]
    assert "标记防止群体性上访" in note and "防止群体性上访涉及12人" in note
    assert "防止民间纠纷转化为刑事案件（民转刑）涉及3人（原2人）" in note
    assert "预防纠纷" in note and cases.outcome_lines(case) == [
        "预防纠纷", "防止民间纠纷转化为刑事案件（民转刑）（3人）", "防止群体性上访（12人）"]
    before = await AuditEntry.filter(case=case).count()
    for flags, persons, message in (
        ({}, {"prevented_suicide": 2}, "没有勾选“防止因民间纠纷引起自杀”"),
        ({"prevented_mass_fight": True}, {"prevented_mass_fight": 0}, "请填写涉及人数（至少1人）"),
        ({"prevented_mass_fight": True}, {"prevented_mass_fight": -1}, "0到99999之间"),
        ({"prevented_mass_fight": True}, {"prevented_mass_fight": 100_000}, "0到99999之间"),
    ):
        with pytest.raises(cases.FlagInvalid, match=message):
            await cases.set_flags(case.id, actor, flags, persons)
    same = await Case.get(id=case.id)
    assert not same.prevented_mass_fight and same.prevented_mass_fight_persons == 0
    assert await AuditEntry.filter(case=case).count() == before  # nothing saved, nothing audited
    case = await cases.set_flags(case.id, actor, {"prevented_mass_petition": False}, {"prevented_mass_petition": 12})
    assert not case.prevented_mass_petition and case.prevented_mass_petition_persons == 0  # unticking clears it
    with pytest.raises(ValueError):
        await cases.set_flags(case.id, actor, {}, {"prevented_dispute": 1})  # 预防纠纷 counts cases only


def test_persons_as_typed() -> None:
    assert cases.parse_persons("prevented_suicide", " ") is None
    assert cases.parse_persons("prevented_suicide", "１２") == 12  # full-width digits from a phone keyboard
    for raw in ("-1", "3.5", "三", "100000"):
        with pytest.raises(cases.FlagInvalid, match="防止因民间纠纷引起自杀"):
            cases.parse_persons("prevented_suicide", raw)
