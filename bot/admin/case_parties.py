"""Console: complete and correct a case's parties until archiving (every change audited by the service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.admin.web import current_user, flash, form_data, require_role, town_scope
from models.core import Role
from models.mediation import Case, Party
from services import cases
from services.case_flow import TransitionRefused
from services.party_rules import PartyIn, PartyInvalid

Form = MultiDictProxy[Any]
FIELDS = ("side", "kind", "name", "phone", "address", "gender", "ethnicity", "occupation", "id_number",
          "credit_code", "legal_rep", "legal_rep_title", "agent_name", "agent_relation", "agent_phone")


def party_from_form(form: Form, prefix: str = "", side: str = "") -> PartyIn:
    """A PartyIn from the fields of _party_fields.html (with a prefix); a bad date is a Chinese error."""
    values = {k: str(form.get(prefix + k, "")).strip()[:128] for k in FIELDS}
    values["side"] = side or values["side"] or "applicant"
    values["kind"] = values["kind"] or "person"
    raw = str(form.get(prefix + "birth_date", "")).strip()
    try:
        born = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise PartyInvalid(f"出生日期格式不对：{raw[:20]}（应为 1980-03-01）") from None
    return PartyIn(birth_date=born, **values)


def party_values(p: Party) -> dict[str, Any]:
    """A party row as the form's values."""
    return {k: getattr(p, k) for k in (*FIELDS, "birth_date")}


async def _case_of(request: web.Request) -> Case:
    user = current_user(request)
    assert user is not None
    case = await Case.get_or_none(id=int(request.match_info["case_id"]))
    scope = town_scope(user)
    if case is None or (scope is not None and case.town_id != scope):  # type: ignore[attr-defined]
        raise web.HTTPNotFound()
    may = Role(user.role) in {Role.ADMIN, Role.COUNTY_ADMIN} or user.id in await cases.mediator_ids(case.id)
    if not may:
        raise web.HTTPForbidden()  # parties' details are for the case's own mediators and admins
    return case


async def _done(request: web.Request, case: Case, ok: str, exc: Exception | None) -> web.StreamResponse:
    await flash(request, f"未保存：{exc}" if exc else ok)
    raise web.HTTPFound(f"/admin/cases/{case.id}#parties")


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def add_party(request: web.Request) -> web.StreamResponse:
    """Add a party (申请人、被申请人或第三人; person or organisation)."""
    case = await _case_of(request)
    form = await form_data(request)  # control characters dropped
    try:
        await cases.add_party(case.id, cases.Actor(current_user(request)), party_from_form(form))
    except (PartyInvalid, TransitionRefused) as exc:
        return await _done(request, case, "", exc)
    return await _done(request, case, "已增加当事人。", None)


@require_role(Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)
async def edit_party(request: web.Request) -> web.StreamResponse:
    """Save a party's corrected details."""
    case = await _case_of(request)
    party = await Party.get_or_none(id=int(request.match_info["party_id"]), case=case)
    if party is None:
        raise web.HTTPNotFound()
    form = await form_data(request)  # control characters dropped
    try:
        if form.get("remove") == "1":
            await cases.remove_party(party.id, cases.Actor(current_user(request)), str(form.get("reason", "")))
            return await _done(request, case, "已删除该当事人。", None)
        await cases.update_party(party.id, cases.Actor(current_user(request)), party_from_form(form))
    except (PartyInvalid, TransitionRefused) as exc:
        return await _done(request, case, "", exc)
    return await _done(request, case, "当事人信息已保存。", None)


def setup(app: web.Application) -> None:
    """Register the party routes."""
    app.router.add_post("/admin/cases/{case_id:\\d+}/parties", add_party, name="admin_case_party_add")
    app.router.add_post("/admin/cases/{case_id:\\d+}/parties/{party_id:\\d+}", edit_party,
                        name="admin_case_party_edit")
