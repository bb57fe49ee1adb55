"""The mediation service: register cases and move them through the life cycle, with an audit entry per change."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import case_types
from models.case_flow import (
    DECLINE_REASONS,
    FAIL_ROUTES,
    PERFORMED,
    TERMINATE_REASONS,
    Action,
    Source,
    Status,
    TransitionRefused,
    check_confirmation_window,
    confirmation_deadline,
    follow_up_due,
    format_case_number,
    format_registration_number,
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
    Investigation,
    JudicialConfirmation,
    Party,
    SessionRecord,
)
from models.parsing import TZ, today
from models.party_rules import PartyIn, PartyInvalid, changed_fields, check_past, validate

__all__ = ["PartyIn", "PartyInvalid"]


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


async def _next_seq(town_id: int, year: int, column: str = "last_seq") -> int:
    """The next number of a town's year: last_seq for 调字号 (受理), last_reg_seq for registrations."""
    try:
        await CaseCounter.get_or_create(town_id=town_id, year=year)
    except IntegrityError:
        pass  # another registration created the row first
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) until the transaction ends,
    # so two registrations never read the same number.
    await CaseCounter.filter(town_id=town_id, year=year).update(**{column: F(column) + 1})
    counter = await CaseCounter.get(town_id=town_id, year=year)
    return int(getattr(counter, column))


def _check_parties(parties: Sequence[PartyIn], day: date) -> list[PartyIn]:
    checked = [validate(p, day) for p in parties]
    if not any(p.side == "applicant" for p in checked):
        raise PartyInvalid("至少要有一名申请人（或主动调解时的一方当事人）。")
    return checked


async def register_case(new: NewCase, *, due_days: int, on: date | None = None) -> Case:
    """Register a case with the next number of its town and year; nothing is saved if any part fails."""
    if new.case_type not in case_types.case_types():
        raise ValueError(f"unknown case type {new.case_type!r}")
    if new.source is Source.REFERRED and new.referred_by not in case_types.referrers():
        raise ValueError("a referral names 法院, 公安, 信访 or 政府")
    if not new.parties:
        raise ValueError("a case has at least one party")
    day = on or today()
    parties = _check_parties(new.parties, day)
    town = await Town.get(id=new.town_id)
    village_name = new.village_name
    if new.village_id is not None:
        village = await Village.get(id=new.village_id, town_id=new.town_id)
        village_name = village.name
    async with in_transaction():
        reg_seq = await _next_seq(town.id, day.year, "last_reg_seq")
        case = await Case.create(
            town_id=town.id, reg_number=format_registration_number(day.year, town.case_prefix or town.name, reg_seq),
            year=day.year, reg_seq=reg_seq, case_type=new.case_type, stat_category=case_types.category(new.case_type),
            source=new.source, referred_by=new.referred_by,
            village_id=new.village_id, village_name=village_name, summary=new.summary.strip(),
            applicant_openid=new.applicant_openid, reporter_openid=new.reporter_openid,
            registered_by_id=new.registered_by_id, due_on=mediation_due(day, due_days),
            applicant_seen_at=datetime.now(TZ) if new.applicant_openid else None,
        )
        for p in parties:
            await Party.create(case=case, **p.values())
        await AuditEntry.create(case=case, actor_id=new.registered_by_id, actor_label=new.actor_label,
                                action="register", to_status=Status.REGISTERED.value,
                                note=f"{new.source.value}，登记号{case.reg_number}")
        await _notify("new_case", case)
    return case


async def _notify(event: str, case: Case) -> None:
    """Queue the notifications of an event in its own transaction (sent later by the worker)."""
    from models.notifications import queue_for_event  # the queue reads cases; imported late to avoid a cycle

    await queue_for_event(event, case)


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
        await _notify(action.value, case)
    return case


async def _mediators(town_id: int, mediator_ids: Sequence[int]) -> list[User]:
    users = await User.filter(id__in=list(mediator_ids), town_id=town_id, active=True,
                              role__in=[Role.MEDIATOR, Role.ADMIN]).all()
    if len(users) != len(set(mediator_ids)):
        raise TransitionRefused("只能指派本镇在岗的调解员。")
    return users


