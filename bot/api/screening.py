"""矛盾纠纷排查 endpoints: log a screening, list one's own (staff: the town's), withdraw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from bot.api.auth import current_user
from bot.api.errors import ApiError, json_response
from bot.api.spec import ApiSpec, body, params, path_id, query_int
from models.activities import ActivityError, find_village
from models.core import Role
from models.parsing import today
from models.screening import (
    MAX_FOUND,
    Screening,
    ScreeningError,
    ScreeningLevel,
    ScreeningSource,
    create_screening,
    screening_to_withdraw,
    withdraw_screening,
)

SCREENERS = (Role.HELPER, Role.ADMIN, Role.COUNTY_ADMIN)
STAFF = (Role.ADMIN, Role.COUNTY_ADMIN)


def _error(exc: ScreeningError) -> ApiError:
    status = {"exists": 409, "forbidden": 403, "withdrawn": 409, "conflict": 409}.get(exc.code, 422)
    message = exc.message if exc.existing is None else f"{exc.message}（existing_id={exc.existing}）"
    return ApiError(status, exc.code, message, exc.field)


async def _json(s: Screening) -> dict[str, Any]:
    await s.fetch_related("village")
    return {
        "id": s.id, "date": s.date.isoformat(), "level": ScreeningLevel(s.level).value,
        "village_id": s.village_id, "village_name": s.village.name if s.village else "",
        "organiser": s.organiser, "scope": s.scope, "found": s.found, "resolved": s.resolved,
        "registered": s.registered, "measures": s.measures, "note": s.note, "withdrawn": s.withdrawn,
        "created_at": s.created_at.isoformat(),
    }


async def create(request: web.Request) -> web.Response:
    """Log a screening; the same submission twice answers 409 with the existing record's number."""
    caller = await current_user(request, *SCREENERS)
    data = body(request)
    values: dict[str, Any] = {k: data[k] for k in ("level", "village_id", "organiser", "scope", "found", "resolved",
                                                   "registered", "measures", "note") if k in data}
    try:
        values["date"] = dt.date.fromisoformat(data["date"])
    except ValueError:
        raise ApiError(422, "invalid", "日期格式不对，请写成 2026-05-12。", "date") from None
    if "village_name" in data:
        try:
            values["village_id"] = (await find_village(caller.town_id, data["village_name"])).id
        except ActivityError as exc:
            raise ApiError(422, exc.code, exc.message, "village_name") from None
    try:
        saved = await create_screening(caller.town_id, caller.user, values, source=ScreeningSource.API,
                                       today=today())
    except ScreeningError as exc:
        raise _error(exc) from None
    return json_response(await _json(saved), status=201)


async def list_mine(request: web.Request) -> web.Response:
    """The caller's screenings (staff: their town's), newest first."""
    caller = await current_user(request, *SCREENERS)
    p = params(request)
    query = Screening.filter(town_id=caller.town_id) if caller.role in STAFF \
        else Screening.filter(author_id=caller.user.id)  # type: ignore[union-attr]
    total = await query.count()
    rows = await query.order_by("-date", "-id").offset(p["offset"]).limit(p["limit"])
    return json_response({"total": total, "items": [await _json(s) for s in rows]})


async def withdraw(request: web.Request) -> web.Response:
    """Withdraw a screening (its author or the town's staff): kept, no longer counted."""
    caller = await current_user(request, *SCREENERS)
    found = await screening_to_withdraw(params(request)["id"], town_id=caller.town_id,
                                        user_id=caller.user.id if caller.user else None, role=caller.role)
    if found is None:
        raise ApiError(404, "not_found", "没有找到这条排查记录。")
    try:
        await withdraw_screening(found)
    except ScreeningError as exc:
        raise _error(exc) from None
    return json_response(await _json(found))


def register(api: web.Application, spec: ApiSpec) -> None:
    """Routes: /screenings, /screenings/{id}."""
    count = {"type": "integer", "minimum": 0, "maximum": MAX_FOUND}
    text = {"type": "string", "maxLength": 500}
    fields: dict[str, Any] = {
        "date": {"type": "string", "format": "date", "description": "排查日期，不能是未来"},
        "level": {"type": "string", "enum": [x.value for x in ScreeningLevel],
                  "description": "village=村级排查，town=镇级排查（镇工作人员）"},
        "village_id": {"type": "integer", "nullable": True, "minimum": 1, "maximum": 2**31 - 1},
        "village_name": {"type": "string", "maxLength": 64, "description": "也可以用村名代替 village_id"},
        "organiser": {"type": "string", "maxLength": 64, "description": "排查人，默认登记人"},
        "scope": {"type": "string", "maxLength": 200, "description": "排查范围"},
        "found": {**count, "description": "发现矛盾纠纷件数"},
        "resolved": {**count, "description": "其中当场化解件数"},
        "registered": {**count, "description": "其中登记进入人民调解程序件数"},
        "measures": {**text, "description": "稳控措施"},
        "note": text,
    }
    new = spec.schema("ScreeningNew", {"type": "object", "additionalProperties": False,
                                       "required": ["date", "found"], "properties": fields})
    out_fields = {k: v for k, v in fields.items() if k != "village_name"}
    item = spec.schema("Screening", {
        "type": "object",
        "required": ["id", "date", "level", "village_id", "village_name", "found", "resolved", "registered",
                     "withdrawn"],
        "properties": {"id": {"type": "integer"}, **out_fields, "village_name": {"type": "string"},
                       "withdrawn": {"type": "boolean"}, "created_at": {"type": "string"}},
    })
    spec.route(api, "GET", "/screenings", list_mine, summary="排查记录（本人；镇工作人员为全镇）", tag="outreach",
               params=[query_int("limit", 20, 1, 100), query_int("offset", 0, 0, 1_000_000)],
               response={"type": "object", "required": ["total", "items"], "properties": {
                   "total": {"type": "integer"}, "items": {"type": "array", "items": item}}})
    spec.route(api, "POST", "/screenings", create, summary="登记矛盾纠纷排查", tag="outreach", body=new,
               response=item, status=201)
    spec.route(api, "DELETE", "/screenings/{id}", withdraw, summary="撤回排查记录", tag="outreach",
               params=[path_id()], response=item)
