"""Console pages for admins: the town's people (roles, console passwords) and villages."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot import keys
from bot.admin.passwords import hash_password, password_problem
from bot.admin.roster import people_listing
from bot.admin.session import end_user_sessions
from bot.admin.web import (
    ADMIN_ROLES,
    current_user,
    flash,
    form_data,
    render,
    require_role,
    town_scope,
)
from models.accounts import AccountError, normalize_login, save_person
from models.core import ROLE_LABELS, Role, Town, User, Village
from models.people import save_village as store_village
from models.privacy import mask_phone


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _assignable_roles(actor: User) -> list[Role]:
    roles = [Role.VILLAGER, Role.HELPER, Role.MEDIATOR, Role.ADMIN]
    return [*roles, Role.COUNTY_ADMIN] if Role(actor.role) is Role.COUNTY_ADMIN else roles


async def _town_for(actor: User, requested: Any) -> Town | None:
    scope = town_scope(actor)
    if scope is None:
        return await Town.get_or_none(id=_int(requested) or 0)
    return await Town.get_or_none(id=scope)


async def _visible_user(request: web.Request) -> User:
    actor = current_user(request)
    assert actor is not None
    user = await User.get_or_none(id=_int(request.match_info["user_id"]) or 0)
    scope = town_scope(actor)
    if user is None or (scope is not None and user.town_id != scope):  # type: ignore[attr-defined]
        raise web.HTTPNotFound()
    return user


@require_role(*ADMIN_ROLES)
async def users_page(request: web.Request) -> web.StreamResponse:
    """The people of the town (all towns for a county admin): search, filters, pages, who has bound WeChat."""
    actor = current_user(request)
    assert actor is not None
    listing = await people_listing(actor, request.query)
    rows = [{"u": u, "phone": mask_phone(u.phone) if Role(u.role) in {Role.VILLAGER} else u.phone,
             "console": bool(u.password_hash), "bound": u.id in listing.bound} for u in listing.users]
    return await render(request, "people/users.html", {
        "rows": rows, "roles": ROLE_LABELS, "role": listing.filters["role"], "towns": await _towns(actor),
        "villages": await _villages(actor), "assignable": _assignable_roles(actor), "listing": listing,
    })


async def _towns(actor: User) -> list[Town]:
    scope = town_scope(actor)
    return await (Town.all() if scope is None else Town.filter(id=scope)).order_by("id")


async def _villages(actor: User) -> list[Village]:
    scope = town_scope(actor)
    return await (Village.all() if scope is None else Village.filter(town_id=scope)).order_by("id")


def _problem(form: Any, actor: User) -> str:
    name = str(form.get("display_name", "")).strip()
    if not 2 <= len(name) <= 64:
        return "请填写姓名（2到64个字）。"
    if str(form.get("role", "")) not in {r.value for r in _assignable_roles(actor)}:
        return "请选择角色。"
    return ""


async def _apply(user: User, form: Any, actor: User) -> str:
    problem = _problem(form, actor)
    if problem:
        return problem
    town = await _town_for(actor, form.get("town"))
    if town is None:
        return "请选择镇。"
    village_id = _int(form.get("village"))
    village = await Village.get_or_none(id=village_id, town_id=town.id) if village_id else None
    if village_id and village is None:
        return "所选村不属于该镇。"
    name = str(form.get("display_name", "")).strip()
    password = str(form.get("password", ""))
    login = str(form.get("login", "")).strip()
    if login:  # the console login is its own unique field: a rename never touches anyone's login
        try:
            user.login = normalize_login(login)
        except AccountError as exc:
            return str(exc)
    if password:
        weak = password_problem(password)
        if weak:
            return weak
        if not user.login:
            return "请先为工作台账号设置登录账号（登录名或手机号）。"
        user.password_hash = hash_password(password)
    user.display_name, user.role = name, Role(str(form["role"]))
    user.town_id, user.village_id = town.id, village.id if village else None  # type: ignore[attr-defined]
    user.phone = str(form.get("phone", "")).strip()[:32]
    user.is_core = form.get("is_core") == "1"
    user.active = form.get("active", "1") == "1"
    try:
        await save_person(user)  # the login is unique: another person's is refused
    except AccountError as exc:
        return str(exc)
    return ""


@require_role(*ADMIN_ROLES)
async def create_user(request: web.Request) -> web.StreamResponse:
    """Add a person (e.g. a mediator with a console password)."""
    actor = current_user(request)
    assert actor is not None
    form = await form_data(request)
    user = User()
    problem = await _apply(user, form, actor)
    await flash(request, f"未保存：{problem}" if problem else f"已添加：{user.display_name}")
    raise web.HTTPFound("/admin/users" if problem else f"/admin/users/{user.id}")


@require_role(*ADMIN_ROLES)
async def user_page(request: web.Request) -> web.StreamResponse:
    """Edit one person: role, village, phone, active, console password."""
    actor = current_user(request)
    assert actor is not None
    user = await _visible_user(request)
    return await render(request, "people/user.html", {
        "u": user, "roles": ROLE_LABELS, "assignable": _assignable_roles(actor), "towns": await _towns(actor),
        "villages": await _villages(actor),
    })


@require_role(*ADMIN_ROLES)
async def update_user(request: web.Request) -> web.StreamResponse:
    """Save a person; a new password or deactivation logs them out everywhere."""
    actor = current_user(request)
    assert actor is not None
    user = await _visible_user(request)
    if Role(user.role) is Role.COUNTY_ADMIN and Role(actor.role) is not Role.COUNTY_ADMIN:
        raise web.HTTPForbidden()
    form = await form_data(request)
    if user.id == actor.id and (form.get("active", "1") != "1" or str(form.get("role")) != actor.role):
        await flash(request, "未保存：不能停用自己或修改自己的角色。")
        raise web.HTTPFound(f"/admin/users/{user.id}")
    problem = await _apply(user, form, actor)
    if not problem and (form.get("password") or not user.active):
        await end_user_sessions(request.app[keys.REDIS], user.id)
    await flash(request, f"未保存：{problem}" if problem else "已保存。")
    raise web.HTTPFound(f"/admin/users/{user.id}")


@require_role(*ADMIN_ROLES)
async def villages_page(request: web.Request) -> web.StreamResponse:
    """The town's villages with households and 村民小组."""
    actor = current_user(request)
    assert actor is not None
    villages = await Village.filter(**({} if town_scope(actor) is None else {"town_id": town_scope(actor)})
                                    ).order_by("town_id", "id").prefetch_related("town")
    return await render(request, "people/villages.html", {"villages": villages, "towns": await _towns(actor)})