async def _assign(case: Case, mediator_ids: Sequence[int], chosen: bool = False) -> str:
    users = await _mediators(case.town_id, mediator_ids)  # type: ignore[attr-defined]
    has_lead = await Assignment.filter(case=case, lead=True, ended_at__isnull=True).exists()
    names = []
    for u in users:
        row = await Assignment.get_or_none(case=case, mediator=u)
        if row is None:
            await Assignment.create(case=case, mediator=u, lead=not has_lead, chosen_by_parties=chosen)
        elif row.ended_at is not None:
            if row.end_kind == "recused":
                raise TransitionRefused(f"{u.display_name}已在本案回避，不能再指派。")
            row.ended_at, row.end_kind, row.end_reason, row.lead = None, "", "", not has_lead
            row.chosen_by_parties = chosen or row.chosen_by_parties
            await row.save()
        else:
            continue
        has_lead = True
        names.append(u.display_name)
    what = "当事人选定调解员" if chosen else "指派"
    return f"{what}：" + "、".join(names) if names else "调解员未变"


async def accept(case_id: int, actor: Actor, mediator_ids: Sequence[int] = (), *, due_days: int,
                 on: date | None = None, chosen: bool = False) -> Case:
    """受理: the case gets its 调字号 now; with mediators named, also assign them and start mediating (§19)."""
    day = on or today()

    async def mutate(case: Case) -> str:
        town = await Town.get(id=case.town_id)  # type: ignore[attr-defined]
        case.seq = await _next_seq(town.id, day.year)
        case.year = day.year
        case.number = format_case_number(day.year, town.case_prefix or town.name, case.seq)
        case.accepted_on = day
        case.due_on = mediation_due(day, due_days)
        return f"{case.number}，期限：{case.due_on:%Y-%m-%d}"

    case = await _transition(case_id, actor, Action.ACCEPT, mutate)
    if mediator_ids:
        case = await assign(case_id, actor, mediator_ids, chosen=chosen)
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


async def assign(case_id: int, actor: Actor, mediator_ids: Sequence[int], chosen: bool = False) -> Case:
    """Assign mediators (§19), or record the ones the parties chose (§20, §23); the first assigned leads."""
    if not mediator_ids:
        raise TransitionRefused("请至少选择一名调解员。")

    async def mutate(case: Case) -> str:
        return await _assign(case, mediator_ids, chosen)

    return await _transition(case_id, actor, Action.ASSIGN, mutate)


END_KINDS = {"replaced": "更换", "recused": "回避"}


async def replace_mediator(case_id: int, actor: Actor, old_id: int, new_id: int | None, kind: str,
                           reason: str) -> Case:
    """更换 or 回避 of a mediator, with its reason; the row stays in the file, a replacement takes over."""
    if kind not in END_KINDS:
        raise TransitionRefused("请选择更换或回避。")
    if not reason.strip():
        raise TransitionRefused(f"请填写{END_KINDS[kind]}的理由。")
    if new_id == old_id:
        raise TransitionRefused("新调解员不能与原调解员相同。")

    async def mutate(case: Case) -> str:
        row = await Assignment.get_or_none(case=case, mediator_id=old_id, ended_at__isnull=True)
        if row is None:
            raise TransitionRefused("该调解员不在本案调解员之列。")
        row.ended_at, row.end_kind, row.end_reason = datetime.now(TZ), kind, reason.strip()[:256]
        was_lead, row.lead = row.lead, False
        await row.save()
        old_name = (await User.get(id=old_id)).display_name
        added = await _assign(case, [new_id]) if new_id else ""
        active = Assignment.filter(case=case, ended_at__isnull=True)
        if not await active.exists():
            raise TransitionRefused("本案至少要有一名调解员，请同时指定新的调解员。")
        if was_lead and not await active.filter(lead=True).exists():
            first = await active.order_by("id").first()
            if first is not None:
                first.lead = True
                await first.save()
        return f"{old_name}{END_KINDS[kind]}（{reason.strip()}）" + (f"；{added}" if added else "")

    return await _transition(case_id, actor, Action.REPLACE_MEDIATOR, mutate)


async def extend(case_id: int, actor: Actor, new_due: date, consent: bool, note: str = "") -> Case:
    """延长调解期限: only with both parties' consent, to a later day; the case is no longer overdue."""
    if not consent:
        raise TransitionRefused("延长调解期限须经双方当事人同意，请确认已征得同意。")

    async def mutate(case: Case) -> str:
        day = today()
        if new_due <= day or (case.due_on is not None and new_due <= case.due_on):
            raise TransitionRefused("新的期限应晚于今天和原期限。")
        old = case.due_on
        case.due_on, case.extended_on = new_due, day
        case.extension_note = note.strip()[:256]
        return (f"经双方当事人同意，期限由{old:%Y-%m-%d}延长至{new_due:%Y-%m-%d}" if old
                else f"经双方当事人同意，期限延长至{new_due:%Y-%m-%d}") + (f"；{note.strip()}" if note.strip() else "")

    return await _transition(case_id, actor, Action.EXTEND, mutate)


