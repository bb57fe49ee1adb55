"""The people list at scale (search, village, role, bound or not, pages) and invite sheets from the console."""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from bot.admin.web import ADMIN_ROLES, current_user, flash, require_role, town_scope
from bot.wechat.invite_sheets import MAX_DAYS, issue_sheets
from bot.wechat.platform import PLATFORM
from models.core import Role, Town, User, Village, WeChatIdentity
from services.invites import bound_user_ids

log = logging.getLogger("mingbai.admin")

PER_PAGE = 50


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@dataclass
class Listing:
    """One page of people and what the filters were."""

    users: list[User]
    bound: set[int]
    total: int
    page: int
    pages: int
    filters: dict[str, str]

    def link(self, page: int) -> str:
        """The URL of another page with the same filters."""
        return "/admin/users?" + urlencode({**{k: v for k, v in self.filters.items() if v}, "page": page})


def _filtered(qs: QuerySet[User], q: str, role: str, village_id: int | None, bound: str) -> QuerySet[User]:
    if role in {r.value for r in Role}:
        qs = qs.filter(role=role)
    if village_id:
        qs = qs.filter(village_id=village_id)
    words = q.strip()[:64]
    if words:
        qs = qs.filter(Q(display_name__icontains=words) | Q(phone__contains=words) | Q(village__name__icontains=words))
    linked = Subquery(WeChatIdentity.filter(user_id__not_isnull=True).values("user_id"))
    if bound == "yes":
        qs = qs.filter(Q(openid__not_isnull=True) | Q(id__in=linked))
    elif bound == "no":
        qs = qs.filter(openid__isnull=True).exclude(id__in=linked)
    return qs


async def people_listing(actor: User, query: Any) -> Listing:
    """The page of people the query asks for: name/phone/village words, role, village, bound, page."""
    scope = town_scope(actor)
    qs = User.all() if scope is None else User.filter(town_id=scope)
    filters = {k: str(query.get(k, "")) for k in ("q", "role", "village", "bound")}
    qs = _filtered(qs, filters["q"], filters["role"], _int(filters["village"]), filters["bound"])
    total = await qs.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, _int(query.get("page")) or 1), pages)
    users = await qs.order_by("role", "village_id", "id").offset((page - 1) * PER_PAGE).limit(PER_PAGE) \
        .prefetch_related("village", "town")
    return Listing(users, await bound_user_ids([u.id for u in users]), total, page, pages, filters)


@require_role(*ADMIN_ROLES)
async def invite_sheets(request: web.Request) -> web.StreamResponse:
    """Issue codes for the helpers not yet bound (one village or all) and download the sheets (docx, or a zip)."""
    actor = current_user(request)
    assert actor is not None
    form = await request.post()
    scope = town_scope(actor)
    village = await Village.get_or_none(id=_int(form.get("village")) or 0) if form.get("village") else None
    if form.get("village") and (village is None or (scope is not None and village.town_id != scope)):  # type: ignore[attr-defined]
        raise web.HTTPNotFound()
    town_id = village.town_id if village is not None else scope  # type: ignore[attr-defined]
    if town_id is None:
        await flash(request, "请先选择一个村（县级管理员按村生成）。")
        raise web.HTTPFound("/admin/users")
    town = await Town.get(id=town_id)
    days = min(max(_int(form.get("days")) or MAX_DAYS, 1), MAX_DAYS)
    sheets = await issue_sheets(request.app[PLATFORM].oa, town.id, town.name, days=days,
                                renew=form.get("renew") == "1", village_id=village.id if village else None)
    if not sheets.files:
        await flash(request, "没有需要生成邀请码的人员（都已绑定微信，或已有未过期的邀请码；可勾选“重新生成”）。")
        raise web.HTTPFound("/admin/users")
    if len(sheets.files) == 1:
        name, data = next(iter(sheets.files.items()))
        return _download(f"{town.name}{name}邀请码.docx", data,
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sheets.files.items():
            z.writestr(f"{name}邀请码.docx", data)
    return _download(f"{town.name}邀请码.zip", buf.getvalue(), "application/zip")


@require_role(*ADMIN_ROLES)
async def person_invite(request: web.Request) -> web.StreamResponse:
    """A new invite code and QR code for one person not yet bound (a mediator, a helper added by hand)."""
    actor = current_user(request)
    assert actor is not None
    user = await User.get_or_none(id=_int(request.match_info["user_id"]) or 0).prefetch_related("town")
    scope = town_scope(actor)
    if user is None or user.town is None or (scope is not None and user.town.id != scope):
        raise web.HTTPNotFound()
    if not user.active or Role(user.role) is Role.VILLAGER or await bound_user_ids([user.id]):
        await flash(request, f"{user.display_name}已绑定微信、已停用或是村民，不需要邀请码。")
        raise web.HTTPFound(f"/admin/users/{user.id}")
    sheets = await issue_sheets(request.app[PLATFORM].oa, user.town.id, user.town.name, days=MAX_DAYS, renew=True,
                                person=user)
    data = next(iter(sheets.files.values()))
    return _download(f"{user.display_name}邀请码.docx", data,
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _download(filename: str, data: bytes, content_type: str) -> web.Response:
    return web.Response(body=data, content_type=content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def setup(app: web.Application) -> None:
    """Register the invite sheet downloads."""
    app.router.add_post("/admin/invites", invite_sheets, name="admin_invites")
    app.router.add_post("/admin/users/{user_id:\\d+}/invite", person_invite, name="admin_user_invite")