def _village_values(form: Any) -> tuple[str, int, int | None] | str:
    name = str(form.get("name", "")).strip()
    households, groups = _int(form.get("households") or 0), _int(form.get("groups")) if form.get("groups") else None
    if not 2 <= len(name) <= 64:
        return "请填写村名。"
    if households is None or households < 0 or (groups is not None and groups < 0):
        return "户数和村民小组数请填不小于0的整数。"
    return name, households, groups


@require_role(*ADMIN_ROLES)
async def save_village(request: web.Request) -> web.StreamResponse:
    """Add a village, or update one (name, households, groups)."""
    actor = current_user(request)
    assert actor is not None
    form = await form_data(request)
    values = _village_values(form)
    if isinstance(values, str):
        await flash(request, f"未保存：{values}")
        raise web.HTTPFound("/admin/villages")
    name, households, groups = values
    village_id = _int(request.match_info.get("village_id"))
    scope = town_scope(actor)
    if village_id:
        village = await Village.get_or_none(id=village_id)
        if village is None or (scope is not None and village.town_id != scope):  # type: ignore[attr-defined]
            raise web.HTTPNotFound()
    else:
        town = await _town_for(actor, form.get("town"))
        if town is None:
            await flash(request, "未保存：请选择镇。")
            raise web.HTTPFound("/admin/villages")
        village = Village(town_id=town.id)
    try:
        await store_village(village, name, households, groups)
    except ValueError as exc:
        await flash(request, f"未保存：{exc}")
        raise web.HTTPFound("/admin/villages") from None
    await flash(request, f"已保存：{name}")
    raise web.HTTPFound("/admin/villages")


def setup(app: web.Application) -> None:
    """Register the management pages."""
    app.router.add_get("/admin/users", users_page, name="admin_users")
    app.router.add_post("/admin/users", create_user, name="admin_user_create")
    app.router.add_get("/admin/users/{user_id:\\d+}", user_page, name="admin_user")
    app.router.add_post("/admin/users/{user_id:\\d+}", update_user, name="admin_user_update")
    app.router.add_get("/admin/villages", villages_page, name="admin_villages")
    app.router.add_post("/admin/villages", save_village, name="admin_village_create")
    app.router.add_post("/admin/villages/{village_id:\\d+}", save_village, name="admin_village_update")
