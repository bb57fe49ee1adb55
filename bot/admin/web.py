"""The console's plumbing: templates, the /admin middleware (session, CSRF, error pages), roles, nav."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDict, MultiDictProxy

from bot import keys
from bot.admin import session as sessions
from models.core import Role, Town, User
from models.hygiene import clean_text

log = logging.getLogger("mingbai.admin")

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/admin"
LOGIN_PATH = "/admin/login"
STAFF_ROLES: frozenset[Role] = frozenset({Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN})
ADMIN_ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.COUNTY_ADMIN})
TZ = ZoneInfo("Asia/Shanghai")

USER: web.RequestKey[User] = web.RequestKey("mingbai_admin_user")
SESSION: web.RequestKey[sessions.Session] = web.RequestKey("mingbai_admin_session")
_FLASH_PREFIX = "mingbai:admin:flash:"

View = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class NavItem:
    """A link of the console's top navigation, shown to some roles."""

    label: str
    path: str
    roles: frozenset[Role] = STAFF_ROLES


def nav_for(request: web.Request, role: Role | None) -> list[NavItem]:
    """The navigation links a role sees, in the order the app declared them (bot.app: CONSOLE_NAV)."""
    if role is None:
        return []
    return [i for i in request.app[keys.ADMIN_NAV] if role in i.roles]


def current_user(request: web.Request) -> User | None:
    """The logged-in console user of this request, if any."""
    return request.get(USER)


def current_session(request: web.Request) -> sessions.Session | None:
    """The console session of this request, if any."""
    return request.get(SESSION)


def town_scope(user: User) -> int | None:
    """The town whose records a user may see; None means every town (county admin)."""
    if Role(user.role) is Role.COUNTY_ADMIN:
        return None
    town_id: int | None = user.town_id  # type: ignore[attr-defined]
    return town_id if town_id is not None else -1


def require_role(*roles: Role) -> Callable[[View], View]:
    """Decorate a console view: no session -> login page; a role not listed -> 403 page."""
    wanted = frozenset(roles) or STAFF_ROLES

    def decorator(view: View) -> View:
        @functools.wraps(view)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            user = current_user(request)
            if user is None:
                target = request.path_qs if request.method == "GET" else PREFIX
                raise web.HTTPFound(f"{LOGIN_PATH}?next={_quote(target)}")
            if Role(user.role) not in wanted:
                raise web.HTTPForbidden()
            return await view(request)

        return wrapper

    return decorator


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="")


def safe_next(value: str | None) -> str:
    """A redirect target after login: only a path inside the console."""
    if value and value.startswith(PREFIX) and not value.startswith("//") and "\\" not in value:
        return value
    return PREFIX + "/"


async def flash(request: web.Request, text: str) -> None:
    """Show a one-time message on the next page this session renders."""
    s = current_session(request)
    if s is not None:
        redis = request.app[keys.REDIS]
        await redis.rpush(_FLASH_PREFIX + s.csrf, text)
        await redis.expire(_FLASH_PREFIX + s.csrf, 600)


async def _pop_flashes(request: web.Request) -> list[str]:
    s = current_session(request)
    if s is None:
        return []
    redis = request.app[keys.REDIS]
    key = _FLASH_PREFIX + s.csrf
    items = await redis.lrange(key, 0, -1)
    if items:
        await redis.delete(key)
    return [i.decode() if isinstance(i, bytes) else str(i) for i in items]


async def render(request: web.Request, template: str, context: dict[str, Any] | None = None,
                 *, status: int = 200) -> web.Response:
    """Render a console template with the layout's variables (user, nav, csrf_token, town, flashes)."""
    user = current_user(request)
    s = current_session(request)
    settings = request.app[keys.SETTINGS]
    town = None
    if user is not None and user.town_id is not None:  # type: ignore[attr-defined]
        town = await Town.get_or_none(id=user.town_id)  # type: ignore[attr-defined]
    base = {
        "user": user,
        "role": Role(user.role) if user else None,
        "nav": nav_for(request, Role(user.role) if user else None),
        "csrf_token": s.csrf if s else "",
        "town": town,
        "studio_name": (town.studio_name if town else "") or settings.town.studio_name,
        "flashes": await _pop_flashes(request),
        "path": request.path,
    }
    response = aiohttp_jinja2.render_template(
        template, request, {**base, **(context or {})}, status=status, app_key=keys.ADMIN_TEMPLATES
    )
    return response


