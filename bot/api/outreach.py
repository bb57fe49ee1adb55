"""Outreach endpoints: villages, forms, the caller's own activities (create/list/update/withdraw), photos."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot import keys
from bot.api.auth import Caller, current_user
from bot.api.json_errors import ApiError, error_response, json_response
from bot.api.spec import ApiSpec, body, params, path_id, query_int
from knowledge.wording.dates import parse_date
from knowledge.wording.errors import ParseError
from models.core import Role, Village
from models.outreach import KIND_LABELS, SIX_TARGETS, Activity, ActivityKind, ActivityPhoto, ActivitySource
from services.activities import (
    TOWN_KINDS,
    ActivityError,
    DuplicateActivity,
    add_photo,
    check_photo_room,
    create_activity,
    edit_refusal,
    find_village,
    normalize_form,
    update_activity,
    withdraw_activity,
)

LOGGERS = (Role.HELPER, Role.ADMIN, Role.COUNTY_ADMIN)
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"GIF8": "image/gif"}


def _activity_error(exc: ActivityError) -> ApiError:
    status = {"forbidden": 403, "edit_window_closed": 403, "town_kind": 403, "withdrawn": 409,
              "too_many_photos": 409}.get(exc.code, 422)
    return ApiError(status, exc.code, exc.message, exc.field)


async def _activity_json(a: Activity, caller: Caller) -> dict[str, Any]:
    await a.fetch_related("village", "photos")
    return {
        "id": a.id,
        "kind": ActivityKind(a.kind).value,
        "kind_label": KIND_LABELS[ActivityKind(a.kind)],
        "date": a.date.isoformat(),
        "village_id": a.village.id if a.village else None,
        "village_name": a.village.name if a.village else "",
        "form": a.form,
        "six_target": a.six_target,
        "theme": a.theme,
        "place": a.place,
        "audience": a.audience,
        "participants": a.participants,
        "materials": a.materials,
        "consultations": a.consultations,
        "organiser": a.organiser,
        "withdrawn": a.withdrawn,
        "photos": [{"id": p.id, "size": p.size} for p in sorted(a.photos, key=lambda p: p.id)],
        "created_at": a.created_at.isoformat(),
        "updated_at": a.updated_at.isoformat(),
    }


async def villages(request: web.Request) -> web.Response:
    """The villages of the caller's town."""
    caller = await current_user(request)
    rows = await Village.filter(town_id=caller.town_id).order_by("name")
    return json_response({"items": [{"id": v.id, "name": v.name, "households": v.households} for v in rows]})


async def forms(request: web.Request) -> web.Response:
    """What a form may contain: kinds, activity forms, 六进 targets, count limits."""
    settings = request.config_dict[keys.SETTINGS]
    return json_response({
        "kinds": [{"code": k.value, "label": k.label, "staff_only": k in TOWN_KINDS} for k in ActivityKind],
        "forms": list(settings.outreach.form_list),
        "six_targets": list(SIX_TARGETS),
        "edit_window_days": settings.outreach.edit_window_days,
    })


