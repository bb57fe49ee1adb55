"""Console pages for cases: the board, my cases, registration, the case page and its actions, documents."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from bot import keys, notify
from bot.admin import case_parties
from bot.admin.web import (
    ADMIN_ROLES,
    current_user,
    error_page,
    flash,
    form_data,
    render,
    require_role,
    town_scope,
)
from models import cases, documents
from models.case_flow import (
    AGREEMENT_FORMS,
    DECLINE_REASONS,
    FAIL_ROUTES,
    PERFORMED,
    STATUS_LABELS,
    TERMINATE_REASONS,
    Action,
    Source,
    Status,
    TransitionRefused,
    allowed_actions,
)
from models.case_queries import PAGE_SIZE, BoardFilter, board, board_count, deadlines, is_overdue, mediator_ids_by_case
from models.case_types import case_types, referrers
from models.core import Role, Town, User, Village
from models.mediation import (
    Agreement,
    Assignment,
    AuditEntry,
    Case,
    FollowUp,
    Investigation,
    JudicialConfirmation,
    Notification,
    Party,
    SessionRecord,
)
from models.parsing import TZ
from models.party_rules import KINDS, SIDES, PartyInvalid
from models.privacy import mask_id_number, mask_name, mask_phone, masked_view, may_see_parties, text_mask

log = logging.getLogger("mingbai.admin")
Form = MultiDictProxy[Any]


def _settings(request: web.Request) -> Any:
    return request.app[keys.SETTINGS]


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _date(form: Form, name: str, default: date | None = None) -> date:
    raw = str(form.get(name, "")).strip()
    if not raw:
        if default is None:
            raise TransitionRefused("请填写日期。")
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise TransitionRefused(f"日期格式不对：{raw}（应为 2026-03-01）") from None


def _text(form: Form, name: str, limit: int = 2000) -> str:
    return str(form.get(name, "")).strip()[:limit]


async def _villages(user: User) -> list[Village]:
    scope = town_scope(user)
    qs = Village.all() if scope is None else Village.filter(town_id=scope)
    return await qs.order_by("id")


async def _load_case(request: web.Request) -> Case:
    """The case named in the URL, if the user's town may see it (else 404: no hint that it exists)."""
    user = current_user(request)
    assert user is not None
    case_id = _int(request.match_info["case_id"])
    case = await Case.get_or_none(id=case_id) if case_id else None
    scope = town_scope(user)
    if case is None or (scope is not None and case.town_id != scope):  # type: ignore[attr-defined]
        raise web.HTTPNotFound()
    return case


def _may_see(user: User, case: Case, mediators: set[int]) -> bool:
    return may_see_parties(Role(user.role), user.id, user.town_id, case.town_id, mediators)  # type: ignore[attr-defined]


def _may_act(user: User, action: Action, mediators: set[int]) -> bool:
    """Admins act on any case of their town; mediators accept/decline new cases, and act on their own."""
    if Role(user.role) in ADMIN_ROLES:
        return True
    return action in {Action.ACCEPT, Action.DECLINE} or user.id in mediators


def _party_view(p: Party, visible: bool, contact: bool = False) -> dict[str, Any]:
    """A party for display; masked unless visible. `contact`: a mediator deciding whether to accept a new
    case sees the applicant's name and phone, to call them, and nothing more."""
    base = {"id": p.id, "side": p.side, "side_label": SIDES.get(p.side, p.side), "kind": p.kind,
            "kind_label": KINDS.get(p.kind, p.kind)}
    if visible:
        return {**base, **case_parties.party_values(p)}
    masked = {"name": mask_name(p.name), "phone": mask_phone(p.phone), "id_number": mask_id_number(p.id_number),
              "address": "", "credit_code": "", "legal_rep": "", "agent_name": mask_name(p.agent_name)}
    if contact and p.side == "applicant":
        masked.update(name=p.name, phone=p.phone)
    return {**base, **masked}


def _row(case: Case, user: User, mediators: set[int], today: date) -> dict[str, Any]:
    visible = _may_see(user, case, mediators)
    parties = [_party_view(p, visible) for p in case.parties]
    return {
        "case": case, "status_label": Status(case.status).label, "overdue": is_overdue(case, today),
        "parties": "、".join(p["name"] for p in parties), "mine": user.id in mediators,
        "deadlines": deadlines(case, today),
    }


