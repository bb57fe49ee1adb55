"""The mediation service: register cases and move them through the life cycle, with an audit entry per change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.case_flow import (
    CASE_TYPES,
    DECLINE_REASONS,
    FAIL_ROUTES,
    PERFORMED,
    REFERRERS,
    Action,
    Source,
    Status,
    TransitionRefused,
    check_confirmation_window,
    confirmation_deadline,
    follow_up_due,
    format_case_number,
    mediation_due,
    next_status,
)
from models.core import Role, Town, User, Village
from models.mediation import (
    Agreement,
    Assignment,
    AuditEntry,
    Case,
    CaseCounter,
    FollowUp,
    JudicialConfirmation,
    Party,
    SessionRecord,
)
from models.parsing import TZ, today


@dataclass(frozen=True)
class PartyIn:
    """A party as entered at registration."""

    name: str
    side: str = "applicant"
    phone: str = ""
    id_number: str = ""
    address: str = ""


@dataclass(frozen=True)
class NewCase:
    """What registration needs."""

    town_id: int
    case_type: str
    summary: str
    parties: Sequence[PartyIn]
    source: Source = Source.APPLIED
    referred_by: str = ""
    village_id: int | None = None
    village_name: str = ""
    applicant_openid: str | None = None
    reporter_openid: str | None = None
    registered_by_id: int | None = None
    actor_label: str = ""


@dataclass(frozen=True)
class AgreementIn:
    """The contents of an agreement (§29)."""

    terms: str
    effective_on: date
    form: str = "written"
    facts: str = ""
    issues: str = ""
    responsibility: str = ""
    amount: Decimal | None = None
    performance: str = ""
    perform_by: date | None = None


@dataclass
class Actor:
    """Who acts on a case: a console user, or a label for chat and system actions."""

    user: User | None = None
    label: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The name written into the audit trail."""
        return self.user.display_name if self.user is not None else self.label


async def _next_seq(town_id: int, year: int) -> int:
    try:
        await CaseCounter.get_or_create(town_id=town_id, year=year)
    except IntegrityError:
        pass  # another registration created the row first
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) until the transaction ends,
    # so two registrations never read the same number.
    await CaseCounter.filter(town_id=town_id, year=year).update(last_seq=F("last_seq") + 1)
    counter = await CaseCounter.get(town_id=town_id, year=year)
    return counter.last_seq


async def register_case(new: NewCase, *, due_days: int, on: date | None = None) -> Case:
    """Register a case with the next number of its town and year; nothing is saved if any part fails."""
    if new.case_type not in CASE_TYPES:
        raise ValueError(f"unknown case type {new.case_type!r}")
    if new.source is Source.REFERRED and new.referred_by not in REFERRERS:
        raise ValueError("a referral names 法院, 公安, 信访 or 政府")
    if not new.parties:
        raise ValueError("a case has at least one party")
    day = on or today()
    town = await Town.get(id=new.town_id)
    village_name = new.village_name
    if new.village_id is not None:
        village = await Village.get(id=new.village_id, town_id=new.town_id)
        village_name = village.name
    async with in_transaction():
        seq = await _next_seq(town.id, day.year)
        case = await Case.create(
            town_id=town.id, number=format_case_number(day.year, town.case_prefix or town.name, seq),
            year=day.year, seq=seq, case_type=new.case_type, source=new.source, referred_by=new.referred_by,
            village_id=new.village_id, village_name=village_name, summary=new.summary.strip(),
            applicant_openid=new.applicant_openid, reporter_openid=new.reporter_openid,
            registered_by_id=new.registered_by_id, due_on=mediation_due(day, due_days),
        )
        for p in new.parties:
            await Party.create(case=case, side=p.side, name=p.name.strip(), phone=p.phone.strip(),
                               id_number=p.id_number.strip(), address=p.address.strip())
        await AuditEntry.create(case=case, actor_id=new.registered_by_id, actor_label=new.actor_label,
                                action="register", to_status=Status.REGISTERED.value, note=new.source.value)
    return case


Mutation = Callable[[Case], Awaitable[str]]


async def _transition(case_id: int, actor: Actor, action: Action, mutate: Mutation | None = None) -> Case:
    """Apply one edge of the graph under a row lock, then let `mutate` fill in details; audit it."""
    async with in_transaction():
        case = await Case.select_for_update().get(id=case_id)
        before = Status(case.status)
        after = next_status(before, action)
        note = await mutate(case) if mutate is not None else ""
        case.status = after
        await case.save()
        await AuditEntry.create(case=case, actor=actor.user, actor_label=actor.name, action=action.value,
                                from_status=before.value, to_status=after.value, note=note)
    return case


async def _mediators(town_id: int, mediator_ids: Sequence[int]) -> list[User]:
    users = await User.filter(id__in=list(mediator_ids), town_id=town_id, active=True,
                              role__in=[Role.MEDIATOR, Role.ADMIN]).all()
    if len(users) != len(set(mediator_ids)):
        raise TransitionRefused("只能指派本镇在岗的调解员。")
    return users