async def _values(request: web.Request, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    settings = request.config_dict[keys.SETTINGS]
    values: dict[str, Any] = {}
    try:
        for k in ("kind", "theme", "place", "audience", "participants", "materials", "consultations", "six_target"):
            if k in body:
                values[k] = body[k]
        if "kind" in values:
            values["kind"] = ActivityKind(values["kind"])
        if "date" in body:
            values["date"] = parse_date(body["date"])  # the one date reader of every door
        if "form" in body:
            values["form"] = normalize_form(body["form"], settings.outreach.form_list)
        if "village_id" in body:
            vid = body["village_id"]
            if vid is not None and not await Village.exists(id=vid, town_id=caller.town_id):
                raise ActivityError("本镇没有这个村，请从村列表中选择。", code="unknown_village", field="village_id")
            values["village_id"] = vid
        if "village_name" in body:
            values["village_id"] = (await find_village(caller.town_id, body["village_name"])).id
    except ActivityError as exc:
        raise _activity_error(exc) from None
    except ParseError as exc:
        raise ApiError(422, "invalid", str(exc), "date") from None
    return values


async def create(request: web.Request) -> web.Response:
    """Log an activity."""
    caller = await current_user(request, *LOGGERS)
    values = await _values(request, caller, body(request))
    values.setdefault("village_id", None)
    idempotency_key = request.headers.get("Idempotency-Key", "")[:128]
    try:
        activity = await create_activity(caller.town_id, caller.user, values, source=ActivitySource.API,
                                         idempotency_key=idempotency_key)
    except DuplicateActivity as exc:
        if exc.same_submission:  # a retry of one submission gets what the first one got
            return json_response(await _activity_json(exc.existing, caller), status=201)
        return error_response(409, exc.code, exc.message, "", existing_id=exc.existing.id)
    except ActivityError as exc:
        raise _activity_error(exc) from None
    return json_response(await _activity_json(activity, caller), status=201)


async def list_own(request: web.Request) -> web.Response:
    """The caller's own entries, newest first."""
    caller = await current_user(request, *LOGGERS)
    p = params(request)
    query = Activity.filter(author_id=caller.user.id)  # type: ignore[union-attr]
    total = await query.count()
    rows = await query.order_by("-date", "-id").offset(p["offset"]).limit(p["limit"])
    return json_response({"total": total, "items": [await _activity_json(a, caller) for a in rows]})


async def _own(request: web.Request, *, editing: bool) -> tuple[Caller, Activity]:
    caller = await current_user(request, *LOGGERS)
    activity = await Activity.get_or_none(id=params(request)["id"])
    staff = caller.role in (Role.ADMIN, Role.COUNTY_ADMIN)
    if activity is None or (activity.author_id != caller.user.id and not staff):  # type: ignore[attr-defined,union-attr]
        raise ApiError(404, "not_found", "没有找到这条记录。")
    if caller.role == Role.ADMIN and activity.town_id != caller.town_id:  # type: ignore[attr-defined]
        raise ApiError(404, "not_found", "没有找到这条记录。")
    if editing:
        window = request.config_dict[keys.SETTINGS].outreach.edit_window_days
        refusal = edit_refusal(activity, caller.user.id, caller.role, caller.town_id, window)  # type: ignore[union-attr]
        if refusal:
            raise _activity_error(refusal)
    return caller, activity


async def get_one(request: web.Request) -> web.Response:
    """One of the caller's entries."""
    caller, activity = await _own(request, editing=False)
    return json_response(await _activity_json(activity, caller))


async def update(request: web.Request) -> web.Response:
    """Correct an entry (author within the edit window, admins any time); audited."""
    caller, activity = await _own(request, editing=True)
    values = await _values(request, caller, body(request))
    try:
        await update_activity(activity, caller.user, values)
    except ActivityError as exc:
        raise _activity_error(exc) from None
    return json_response(await _activity_json(activity, caller))


async def withdraw(request: web.Request) -> web.Response:
    """Withdraw an entry: kept in the audit trail, no longer counted."""
    caller, activity = await _own(request, editing=True)
    try:
        await withdraw_activity(activity, caller.user)
    except ActivityError as exc:
        raise _activity_error(exc) from None
    return json_response(await _activity_json(activity, caller))


async def upload_photo(request: web.Request) -> web.Response:
    """Attach a photo (multipart field "file"; JPEG, PNG or GIF; size-limited)."""
    caller, activity = await _own(request, editing=True)
    try:
        await check_photo_room(activity)  # before reading the upload
    except ActivityError as exc:
        raise _activity_error(exc) from None
    limit = request.config_dict[keys.SETTINGS].outreach.photo_max_bytes
    if not request.content_type.startswith("multipart/"):
        raise ApiError(415, "unsupported_media_type", "请用 multipart/form-data 上传，字段名为 file。")
    try:
        reader = await request.multipart()
        data = None
        while (part := await reader.next()) is not None:
            if getattr(part, "name", None) == "file":
                data = await _read_limited(part, limit)
                break
    except (ValueError, AssertionError, LookupError, RuntimeError, EOFError):  # malformed multipart, odd charsets
        raise ApiError(400, "invalid", "上传内容格式不对，请用 multipart/form-data，字段名为 file。") from None
    if data is None:
        raise ApiError(400, "invalid", "没有收到照片（字段名应为 file）。", "file")
    content_type = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise ApiError(415, "unsupported_media_type", "只支持 JPG、PNG、GIF 格式的照片。", "file")
    try:
        photo = await add_photo(activity, caller.user, data=data, size=len(data), content_type=content_type)
    except ActivityError as exc:
        raise _activity_error(exc) from None
    return json_response({"id": photo.id, "size": photo.size, "content_type": content_type}, status=201)


async def _read_limited(part: Any, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"照片太大了，请压缩到{limit // 1024 // 1024 or 1}MB以内。", "file")
        chunks.append(chunk)
    return b"".join(chunks)


async def get_photo(request: web.Request) -> web.StreamResponse:
    """The bytes of an uploaded photo."""
    _, activity = await _own(request, editing=False)
    photo = await ActivityPhoto.get_or_none(id=params(request)["photo_id"], activity=activity)
    if photo is None or photo.data is None:
        raise ApiError(404, "not_found", "没有找到这张照片。")
    return web.Response(body=photo.data, content_type=photo.content_type or "application/octet-stream")


def register(api: web.Application, spec: ApiSpec) -> None:
    """Routes: /villages, /forms, /activities..., /activities/{id}/photos."""
    count = {"type": "integer", "minimum": 0}
    fields: dict[str, Any] = {
        "kind": {"type": "string", "enum": [k.value for k in ActivityKind],
                 "description": "publicity=普法宣传活动, training=普法专题培训, meeting=法治建设专题会议"
                                " (training、meeting 只有镇里的工作人员可以登记)"},
        "date": {"type": "string", "format": "date", "description": "开展日期，不能是未来"},
        "village_id": {"type": "integer", "nullable": True, "minimum": 1, "maximum": 2**31 - 1,
                       "description": "村编号；镇级培训/会议为 null"},
        "village_name": {"type": "string", "maxLength": 64, "description": "也可以用村名代替 village_id"},
        "form": {"type": "string", "maxLength": 32, "description": "活动形式（见 /forms），可为空"},
        "six_target": {"type": "string", "enum": ["", *SIX_TARGETS], "description": "六进对象，可为空"},
        "theme": {"type": "string", "maxLength": 200},
        "place": {"type": "string", "maxLength": 100},
        "audience": {"type": "string", "maxLength": 32, "description": "受众，如 村民、中小学生、企业职工，可为空"},
        "participants": {**count, "maximum": 5000},
        "materials": {**count, "maximum": 100000},
        "consultations": {**count, "maximum": 5000},
    }
    new = spec.schema("ActivityNew", {"type": "object", "additionalProperties": False,
                                      "required": ["kind", "date"], "properties": fields})
    patch = spec.schema("ActivityPatch", {"type": "object", "additionalProperties": False, "minProperties": 1,
                                          "properties": fields})
    out_props = {k: v for k, v in fields.items() if k != "village_name"}
    activity = spec.schema("Activity", {
        "type": "object",
        "required": ["id", "kind", "kind_label", "date", "village_id", "village_name", "form", "six_target", "theme",
                     "place", "audience", "participants", "materials", "consultations", "organiser", "withdrawn",
                     "photos",
                     "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"}, **out_props, "kind_label": {"type": "string"},
            "village_name": {"type": "string"}, "organiser": {"type": "string"},
            "withdrawn": {"type": "boolean"},
            "photos": {"type": "array", "items": {"type": "object", "required": ["id", "size"], "properties": {
                "id": {"type": "integer"}, "size": {"type": "integer"}}}},
            "created_at": {"type": "string"}, "updated_at": {"type": "string"},
        },
    })
    spec.route(api, "GET", "/villages", villages, summary="本镇村列表", tag="outreach", response={
        "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "households"], "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "households": {"type": "integer"}}}}}})
    spec.route(api, "GET", "/forms", forms, summary="活动类别、形式与六进选项", tag="outreach", auth=False, response={
        "type": "object", "required": ["kinds", "forms", "six_targets", "edit_window_days"], "properties": {
            "kinds": {"type": "array", "items": {"type": "object", "required": ["code", "label"], "properties": {
                "code": {"type": "string"}, "label": {"type": "string"},
                "staff_only": {"type": "boolean",
                               "description": "镇级类别：只有镇里的工作人员可以登记，法律明白人登记答 403"}}}},
            "forms": {"type": "array", "items": {"type": "string"}},
            "six_targets": {"type": "array", "items": {"type": "string"}},
            "edit_window_days": {"type": "integer"}}})
    spec.route(api, "GET", "/activities", list_own, summary="我登记的活动", tag="outreach",
               params=[query_int("limit", 20, 1, 100), query_int("offset", 0, 0, 1_000_000)],
               response={"type": "object", "required": ["total", "items"], "properties": {
                   "total": {"type": "integer"}, "items": {"type": "array", "items": activity}}})
    spec.route(api, "POST", "/activities", create, tag="outreach", body=new, response=activity,
               summary="登记活动（可带 Idempotency-Key 请求头：同一次提交重试不会重复登记；"
                       "内容完全相同的记录答 409 并给出 existing_id）",
               status=201)
    spec.route(api, "GET", "/activities/{id}", get_one, summary="查看一条记录", tag="outreach",
               params=[path_id()], response=activity)
    spec.route(api, "PATCH", "/activities/{id}", update, summary="更正记录（7天内，管理员不限）", tag="outreach",
               params=[path_id()], body=patch, response=activity)
    spec.route(api, "DELETE", "/activities/{id}", withdraw, summary="撤回记录（保留修改痕迹）", tag="outreach",
               params=[path_id()], response=activity)
    spec.route(api, "POST", "/activities/{id}/photos", upload_photo, summary="上传照片", tag="outreach",
               params=[path_id()], status=201,
               extra_content={"multipart/form-data": {"schema": {
                   "type": "object", "required": ["file"],
                   "properties": {"file": {"type": "string", "format": "binary"}}}}},
               response={"type": "object", "required": ["id", "size", "content_type"], "properties": {
                   "id": {"type": "integer"}, "size": {"type": "integer"}, "content_type": {"type": "string"}}})
    spec.route(api, "GET", "/activities/{id}/photos/{photo_id}", get_photo, summary="照片内容", tag="outreach",
               params=[path_id(), path_id("photo_id", "照片编号")],
               response_content={"image/*": {"schema": {"type": "string", "format": "binary"}}})