ERROR_TEXT = {
    400: ("请求有误", "提交的内容不完整或格式不对，请返回上一页检查后重试。"),
    403: ("没有权限", "您的账号没有权限查看这个页面。如需开通，请联系司法所管理员。"),
    404: ("页面不存在", "没有找到这个页面或记录，可能已被删除，或者链接有误。"),
    405: ("操作方式不对", "请通过页面上的按钮操作。"),
    413: ("内容太大", "提交的内容太大了，请精简后重试。"),
    429: ("操作太频繁", "尝试次数太多，请过一会儿再试。"),
    500: ("系统出了点问题", "请稍后再试。如果一直这样，请联系管理员。"),
}


async def error_page(request: web.Request, status: int, detail: str = "") -> web.Response:
    """The friendly error page for a status."""
    title, text = ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[400])
    return await render(request, "error.html", {"status": status, "title": title, "text": detail or text},
                        status=status)


def _is_safe_method(request: web.Request) -> bool:
    return request.method in {"GET", "HEAD", "OPTIONS"}


async def _check_csrf(request: web.Request) -> bool:
    given = request.headers.get("X-CSRF-Token")
    if given is None and request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        value = form.get(sessions.CSRF_FIELD)
        given = value if isinstance(value, str) else None
    s = current_session(request)
    if request.path == LOGIN_PATH:
        expected = request.cookies.get(sessions.LOGIN_CSRF_COOKIE) or (s.csrf if s else None)
    else:
        expected = s.csrf if s else None
    return sessions.csrf_ok(expected, given)


def _harden(response: web.StreamResponse) -> None:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'"
    )


@web.middleware
async def admin_middleware(request: web.Request, handler: View) -> web.StreamResponse:
    """For /admin paths: load the session and user, check CSRF on writes, render friendly errors."""
    if not (request.path == PREFIX or request.path.startswith(PREFIX + "/")):
        return await handler(request)
    s = await sessions.load_session(request)
    if s is not None:
        user = await User.get_or_none(id=s.user_id, active=True)
        if user is not None:
            request[SESSION], request[USER] = s, user
    try:
        if not _is_safe_method(request) and not await _check_csrf(request):
            response: web.StreamResponse = await error_page(
                request, 403, "表单已过期或来源不明，请刷新页面后重新提交。"
            )
        else:
            response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = await error_page(request, exc.status)
    except HttpProcessingError:  # a form aiohttp cannot parse (a broken multipart part)
        response = await error_page(request, 400, "提交的内容格式不对，无法读取，请刷新页面后重新提交。")
    except Exception:
        log.exception("console error on %s %s", request.method, request.path)
        response = await error_page(request, 500)
    _harden(response)
    return response


def _fmt_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(TZ)
    return value.strftime(fmt)


def setup_templates(app: web.Application) -> jinja2.Environment:
    """The console's jinja2 environment (autoescaped), templates under bot/admin/templates."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(default=True),
        app_key=keys.ADMIN_TEMPLATES,
    )
    env.filters["dt"] = _fmt_dt
    env.filters["d"] = lambda v: _fmt_dt(v, "%Y-%m-%d") if isinstance(v, datetime) else (str(v) if v else "")
    env.globals["role_label"] = lambda r: Role(r).label if r else ""
    return env


async def form_data(request: web.Request) -> MultiDictProxy[Any]:
    """The posted form with control characters dropped from every text value (models.hygiene.clean_text)."""
    posted = await request.post()
    return MultiDictProxy(MultiDict((k, clean_text(v) if isinstance(v, str) else v) for k, v in posted.items()))
