"""Parties (people and organisations, any number per side), their checks, corrections until archiving; mediators'
replacement and 回避; extension with both parties' consent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.mediation import Assignment, AuditEntry, Case, Party, Status
from queries.case_lists import BoardFilter, board
from services import cases
from services.case_flow import TransitionRefused
from services.deadlines import is_overdue
from services.party_rules import PartyIn, PartyInvalid, credit_code_ok, id_checksum_ok, validate
from tests.mediation.conftest import World, new_case

TODAY = date(2026, 5, 20)


def test_checks_with_chinese_messages() -> None:
    with pytest.raises(PartyInvalid, match="手机号应为1开头的11位数字"):
        validate(PartyIn("张三", phone="1390000"), TODAY)
    with pytest.raises(PartyInvalid, match="校验位不对"):
        validate(PartyIn("张三", id_number="110101199003071234"), TODAY)
    with pytest.raises(PartyInvalid, match="出生日期不能晚于今天"):
        validate(PartyIn("张三", birth_date=TODAY + timedelta(days=1)), TODAY)
    with pytest.raises(PartyInvalid, match="性别与身份证号不一致"):
        validate(PartyIn("张三", id_number="110101199003071233", gender="女"), TODAY)
    with pytest.raises(PartyInvalid, match="统一社会信用代码"):
        validate(PartyIn("某某公司", kind="org", credit_code="913601000000000000"), TODAY)
    with pytest.raises(PartyInvalid, match="代理人姓名"):
        validate(PartyIn("张三", agent_relation="特别授权"), TODAY)
    ok = validate(PartyIn(" 张三 ", phone="139 1234 5678", id_number="110101199003071233"), TODAY)
    assert (ok.name, ok.phone, ok.gender, ok.birth_date) == ("张三", "13912345678", "男", date(1990, 3, 7))
    assert validate(PartyIn("张三", phone="0791-88887777"), TODAY).phone == "0791-88887777"
    assert id_checksum_ok("11010519491231002X") and not id_checksum_ok("110105194912310021")
    assert credit_code_ok("91350100M000100Y43") and not credit_code_ok("91350100M000100Y44")


async def test_parties_added_corrected_removed_and_audited(world: World) -> None:
    actor = cases.Actor(world.admin)
    case = await new_case(world)
    for name in ("李二", "李三"):
        await cases.add_party(case.id, actor, PartyIn(name, "respondent"))
    third = await cases.add_party(case.id, actor, PartyIn("江湾村民委员会", "third", kind="org", legal_rep="村主任"))
    assert await Party.filter(case=case, side="respondent").count() == 3 and third.kind == "org"
    with pytest.raises(PartyInvalid, match="手机号"):
        await cases.update_party(third.id, actor, PartyIn("江湾村民委员会", "third", "1390000", kind="org"))
    li = await Party.get(case=case, name="李二")
    await cases.update_party(li.id, actor, PartyIn("李二", "respondent", "13700001111", address="东岸村2组"))
    assert (await Party.get(id=li.id)).address == "东岸村2组"
    applicant = await Party.get(case=case, side="applicant")
    with pytest.raises(PartyInvalid, match="申请人"):
        await cases.remove_party(applicant.id, actor, "误录")
    await cases.remove_party(third.id, actor, "并非当事人")
    notes = [(e.action, e.note) for e in await AuditEntry.filter(case=case).order_by("id")]
    assert ("party_edit", "修改被申请人李二：电话、住址/住所") in notes
    assert ("party_remove", "删除第三人江湾村民委员会：并非当事人") in notes
    assert sum(1 for a, _ in notes if a == "party_add") == 3
    # Archived: the file is closed.
    await cases.decline(case.id, actor, "party_refuses")
    await cases.archive(case.id, actor)
    with pytest.raises(TransitionRefused, match="已归档"):
        await cases.update_party(li.id, actor, PartyIn("李二", "respondent"))
    with pytest.raises(TransitionRefused, match="已归档"):
        await cases.add_party(case.id, actor, PartyIn("王五", "respondent"))


async def test_replace_recuse_and_chosen_mediator(world: World) -> None:
    actor = cases.Actor(world.admin)
    case = await new_case(world)
    await cases.accept(case.id, actor, [world.mediator.id], due_days=30, chosen=True)
    assert (await Assignment.get(case=case, mediator=world.mediator)).chosen_by_parties
    with pytest.raises(TransitionRefused, match="理由"):
        await cases.replace_mediator(case.id, actor, world.mediator.id, world.mediator2.id, "recused", "")
    with pytest.raises(TransitionRefused, match="至少要有一名调解员"):
        await cases.replace_mediator(case.id, actor, world.mediator.id, None, "recused", "与被申请人是亲戚")
    await cases.replace_mediator(case.id, actor, world.mediator.id, world.mediator2.id, "recused", "与被申请人是亲戚")
    assert await cases.mediator_ids(case.id) == [world.mediator2.id]
    old = await Assignment.get(case=case, mediator=world.mediator)
    assert (old.end_kind, old.end_reason, old.lead) == ("recused", "与被申请人是亲戚", False)
    assert (await Assignment.get(case=case, mediator=world.mediator2)).lead
    with pytest.raises(TransitionRefused, match="回避"):
        await cases.assign(case.id, actor, [world.mediator.id])
    # The recused mediator no longer sees the case as theirs.
    assert await board(world.town.id, BoardFilter(mine_user_id=world.mediator.id), TODAY) == []
    note = (await AuditEntry.filter(case=case, action="replace_mediator").first())
    assert note is not None and "洪调解回避（与被申请人是亲戚）" in note.note


async def test_extension_needs_consent_and_clears_overdue(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    actor = cases.Actor(world.admin)
    day = cases.today()
    monkeypatch.setattr(cases, "today", lambda: day)  # the service's day is the test's, midnight or not
    start = day - timedelta(days=40)
    case = await new_case(world, on=start)
    case = await cases.accept(case.id, actor, [world.mediator.id], due_days=30, on=start)
    assert is_overdue(case, day)
    new_due = day + timedelta(days=15)
    with pytest.raises(TransitionRefused, match="双方当事人同意"):
        await cases.extend(case.id, actor, new_due, consent=False)
    with pytest.raises(TransitionRefused, match="晚于"):
        await cases.extend(case.id, actor, day - timedelta(days=1), consent=True)
    case = await cases.extend(case.id, actor, new_due, consent=True, note="双方书面同意")
    assert case.due_on == new_due and case.extended_on == day and not is_overdue(case, day)
    assert Status(case.status) is Status.MEDIATING
    term = await cases.terminate(case.id, actor, "", reason="party_withdraws")
    assert term.end_reason == "party_withdraws" and (await Case.get(id=case.id)).closed_on is not None