async def _assign(case: Case, mediator_ids: Sequence[int]) -> str:
    users = await _mediators(case.town_id, mediator_ids)  # type: ignore[attr-defined]
    has_lead = await Assignment.filter(case=case, lead=True).exists()
    names = []
    for u in users:
        _, created = await Assignment.get_or_create(case=case, mediator=u, defaults={"lead": not has_lead})
        has_lead = True
        if created:
            names.append(u.display_name)
    return "指派：" + "、".join(names) if names else "调解员未变"


async def accept(case_id: int, actor: Actor, mediator_ids: Sequence[int] = (), *, due_days: int,
                 on: date | None = None) -> Case:
    """受理; with mediators named, also assign them and start mediating (§19)."""
    day = on or today()

    async def mutate(case: Case) -> str:
        case.accepted_on = day
        case.due_on = mediation_due(day, due_days)
        return f"期限：{case.due_on:%Y-%m-%d}"

    case = await _transition(case_id, actor, Action.ACCEPT, mutate)
    if mediator_ids:
        case = await assign(case_id, actor, mediator_ids)
    return case


async def decline(case_id: int, actor: Actor, reason: str, note: str = "", on: date | None = None) -> Case:
    """不予受理, with one of the reasons."""
    if reason not in DECLINE_REASONS:
        raise TransitionRefused("请选择不予受理的理由。")
    day = on or today()

    async def mutate(case: Case) -> str:
        case.decline_reason, case.end_note, case.closed_on, case.due_on = reason, note.strip(), day, None
        return DECLINE_REASONS[reason] + (f"；{note.strip()}" if note.strip() else "")

    return await _transition(case_id, actor, Action.DECLINE, mutate)


async def assign(case_id: int, actor: Actor, mediator_ids: Sequence[int]) -> Case:
    """Assign mediators (§19); the first assigned leads."""
    if not mediator_ids:
        raise TransitionRefused("请至少选择一名调解员。")

    async def mutate(case: Case) -> str:
        return await _assign(case, mediator_ids)

    return await _transition(case_id, actor, Action.ASSIGN, mutate)


async def record_session(case_id: int, actor: Actor, held_on: date, content: str, place: str = "",
                         participants: str = "") -> Case:
    """Record a mediation session (§27)."""
    if not content.strip():
        raise TransitionRefused("请填写调解情况。")

    async def mutate(case: Case) -> str:
        await SessionRecord.create(case=case, held_on=held_on, content=content.strip(), place=place.strip(),
                                   participants=participants.strip(), recorded_by=actor.user)
        return f"{held_on:%Y-%m-%d} {place.strip()}".strip()

    return await _transition(case_id, actor, Action.RECORD_SESSION, mutate)


async def agree(case_id: int, actor: Actor, a: AgreementIn, *, followup_days: int) -> Case:
    """达成协议: written (§29) or oral (§30); sets the follow-up and §33 confirmation deadlines."""
    if a.form not in {"written", "oral"}:
        raise TransitionRefused("协议形式只能是书面或口头。")
    if not a.terms.strip():
        raise TransitionRefused("请填写协议内容。")
    if a.amount is not None and a.amount < 0:
        raise TransitionRefused("金额不能是负数。")

    async def mutate(case: Case) -> str:
        await Agreement.create(case=case, form=a.form, facts=a.facts.strip(), issues=a.issues.strip(),
                               responsibility=a.responsibility.strip(), terms=a.terms.strip(), amount=a.amount,
                               performance=a.performance.strip(), perform_by=a.perform_by,
                               effective_on=a.effective_on, recorded_by=actor.user)
        case.closed_on, case.due_on = a.effective_on, None
        case.follow_up_due = follow_up_due(a.effective_on, a.perform_by, followup_days)
        case.confirmation_deadline = confirmation_deadline(a.effective_on) if a.form == "written" else None
        return "书面协议" if a.form == "written" else "口头协议"

    return await _transition(case_id, actor, Action.AGREE, mutate)


async def fail(case_id: int, actor: Actor, routes: Sequence[str], note: str = "", on: date | None = None) -> Case:
    """调解不成 (§26): record the routes the parties were told of."""
    chosen = [r for r in FAIL_ROUTES if r in routes]
    if not chosen:
        raise TransitionRefused("请记录已告知当事人的途径：诉讼、仲裁或行政。")
    day = on or today()

    async def mutate(case: Case) -> str:
        case.fail_routes, case.end_note, case.closed_on, case.due_on = ",".join(chosen), note.strip(), day, None
        return "已告知：" + "、".join(chosen)

    return await _transition(case_id, actor, Action.FAIL, mutate)


async def terminate(case_id: int, actor: Actor, note: str, on: date | None = None) -> Case:
    """终止调解: a party withdraws (§23)."""
    day = on or today()

    async def mutate(case: Case) -> str:
        case.end_note, case.closed_on, case.due_on = note.strip(), day, None
        return note.strip() or "当事人要求终止调解"

    return await _transition(case_id, actor, Action.TERMINATE, mutate)


