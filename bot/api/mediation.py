"""Mediation endpoints of the mini-program: apply (申请调解 / 主动调解), my cases, one of my cases."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from bot import keys
from bot.api.auth import Caller, current_caller
from bot.api.json_errors import ApiError, json_response
from bot.api.spec import ApiSpec, Param, body, params, query_int
from models.core import Role, Village
from models.mediation import Assignment, Case, Source, Status
from services import cases
from services.case_flow import NEXT_STEP_TEXT
from services.case_types import case_types
from services.identities import same_person_openids

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
REPORTERS = (Role.HELPER, Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)


async def _case_json(case: Case) -> dict[str, Any]:
    status = Status(case.status)
    rows = await Assignment.filter(case=case, ended_at__isnull=True).order_by("-lead", "id").prefetch_related(
        "mediator")
    return {
        "id": case.id, "number": case.number, "reg_number": case.reg_number, "case_type": case.case_type,
        "source": case.source.value,
        "status": status.value, "status_label": status.label, "next_step": NEXT_STEP_TEXT[status],
        "village_name": case.village_name, "registered_at": case.registered_at.isoformat(),
        "mediators": [a.mediator.display_name for a in rows],
    }


async def _own(caller: Caller) -> Any:
    from tortoise.expressions import Q

    openids = await same_person_openids(caller.openid)  # the chat's cases too: one person, two apps
    return Q(applicant_openid__in=openids) | Q(reporter_openid__in=openids)


def _phone(value: str, field: str, required: bool) -> str:
    v = value.strip().replace(" ", "")
    if not v and not required:
        return ""
    if not PHONE.match(v):
        raise ApiError(400, "invalid", "电话号码格式不对，请填写11位手机号或带区号的座机号。", field)
    return v


def _actor_label(caller: Caller, source: Source) -> str:
    if source is Source.APPLIED:
        return "申请人（小程序）"
    return caller.user.display_name if caller.user is not None else ""


async def create(request: web.Request) -> web.Response:
    """Apply for mediation (any caller), or report a dispute found (主动调解: helpers and staff)."""
    caller = await current_caller(request)
    data = body(request)
    source = Source(data.get("source", Source.APPLIED.value))
    if source is Source.INITIATIVE and (caller.user is None or caller.role not in REPORTERS):
        raise ApiError(403, "forbidden", "主动调解登记供法律明白人和调解员使用；本人申请请选择“申请调解”。", "source")
    village = await Village.get_or_none(id=data["village_id"], town_id=caller.town_id)
    if village is None:
        raise ApiError(400, "invalid", "请选择本镇的村。", "village_id")
    summary = data["summary"].strip()
    if len(summary) < 10:
        raise ApiError(400, "invalid", "请把纠纷经过写具体一点（至少10个字）。", "summary")
    applicant_phone = _phone(data.get("applicant_phone", ""), "applicant_phone", source is Source.APPLIED)
    other_phone = _phone(data.get("other_phone", ""), "other_phone", False)
    for field in ("applicant_name", "other_name"):
        if not data[field].strip():
            raise ApiError(400, "invalid", "请填写姓名。", field)
    new = cases.NewCase(
        town_id=caller.town_id, case_type=data["case_type"], summary=summary,
        parties=[cases.PartyIn(data["applicant_name"].strip(), "applicant", applicant_phone),
                 cases.PartyIn(data["other_name"].strip(), "respondent", other_phone)],
        source=source, village_id=village.id,
        applicant_openid=caller.openid if source is Source.APPLIED else None,
        reporter_openid=caller.openid if source is Source.INITIATIVE else None,
        registered_by_id=caller.user.id if caller.user is not None and source is Source.INITIATIVE else None,
        actor_label=_actor_label(caller, source),
    )
    try:
        case = await cases.register_case(new, due_days=request.config_dict[keys.SETTINGS].mediation.due_days)
    except cases.PartyInvalid as exc:
        raise ApiError(400, "invalid", str(exc), "applicant_name") from None
    return json_response(await _case_json(case), status=201)


async def list_own(request: web.Request) -> web.Response:
    """The caller's own cases (applied for or reported), newest first."""
    caller = await current_caller(request)
    limit = params(request)["limit"]
    found = await Case.filter(await _own(caller)).order_by("-id").limit(limit)
    return json_response({"items": [await _case_json(c) for c in found]})


async def get_own(request: web.Request) -> web.Response:
    """One of the caller's cases; anybody else's is 'not found'."""
    caller = await current_caller(request)
    case = await Case.filter(await _own(caller)).get_or_none(id=params(request)["id"])
    if case is None:
        raise ApiError(404, "not_found", "没有找到这个案件。")
    return json_response(await _case_json(case))


def register(api: web.Application, spec: ApiSpec) -> None:
    """Add the mediation routes and their schemas."""
    new = spec.schema("CaseNew", {
        "type": "object", "additionalProperties": False,
        "required": ["case_type", "village_id", "applicant_name", "other_name", "summary"],
        "properties": {
            "case_type": {"type": "string", "enum": list(case_types()),
                          "description": "纠纷类型（15类及本地增加的类型）"},
            "source": {"type": "string", "enum": [Source.APPLIED.value, Source.INITIATIVE.value],
                       "default": Source.APPLIED.value},
            "village_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},  # an INT column
            "applicant_name": {"type": "string", "minLength": 1, "maxLength": 64},
            "applicant_phone": {"type": "string", "maxLength": 32, "description": "申请调解时必填"},
            "other_name": {"type": "string", "minLength": 1, "maxLength": 64},
            "other_phone": {"type": "string", "maxLength": 32},
            "summary": {"type": "string", "minLength": 1, "maxLength": 600, "description": "纠纷经过（10字以上）"},
        },
    })
    case = spec.schema("Case", {
        "type": "object",
        "required": ["id", "number", "reg_number", "case_type", "source", "status", "status_label", "next_step",
                     "village_name", "registered_at", "mediators"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": ["string", "null"], "description": "调解案号，受理时编号，如〔2026〕江湾调字第12号"},
            "reg_number": {"type": "string", "description": "登记号，登记时编号，如〔2026〕江湾登字第12号"},
            "case_type": {"type": "string"}, "source": {"type": "string"},
            "status": {"type": "string", "enum": [s.value for s in Status]}, "status_label": {"type": "string"},
            "next_step": {"type": "string"}, "village_name": {"type": "string"},
            "registered_at": {"type": "string", "format": "date-time"},
            "mediators": {"type": "array", "items": {"type": "string"}},
        },
    })
    spec.route(api, "POST", "/cases", create, summary="申请调解（或法律明白人登记主动调解）", tag="mediation",
               body=new, response=case, status=201)
    spec.route(api, "GET", "/cases", list_own, summary="我的调解案件", tag="mediation",
               params=[query_int("limit", 20, 1, 100, "最多返回几件")],
               response={"type": "object", "required": ["items"],
                         "properties": {"items": {"type": "array", "items": case}}})
    spec.route(api, "GET", "/cases/{id}", get_own, summary="查看我的案件", tag="mediation", response=case,
               params=[Param("id", "path", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, True,
                             "案件编号")])  # cases have INT ids