async def schedule_session(case_id: int, actor: Actor, at: datetime, place: str) -> Case:
    """约定调解时间、地点 (the applicant is told)."""
    if not place.strip():
        raise TransitionRefused("请填写调解地点。")

    async def mutate(case: Case) -> str:
        case.session_at, case.session_place = at, place.strip()[:128]
        return f"{at.astimezone(TZ):%Y-%m-%d %H:%M} {place.strip()}"

    return await _transition(case_id, actor, Action.SCHEDULE, mutate)


async def record_investigation(case_id: int, actor: Actor, held_on: date, content: str, place: str = "",
                               interviewee: str = "", investigators: str = "", recorder: str = "") -> Case:
    """调查记录: an inquiry into the facts."""
    if not content.strip():
        raise TransitionRefused("请填写调查内容。")
    check_past(held_on, "调查日期", today())

    async def mutate(case: Case) -> str:
        await Investigation.create(case=case, held_on=held_on, content=content.strip(), place=place.strip()[:128],
                                   interviewee=interviewee.strip()[:128],
                                   investigators=(investigators.strip() or actor.name)[:128],
                                   recorder=(recorder.strip() or actor.name)[:64])
        return f"{held_on:%Y-%m-%d} {place.strip()}".strip()

    return await _transition(case_id, actor, Action.INVESTIGATE, mutate)


async def record_session(case_id: int, actor: Actor, held_on: date, content: str, place: str = "",
                         participants: str = "", recorder: str = "") -> Case:
    """Record a mediation session (§27)."""
    if not content.strip():
        raise TransitionRefused("请填写调解情况。")
    check_past(held_on, "调解日期", today())

    async def mutate(case: Case) -> str:
        await SessionRecord.create(case=case, held_on=held_on, content=content.strip(), place=place.strip(),
                                   participants=participants.strip(), recorded_by=actor.user,
                                   recorder=(recorder.strip() or actor.name)[:64])
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
    check_past(a.effective_on, "协议生效日期", today())

    async def mutate(case: Case) -> str:
        if await current_agreement(case.id) is not None:
            raise TransitionRefused("本案已有生效的调解协议。")
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


async def terminate(case_id: int, actor: Actor, note: str, on: date | None = None,
                    reason: str = "party_withdraws") -> Case:
    """终止调解 with its reason (a party withdraws, §23; or another of TERMINATE_REASONS)."""
    if reason not in TERMINATE_REASONS:
        raise TransitionRefused("请选择终止调解的理由。")
    if reason == "other" and not note.strip():
        raise TransitionRefused("请写明终止调解的具体理由。")
    day = on or today()

    async def mutate(case: Case) -> str:
        case.end_note, case.end_reason, case.closed_on, case.due_on = note.strip(), reason, day, None
        return TERMINATE_REASONS[reason] + (f"；{note.strip()}" if note.strip() else "")

    return await _transition(case_id, actor, Action.TERMINATE, mutate)


async def record_follow_up(case_id: int, actor: Actor, visited_on: date, performed: str, satisfied: bool,
                           note: str = "") -> Case:
    """履行回访: was the agreement performed, are the parties satisfied."""
    if performed not in PERFORMED:
        raise TransitionRefused("请选择履行情况。")
    check_past(visited_on, "回访日期", today())

    async def mutate(case: Case) -> str:
        await FollowUp.create(case=case, visited_on=visited_on, performed=performed, satisfied=satisfied,
                              note=note.strip(), visited_by=actor.user)
        case.follow_up_due = None
        return f"{PERFORMED[performed]}，{'满意' if satisfied else '不满意'}"

    return await _transition(case_id, actor, Action.FOLLOW_UP, mutate)


async def apply_confirmation(case_id: int, actor: Actor, applied_on: date, court: str = "") -> Case:
    """Both parties applied for judicial confirmation (§33): only a written agreement, within 30 days."""

    check_past(applied_on, "申请日期", today())

    async def mutate(case: Case) -> str:
        agreement = await current_agreement(case.id)
        if agreement is not None and await JudicialConfirmation.exists(case=case, agreement=agreement):
            raise TransitionRefused("本协议已经申请过司法确认。")
        check_confirmation_window(agreement.effective_on if agreement else None,
                                  agreement.form if agreement else "", applied_on)
        await JudicialConfirmation.create(case=case, agreement=agreement, applied_on=applied_on, court=court.strip())
        case.confirmation_deadline = None
        return f"{applied_on:%Y-%m-%d} {court.strip()}".strip()

    return await _transition(case_id, actor, Action.APPLY_CONFIRMATION, mutate)