async def record_follow_up(case_id: int, actor: Actor, visited_on: date, performed: str, satisfied: bool,
                           note: str = "") -> Case:
    """履行回访: was the agreement performed, are the parties satisfied."""
    if performed not in PERFORMED:
        raise TransitionRefused("请选择履行情况。")

    async def mutate(case: Case) -> str:
        await FollowUp.create(case=case, visited_on=visited_on, performed=performed, satisfied=satisfied,
                              note=note.strip(), visited_by=actor.user)
        case.follow_up_due = None
        return f"{PERFORMED[performed]}，{'满意' if satisfied else '不满意'}"

    return await _transition(case_id, actor, Action.FOLLOW_UP, mutate)


async def apply_confirmation(case_id: int, actor: Actor, applied_on: date, court: str = "") -> Case:
    """Both parties applied for judicial confirmation (§33): only a written agreement, within 30 days."""

    async def mutate(case: Case) -> str:
        agreement = await Agreement.get_or_none(case=case)
        if await JudicialConfirmation.exists(case=case):
            raise TransitionRefused("本案已经申请过司法确认。")
        check_confirmation_window(agreement.effective_on if agreement else None,
                                  agreement.form if agreement else "", applied_on)
        await JudicialConfirmation.create(case=case, applied_on=applied_on, court=court.strip())
        case.confirmation_deadline = None
        return f"{applied_on:%Y-%m-%d} {court.strip()}".strip()

    return await _transition(case_id, actor, Action.APPLY_CONFIRMATION, mutate)


async def decide_confirmation(case_id: int, actor: Actor, confirmed: bool, decided_on: date,
                              note: str = "") -> Case:
    """The court's decision on the application."""
    action = Action.CONFIRM if confirmed else Action.REJECT_CONFIRMATION

    async def mutate(case: Case) -> str:
        jc = await JudicialConfirmation.get(case=case)
        if decided_on < jc.applied_on:
            raise TransitionRefused("决定日期不能早于申请日期。")
        jc.result, jc.decided_on, jc.note = ("confirmed" if confirmed else "rejected"), decided_on, note.strip()
        await jc.save()
        return note.strip()

    return await _transition(case_id, actor, action, mutate)


async def reopen(case_id: int, actor: Actor, note: str = "", *, due_days: int, on: date | None = None) -> Case:
    """Mediate again after a court declined to confirm the agreement (§33 third paragraph)."""
    day = on or today()

    async def mutate(case: Case) -> str:
        await Agreement.filter(case=case).delete()
        await JudicialConfirmation.filter(case=case).delete()
        case.closed_on, case.follow_up_due, case.confirmation_deadline = None, None, None
        case.due_on = mediation_due(day, due_days)
        return note.strip() or "司法确认未通过，重新调解"

    return await _transition(case_id, actor, Action.REOPEN, mutate)


async def archive(case_id: int, actor: Actor) -> Case:
    """归档 (§27)."""

    async def mutate(case: Case) -> str:
        case.archived_at = datetime.now(TZ)
        case.follow_up_due, case.confirmation_deadline = None, None
        return ""

    return await _transition(case_id, actor, Action.ARCHIVE, mutate)


FLAG_LABELS = {
    "risk_escalation": "有激化风险（第二十五条）",
    "reported_to_police": "已报告公安机关",
    "prevented_criminal": "防止民转刑",
    "escalated": "上交（县级以上）",
}


async def set_flags(case_id: int, actor: Actor, flags: dict[str, bool]) -> Case:
    """Set the §25 and statistics flags; an audit entry names what changed."""
    unknown = set(flags) - set(FLAG_LABELS)
    if unknown:
        raise ValueError(f"unknown flags {unknown}")
    async with in_transaction():
        case = await Case.select_for_update().get(id=case_id)
        if Status(case.status) is Status.ARCHIVED:
            raise TransitionRefused("已归档的案件不能再修改。")
        changes = []
        for name, value in flags.items():
            if getattr(case, name) != value:
                setattr(case, name, value)
                changes.append(("标记" if value else "取消") + FLAG_LABELS[name])
        if not changes:
            return case
        await case.save()
        await AuditEntry.create(case=case, actor=actor.user, actor_label=actor.name, action="flags",
                                from_status=case.status, to_status=case.status, note="；".join(changes))
    return case


async def find_own_case(number: str, openid: str) -> Case | None:
    """A case by number, only if this person applied for it (or reported it), through either WeChat app."""
    from models.identities import same_person_openids

    case = await Case.get_or_none(number=number.strip())
    if case is None or not set(await same_person_openids(openid)) & {case.applicant_openid, case.reporter_openid}:
        return None
    return case


async def mediator_ids(case_id: int) -> list[int]:
    """The ids of a case's assigned mediators."""
    return [a.mediator_id for a in await Assignment.filter(case_id=case_id)]  # type: ignore[attr-defined]