def _board_filter(request: web.Request, mine: bool) -> BoardFilter:
    q = request.query
    status = q.get("status", "")
    case_type = q.get("type", "")
    year = _int(q.get("year"))
    return BoardFilter(
        status=status if status in {s.value for s in Status} else "",
        case_type=case_type if case_type in case_types() else "",
        village_id=_int(q.get("village")), overdue=q.get("overdue") == "1",
        mine_user_id=current_user(request).id if mine else None,  # type: ignore[union-attr]
        q=q.get("q", "").strip()[:64], year=year if year and 2000 <= year <= 2100 else None,
        mediator_id=_int(q.get("mediator")),
    )


async def _board_page(request: web.Request, mine: bool) -> web.Response:
    user = current_user(request)
    assert user is not None
    f = _board_filter(request, mine)
    today = cases.today()
    page = max(1, _int(request.query.get("page")) or 1)
    scope = town_scope(user)
    total = await board_count(scope, f, today)
    found = await board(scope, f, today, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    by_case = await mediator_ids_by_case([c.id for c in found])
    rows = [_row(c, user, by_case[c.id], today) for c in found]
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    query = {k: v for k, v in request.query.items() if k != "page" and v}
    mediators = User.filter(active=True, role__in=[Role.MEDIATOR, Role.ADMIN])
    if scope is not None:
        mediators = mediators.filter(town_id=scope)
    return await render(request, "cases/board.html", {
        "rows": rows, "f": f, "mine": mine, "statuses": STATUS_LABELS, "types": case_types(),
        "villages": await _villages(user), "title": "我的案件" if mine else "案件看板",
        "total": total, "page": page, "pages": pages, "query": query, "mediators": await mediators.order_by("id"),
        "years": list(range(today.year, today.year - 6, -1)),
    })


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def board_page(request: web.Request) -> web.StreamResponse:
    """The case board with filters (status, type, village, overdue)."""
    return await _board_page(request, mine=False)


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def my_cases(request: web.Request) -> web.StreamResponse:
    """The cases assigned to me."""
    return await _board_page(request, mine=True)


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def new_case_form(request: web.Request) -> web.StreamResponse:
    """Register a case at the studio: a walk-in application, 主动调解, or a referral (移送)."""
    user = current_user(request)
    assert user is not None
    return await render(request, "cases/new.html", {
        "types": case_types(), "villages": await _villages(user), "sources": list(Source), "referrers": referrers(),
        "error": "", "form": {}, **_party_choices(),
    })


def _party_choices() -> dict[str, Any]:
    return {"sides": SIDES, "kinds": KINDS, "today": cases.today().isoformat()}


def _prefixed(form: Form, prefix: str) -> dict[str, Any]:
    return {k.removeprefix(prefix): v for k, v in form.items() if k.startswith(prefix)}


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def create_case(request: web.Request) -> web.StreamResponse:
    """Save a registration from the console."""
    user = current_user(request)
    assert user is not None
    form = await form_data(request)
    error = ""
    case_type, source = _text(form, "case_type"), _text(form, "source")
    village = await Village.get_or_none(id=_int(form.get("village")) or 0)
    scope = town_scope(user)
    if case_type not in case_types():
        error = "请选择纠纷类型。"
    elif source not in {s.value for s in Source}:
        error = "请选择案件来源。"
    elif source == Source.REFERRED.value and _text(form, "referred_by") not in referrers():
        error = "移送案件请选择移送单位。"
    elif village is None or (scope is not None and village.town_id != scope):  # type: ignore[attr-defined]
        error = "请选择村。"
    elif not _text(form, "a_name") or not _text(form, "r_name"):
        error = "请填写双方当事人姓名或名称。"
    elif len(_text(form, "summary")) < 5:
        error = "请简要写明纠纷经过。"
    parties: list[cases.PartyIn] = []
    if not error:
        try:
            parties = [case_parties.party_from_form(form, "a_", "applicant"),
                       case_parties.party_from_form(form, "r_", "respondent")]
        except PartyInvalid as exc:
            error = str(exc)
    case = None
    if not error:
        assert village is not None
        new = cases.NewCase(
            town_id=village.town_id, case_type=case_type, summary=_text(form, "summary"),  # type: ignore[attr-defined]
            parties=parties, source=Source(source),
            referred_by=_text(form, "referred_by") if source == Source.REFERRED.value else "",
            village_id=village.id, registered_by_id=user.id, actor_label=user.display_name,
        )
        try:
            case = await cases.register_case(new, due_days=_settings(request).mediation.due_days)
        except PartyInvalid as exc:
            error = str(exc)
    if case is None:
        return await render(request, "cases/new.html", {
            "types": case_types(), "villages": await _villages(user), "sources": list(Source),
            "referrers": referrers(), "error": error, "form": form, "a": _prefixed(form, "a_"),
            "r": _prefixed(form, "r_"), **_party_choices(),
        }, status=400)
    await flash(request, f"已登记：{case.reg_number}")
    raise web.HTTPFound(f"/admin/cases/{case.id}")


async def _case_context(request: web.Request, case: Case, user: User) -> dict[str, Any]:
    today = cases.today()
    mediators = set(await cases.mediator_ids(case.id))
    visible = _may_see(user, case, mediators)
    status = Status(case.status)
    contact = status is Status.REGISTERED and Role(user.role) is Role.MEDIATOR and (
        user.town_id == case.town_id)  # type: ignore[attr-defined]
    rows = await Party.filter(case=case).order_by("id")
    parties = [_party_view(p, visible, contact) for p in rows]
    names = [n for p in rows for n in (p.name, p.agent_name, p.legal_rep) if n]
    scrub = text_mask(visible, names)  # the one masking step for case text
    all_assignments = await case.assignments.all().order_by("-lead", "id").prefetch_related("mediator")
    assignments = [a for a in all_assignments if a.ended_at is None]
    actions = [a for a in allowed_actions(status) if _may_act(user, a, mediators)]
    town_mediators = await User.filter(town_id=case.town_id, active=True,  # type: ignore[attr-defined]
                                       role__in=[Role.MEDIATOR, Role.ADMIN]).order_by("id")
    audit = await AuditEntry.filter(case=case).order_by("at", "id")
    return {
        "case": case, "status": status, "status_label": status.label, "parties": parties, "visible": visible,
        "summary": scrub(case.summary), "assignments": assignments,
        "sessions": [{"s": masked_view(s, scrub), "content": scrub(s.content), "participants": scrub(s.participants)}
                     for s in await SessionRecord.filter(case=case).order_by("held_on", "id")],
        "agreement": masked_view(await cases.current_agreement(case.id), scrub), "scrub": scrub,
        "agreements": [masked_view(a, scrub) for a in await Agreement.filter(case=case).order_by("id")],
        "investigations": [{"i": masked_view(i, scrub), "content": scrub(i.content),
                            "interviewee": scrub(i.interviewee)}
                           for i in await Investigation.filter(case=case).order_by("held_on", "id")],
        "ended_assignments": [a for a in all_assignments if a.ended_at is not None],
        "follow_ups": [masked_view(f, scrub) for f in await FollowUp.filter(case=case).order_by("visited_on", "id")],
        "confirmations": [masked_view(c, scrub)
                          for c in await JudicialConfirmation.filter(case=case).order_by("id")],
        "party_rows": {p.id: case_parties.party_values(p) for p in rows} if visible else {},
        "editable": visible and status is not Status.ARCHIVED, **_party_choices(),
        "terminate_reasons": TERMINATE_REASONS, "end_kinds": cases.END_KINDS,
        "documents": documents.available(case, status, await documents.load(case.id)) if visible else [],
        "doc_titles": documents.TITLES,
        "notifications": await Notification.filter(case=case).order_by("id") if visible else [],
        "timeline": [{"e": e, "from": STATUS_LABELS.get(Status(e.from_status)) if e.from_status else "",
                      "to": STATUS_LABELS.get(Status(e.to_status)) if e.to_status else "",
                      "label": _audit_label(e.action), "note": scrub(e.note)} for e in audit],
        "actions": actions, "Action": Action, "deadlines": deadlines(case, today),
        "overdue": is_overdue(case, today), "today": today.isoformat(),
        "mediators": town_mediators, "assigned_ids": mediators,
        "decline_reasons": DECLINE_REASONS, "fail_routes": FAIL_ROUTES, "agreement_forms": AGREEMENT_FORMS,
        "performed": PERFORMED, "flags": cases.FLAG_LABELS, "outcomes": cases.OUTCOMES, "Assignment": Assignment,
        "outcome_lines": cases.outcome_lines(case),
        "may_flag": status is not Status.ARCHIVED and _may_act(user, Action.ASSIGN, mediators),
    }


def _audit_label(action: str) -> str:
    return documents.audit_label(action)


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def case_page(request: web.Request) -> web.StreamResponse:
    """One case: facts, parties (masked unless allowed), records, timeline, and only the allowed next actions."""
    user = current_user(request)
    assert user is not None
    case = await _load_case(request)
    return await render(request, "cases/case.html", await _case_context(request, case, user))


ActionHandler = Callable[[int, cases.Actor, Form, Any, User], Awaitable[Case]]


async def _do_accept(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    ids = [i for i in (_int(v) for v in form.getall("mediators", [])) if i]
    return await cases.accept(cid, actor, ids, due_days=s.mediation.due_days, chosen=form.get("chosen") == "1")


async def _do_replace(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    old = _int(form.get("old"))
    if old is None:
        raise TransitionRefused("请选择要更换或回避的调解员。")
    return await cases.replace_mediator(cid, actor, old, _int(form.get("new")), _text(form, "kind"),
                                        _text(form, "reason", 256))


async def _do_extend(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.extend(cid, actor, _date(form, "due_on"), form.get("consent") == "1", _text(form, "note", 256))


async def _do_schedule(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    raw = _text(form, "at")
    try:
        at = datetime.fromisoformat(raw).replace(tzinfo=TZ)
    except ValueError:
        raise TransitionRefused(f"时间格式不对：{raw[:20]}（应为 2026-03-01 09:30）") from None
    if at.date() < cases.today():
        raise TransitionRefused("约定的调解时间不能早于今天。")
    return await cases.schedule_session(cid, actor, at, _text(form, "place", 128))


async def _do_investigate(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.record_investigation(cid, actor, _date(form, "held_on", cases.today()), _text(form, "content"),
                                            _text(form, "place", 128), _text(form, "interviewee", 128),
                                            _text(form, "investigators", 128), _text(form, "recorder", 64))


async def _do_decline(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.decline(cid, actor, _text(form, "reason"), _text(form, "note"))


async def _do_assign(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    ids = [i for i in (_int(v) for v in form.getall("mediators", [])) if i]
    return await cases.assign(cid, actor, ids)


async def _do_session(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.record_session(cid, actor, _date(form, "held_on", cases.today()), _text(form, "content"),
                                      _text(form, "place", 128), _text(form, "participants", 256),
                                      _text(form, "recorder", 64))


def _amount(form: Form) -> Decimal | None:
    raw = _text(form, "amount").replace(",", "").replace("元", "")
    if not raw:
        return None
    try:
        return Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise TransitionRefused(f"金额格式不对：{raw}") from None


async def _do_agree(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    perform_by = _text(form, "perform_by")
    a = cases.AgreementIn(
        terms=_text(form, "terms", 4000), effective_on=_date(form, "effective_on", cases.today()),
        form=_text(form, "form") or "written", facts=_text(form, "facts", 4000), issues=_text(form, "issues"),
        responsibility=_text(form, "responsibility"), amount=_amount(form),
        performance=_text(form, "performance", 256), perform_by=_date(form, "perform_by") if perform_by else None,
    )
    return await cases.agree(cid, actor, a, followup_days=s.mediation.followup_days)


async def _do_fail(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.fail(cid, actor, form.getall("routes", []), _text(form, "note"))


async def _do_terminate(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.terminate(cid, actor, _text(form, "note"), reason=_text(form, "reason") or "party_withdraws")


async def _do_follow_up(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.record_follow_up(cid, actor, _date(form, "visited_on", cases.today()),
                                        _text(form, "performed"), _text(form, "satisfied") == "1",
                                        _text(form, "note"))


async def _do_apply(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.apply_confirmation(cid, actor, _date(form, "applied_on", cases.today()),
                                          _text(form, "court", 128))


async def _do_confirm(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.decide_confirmation(cid, actor, True, _date(form, "decided_on", cases.today()),
                                           _text(form, "note"))


async def _do_reject(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.decide_confirmation(cid, actor, False, _date(form, "decided_on", cases.today()),
                                           _text(form, "note"))


async def _do_reopen(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.reopen(cid, actor, _text(form, "note"), due_days=s.mediation.due_days)


async def _do_archive(cid: int, actor: cases.Actor, form: Form, s: Any, user: User) -> Case:
    return await cases.archive(cid, actor)


HANDLERS: dict[Action, ActionHandler] = {
    Action.ACCEPT: _do_accept, Action.DECLINE: _do_decline, Action.ASSIGN: _do_assign,
    Action.RECORD_SESSION: _do_session, Action.AGREE: _do_agree, Action.FAIL: _do_fail,
    Action.TERMINATE: _do_terminate, Action.FOLLOW_UP: _do_follow_up, Action.APPLY_CONFIRMATION: _do_apply,
    Action.CONFIRM: _do_confirm, Action.REJECT_CONFIRMATION: _do_reject, Action.REOPEN: _do_reopen,
    Action.ARCHIVE: _do_archive, Action.REPLACE_MEDIATOR: _do_replace, Action.EXTEND: _do_extend,
    Action.SCHEDULE: _do_schedule, Action.INVESTIGATE: _do_investigate,
}


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def act(request: web.Request) -> web.StreamResponse:
    """Perform one action on a case; the graph and the service refuse what is not allowed."""
    user = current_user(request)
    assert user is not None
    case = await _load_case(request)
    try:
        action = Action(request.match_info["action"])
    except ValueError:
        raise web.HTTPNotFound() from None
    mediators = set(await cases.mediator_ids(case.id))
    if not _may_act(user, action, mediators):
        raise web.HTTPForbidden()
    form = await form_data(request)
    try:
        await HANDLERS[action](case.id, cases.Actor(user), form, _settings(request), user)
    except (TransitionRefused, PartyInvalid) as exc:
        await flash(request, f"未保存：{exc}")
    else:
        await flash(request, f"已{action.label}。")
        await notify.kick(request.app)
    raise web.HTTPFound(f"/admin/cases/{case.id}")


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def set_flags(request: web.Request) -> web.StreamResponse:
    """Set the §25 and statistics flags."""
    user = current_user(request)
    assert user is not None
    case = await _load_case(request)
    if not _may_act(user, Action.ASSIGN, set(await cases.mediator_ids(case.id))):
        raise web.HTTPForbidden()
    form = await form_data(request)
    flags = {k: form.get(k) == "1" for k in cases.FLAG_LABELS}
    try:
        persons = {k: cases.parse_persons(k, str(form.get(field_name) or ""))
                   for k, (_, field_name) in cases.OUTCOMES.items() if field_name is not None}
        missing = [cases.FLAG_LABELS[k] for k, n in persons.items() if flags[k] and n is None]
        if missing:
            raise cases.FlagInvalid(f"勾选了“{missing[0]}”，请填写涉及人数（至少1人）。")
        await cases.set_flags(case.id, cases.Actor(user), flags, persons)
    except TransitionRefused as exc:
        await flash(request, f"未保存：{exc}")
    else:
        await flash(request, "标记和统计事项已保存。")
    raise web.HTTPFound(f"/admin/cases/{case.id}")


async def _document(request: web.Request, kind: str) -> web.StreamResponse:
    user = current_user(request)
    assert user is not None
    case = await _load_case(request)
    if not _may_see(user, case, set(await cases.mediator_ids(case.id))):
        raise web.HTTPForbidden()  # documents carry the parties' personal data
    if kind != "dossier" and kind not in documents.available(case, Status(case.status)):
        raise web.HTTPNotFound()
    try:
        data = await documents.render(kind, case.id)
    except Exception:  # any renderer failure (e.g. text the .docx format cannot hold): logged, a clear page
        log.exception("document %s of case %s failed to render", kind, case.id)
        return await error_page(request, 422, "文书生成失败：案件里有无法写入文书的内容（如特殊控制字符）。"
                                              "请检查并修改案件中的文字后重试，或联系管理员。")
    ext = "zip" if kind == "dossier" else "docx"
    name = f"{documents.TITLES[kind]}-{case.display_number}.{ext}"
    mime = "application/zip" if kind == "dossier" else (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return web.Response(body=data, headers={
        "Content-Type": mime,
        "Content-Disposition": f"attachment; filename=\"case-{case.id}-{kind}.{ext}\"; filename*=UTF-8''{quote(name)}",
    })


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def agreement_doc(request: web.Request) -> web.StreamResponse:
    """The 调解协议书 (or, for an oral agreement, the 口头调解协议登记表) as .docx."""
    case = await _load_case(request)
    agreement = await cases.current_agreement(case.id)
    return await _document(request, "oral" if agreement is not None and agreement.form == "oral" else "agreement")


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def dossier_doc(request: web.Request) -> web.StreamResponse:
    """The whole case file (卷宗) as one .docx."""
    return await _document(request, "dossier")


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def paper_doc(request: web.Request) -> web.StreamResponse:
    """One paper of the case file, by its kind (申请书, 受理登记表, 告知书, 笔录 ...)."""
    return await _document(request, request.match_info["kind"])


async def _table(request: web.Request) -> Any:
    """The table the request asks for: the user's town; for a county admin the county (every town, their sum,
    and each town's table) or one town by name."""
    from models.mediation_table import COUNTY, build, build_county, period

    user = current_user(request)
    assert user is not None
    year = _int(request.query.get("year")) or cases.today().year
    quarter = _int(request.query.get("quarter"))
    if not 2000 <= year <= 2100 or quarter not in {None, 1, 2, 3, 4}:
        raise web.HTTPNotFound()
    scope = town_scope(user)
    first, last = period(year, quarter)
    if scope is not None:
        if not await Town.exists(id=scope):
            raise web.HTTPForbidden()  # a staff account not attached to a town
        return await build(scope, first, last), year, quarter
    name = request.query.get("town", "") or COUNTY
    if name == COUNTY:
        return await build_county(first, last), year, quarter
    town = await Town.get_or_none(name=name)
    if town is None:
        raise web.HTTPNotFound()
    return await build(town.id, first, last), year, quarter


@require_role(Role.ADMIN, Role.COUNTY_ADMIN)
async def table_page(request: web.Request) -> web.StreamResponse:
    """The 人民调解工作统计表 of the town (a county admin: the county by town, or one town), year or quarter."""
    from models.mediation_table import COLUMNS, COUNTY, SCREENING, CountyTable, header_rows

    table, year, quarter = await _table(request)
    user = current_user(request)
    assert user is not None
    county = table if isinstance(table, CountyTable) else None
    shown = county.combined if county is not None else table
    return await render(request, "cases/table.html", {
        "table": shown, "county": county, "columns": COLUMNS, "year": year, "quarter": quarter,
        "rows": [*shown.rows, shown.total], "header": header_rows("纠纷类型"),
        "town_header": header_rows("乡镇", tuple(label for _, label in SCREENING)),
        "town_rows": list(zip(county.town_rows, [t.screening for t in county.towns] + [shown.screening],
                              strict=True)) if county is not None else [],
        "screening_keys": [name for name, _ in SCREENING],
        "towns": [str(n) for n in await Town.all().order_by("id").values_list("name", flat=True)]
        if town_scope(user) is None else [],
        "town": request.query.get("town", "") or COUNTY, "county_name": COUNTY,
        "years": list(range(cases.today().year, cases.today().year - 6, -1)),
    })


@require_role(Role.ADMIN, Role.COUNTY_ADMIN)
async def table_xlsx(request: web.Request) -> web.StreamResponse:
    """The same table as .xlsx (the county's with a sheet per town)."""
    from models.mediation_table import CountyTable, to_xlsx

    table, year, quarter = await _table(request)
    where = table.name if isinstance(table, CountyTable) else table.town
    name = f"人民调解工作统计表-{where}-{year}" + (f"-Q{quarter}" if quarter else "") + ".xlsx"
    return web.Response(body=to_xlsx(table), headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f"attachment; filename=\"mediation-{year}.xlsx\"; filename*=UTF-8''{quote(name)}",
    })


def setup(app: web.Application) -> None:
    """Register the case pages."""
    app.router.add_get("/admin/cases/table", table_page, name="admin_case_table")
    app.router.add_get("/admin/cases/table.xlsx", table_xlsx, name="admin_case_table_xlsx")
    app.router.add_get("/admin/cases", board_page, name="admin_cases")
    app.router.add_get("/admin/cases/mine", my_cases, name="admin_my_cases")
    app.router.add_get("/admin/cases/new", new_case_form, name="admin_case_new")
    app.router.add_post("/admin/cases/new", create_case, name="admin_case_create")
    app.router.add_get("/admin/cases/{case_id:\\d+}", case_page, name="admin_case")
    app.router.add_post("/admin/cases/{case_id:\\d+}/act/{action}", act, name="admin_case_act")
    app.router.add_post("/admin/cases/{case_id:\\d+}/flags", set_flags, name="admin_case_flags")
    app.router.add_get("/admin/cases/{case_id:\\d+}/agreement.docx", agreement_doc, name="admin_case_agreement")
    app.router.add_get("/admin/cases/{case_id:\\d+}/dossier.zip", dossier_doc, name="admin_case_dossier")
    app.router.add_get("/admin/cases/{case_id:\\d+}/papers/{kind:[a-z_]+}.docx", paper_doc, name="admin_case_paper")
    case_parties.setup(app)