async def decide_confirmation(case_id: int, actor: Actor, confirmed: bool, decided_on: date,
                              note: str = "") -> Case:
    """The court's decision on the application."""
    action = Action.CONFIRM if confirmed else Action.REJECT_CONFIRMATION

    check_past(decided_on, "决定日期", today())

    async def mutate(case: Case) -> str:
        jc = await JudicialConfirmation.filter(case=case, result="pending").order_by("-id").first()
        if jc is None:
            raise TransitionRefused("没有待审查的司法确认申请。")
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
        # The file is append-only: the earlier agreement and the court's refusal stay in it, marked superseded.
        await Agreement.filter(case=case, superseded_at__isnull=True).update(superseded_at=datetime.now(TZ))
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


# 人民调解工作统计表 outcomes: the flag counts the case (件), its persons field the people involved (人).
OUTCOMES: dict[str, tuple[str, str | None]] = {
    "prevented_dispute": ("预防纠纷", None),
    "prevented_criminal": ("防止民间纠纷转化为刑事案件（民转刑）", "prevented_criminal_persons"),
    "prevented_mass_petition": ("防止群体性上访", "prevented_mass_petition_persons"),
    "prevented_mass_fight": ("防止群体性械斗", "prevented_mass_fight_persons"),
    "prevented_suicide": ("防止因民间纠纷引起自杀", "prevented_suicide_persons"),
}
FLAG_LABELS = {
    "risk_escalation": "有激化风险（第二十五条）",
    "reported_to_police": "已报告公安机关",
    "escalated": "上交（县级以上）",
    **{k: label for k, (label, _) in OUTCOMES.items()},
}
MAX_PERSONS = 99_999


class FlagInvalid(TransitionRefused):
    """Flags or persons counts that do not fit together; the message is Chinese."""


def parse_persons(flag: str, raw: str | None) -> int | None:
    """A persons count as typed in a form: None when left empty, else a whole number 0..99999."""
    text = unicodedata.normalize("NFKC", raw or "").strip()  # full-width digits as typed on a phone
    if not text:
        return None
    label = FLAG_LABELS[flag]
    if not text.isdigit() or not text.isascii():
        raise FlagInvalid(f"“{label}”的人数请填写0或正整数（如 3）。")
    n = int(text)
    if n > MAX_PERSONS:
        raise FlagInvalid(f"“{label}”的人数不能超过{MAX_PERSONS}。")
    return n


def outcome_lines(case: Case) -> list[str]:
    """The statistics outcomes marked on a case, e.g. ['预防纠纷', '防止群体性上访（12人）']."""
    out = []
    for name, (label, field_name) in OUTCOMES.items():
        if getattr(case, name):
            n = getattr(case, field_name) if field_name else 0
            out.append(f"{label}（{n}人）" if n else label)
    return out


async def set_flags(case_id: int, actor: Actor, flags: dict[str, bool],
                    persons: dict[str, int | None] | None = None) -> Case:
    """Set the §25 flags and the statistics outcomes until archiving; an audit entry names what changed.

    `persons` gives the people involved per outcome flag (防止民转刑 …): required (≥ 1) while the flag is set,
    0 when it is not; a flag set without a count takes the number of the case's parties. Nothing is saved
    when any value does not fit.
    """
    persons = {k: v for k, v in (persons or {}).items() if v is not None}
    unknown = (set(flags) - set(FLAG_LABELS)) | {k for k in persons if OUTCOMES.get(k, ("", None))[1] is None}
    if unknown:
        raise ValueError(f"unknown flags {unknown}")
    for name, n in persons.items():
        if not isinstance(n, int) or not 0 <= n <= MAX_PERSONS:
            raise FlagInvalid(f"“{FLAG_LABELS[name]}”的人数请填写0到{MAX_PERSONS}之间的整数。")
    async with in_transaction():
        case = await Case.select_for_update().get(id=case_id)
        if Status(case.status) is Status.ARCHIVED:
            raise TransitionRefused("已归档的案件不能再修改。")
        was_on = {name: bool(getattr(case, name)) for name in OUTCOMES}
        changes = []
        for name, value in flags.items():
            if getattr(case, name) != value:
                setattr(case, name, value)
                changes.append(("标记" if value else "取消") + FLAG_LABELS[name])
        for name, (label, field_name) in OUTCOMES.items():
            if field_name is None:
                continue
            on, before = bool(getattr(case, name)), int(getattr(case, field_name))
            n = persons.get(name)
            if not on:
                if n and not was_on[name]:  # a count typed without ticking the box (unticking clears it)
                    raise FlagInvalid(f"没有勾选“{label}”，不能填写它的人数。")
                n = 0
            elif n is None:
                n = before or await Party.filter(case_id=case.id).count()
            elif n == 0:
                raise FlagInvalid(f"勾选了“{label}”，请填写涉及人数（至少1人）。")
            if n != before:
                setattr(case, field_name, n)
                if on:
                    changes.append(f"{label}涉及{n}人" + (f"（原{before}人）" if before else ""))
        if not changes:
            return case
        await case.save()
        await AuditEntry.create(case=case, actor=actor.user, actor_label=actor.name, action="flags",
                                from_status=case.status, to_status=case.status, note="；".join(changes))
    return case


async def find_own_case(number: str, openid: str) -> Case | None:
    """A case by 调字号 or registration number, only if this person applied for it (or reported it), through
    either WeChat app."""
    from models.identities import same_person_openids

    n = number.strip()
    case = await Case.get_or_none(number=n) or await Case.get_or_none(reg_number=n)
    if case is None or not set(await same_person_openids(openid)) & {case.applicant_openid, case.reporter_openid}:
        return None
    if case.applicant_openid == openid:
        await Case.filter(id=case.id).update(applicant_seen_at=datetime.now(TZ))
    return case


async def mediator_ids(case_id: int) -> list[int]:
    """The ids of a case's mediators now on it (not replaced, not recused)."""
    rows = await Assignment.filter(case_id=case_id, ended_at__isnull=True)
    return [a.mediator_id for a in rows]  # type: ignore[attr-defined]


async def current_agreement(case_id: int) -> Agreement | None:
    """The agreement in force: the latest one not superseded by a later mediation."""
    return await Agreement.filter(case_id=case_id, superseded_at__isnull=True).order_by("-id").first()


async def _editable(case_id: int) -> Case:
    case = await Case.select_for_update().get(id=case_id)
    if Status(case.status) is Status.ARCHIVED:
        raise TransitionRefused("已归档的案件不能再修改。")
    return case


async def add_party(case_id: int, actor: Actor, party: PartyIn) -> Party:
    """Add a party (any side, person or organisation) until the case is archived; audited."""
    p = validate(party, today())
    async with in_transaction():
        case = await _editable(case_id)
        row = await Party.create(case=case, **p.values())
        await AuditEntry.create(case=case, actor=actor.user, actor_label=actor.name, action="party_add",
                                from_status=case.status, to_status=case.status,
                                note=f"增加{SIDE_LABEL[p.side]}{p.name}")
    return row


async def update_party(party_id: int, actor: Actor, party: PartyIn) -> Party:
    """Complete or correct a party's details until archiving; the audit names the fields changed."""
    p = validate(party, today())
    async with in_transaction():
        row = await Party.get(id=party_id)
        case = await _editable(row.case_id)  # type: ignore[attr-defined]
        before = {k: getattr(row, k) for k in p.values()}
        changed = changed_fields(before, p)
        if not changed:
            return row
        if before["side"] == "applicant" and p.side != "applicant" and not await Party.filter(
                case=case, side="applicant").exclude(id=row.id).exists():
            raise PartyInvalid("至少要有一名申请人。")
        await Party.filter(id=row.id).update(**p.values())
        await AuditEntry.create(case=case, actor=actor.user, actor_label=actor.name, action="party_edit",
                                from_status=case.status, to_status=case.status,
                                note=f"修改{SIDE_LABEL[p.side]}{p.name}：" + "、".join(changed))
    return await Party.get(id=party_id)


async def remove_party(party_id: int, actor: Actor, reason: str) -> None:
    """Remove a party entered by mistake (with a reason, audited); the last applicant stays."""
    if not reason.strip():
        raise TransitionRefused("请填写删除该当事人的原因。")
    async with in_transaction():
        row = await Party.get(id=party_id)
        case = await _editable(row.case_id)  # type: ignore[attr-defined]
        if row.side == "applicant" and not await Party.filter(case=case, side="applicant").exclude(
                id=row.id).exists():
            raise PartyInvalid("至少要有一名申请人。")
        await row.delete()
        await AuditEntry.create(case=case, actor=actor.user, actor_label=actor.name, action="party_remove",
                                from_status=case.status, to_status=case.status,
                                note=f"删除{SIDE_LABEL.get(row.side, row.side)}{row.name}：{reason.strip()}")


SIDE_LABEL = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
