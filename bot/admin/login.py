"""Console login and logout."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from bot import keys
from bot.admin import session as sessions
from bot.admin.passwords import verify_password
from bot.admin.web import LOGIN_PATH, STAFF_ROLES, current_user, error_page, form_data, render, safe_next
from models.core import Role
from services.accounts import find_login

MAX_ATTEMPTS = 10  # per account
MAX_ATTEMPTS_PER_ADDRESS = 50  # per client address, over every account
ATTEMPT_WINDOW_SECONDS = 900
ATTEMPTS_PREFIX = "mingbai:admin:login:"
# Verify against a real hash even for unknown names, so timing does not reveal which names exist.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


async def login_form(request: web.Request) -> web.StreamResponse:
    """The login page (already logged-in staff go straight on)."""
    user = current_user(request)
    nxt = safe_next(request.query.get("next"))
    if user is not None and Role(user.role) in STAFF_ROLES:
        raise web.HTTPFound(nxt)
    return await _login_page(request, nxt, "", "")


async def _login_page(request: web.Request, nxt: str, name: str, error: str, status: int = 200) -> web.Response:
    token = sessions.login_csrf_token(request)
    response = await render(request, "login.html",
                            {"login_csrf": token, "next": nxt, "name": name, "error": error}, status=status)
    sessions.set_login_csrf_cookie(request, response, token)
    return response


async def _count(redis: Any, key: str) -> int:
    """INCR first, then the caller checks: concurrent attempts can never all read a count below the limit."""
    n = int(await redis.incr(key))
    if n == 1:
        await redis.expire(key, ATTEMPT_WINDOW_SECONDS)
    return n


async def login(request: web.Request) -> web.StreamResponse:
    """Check login and password; start a session for active staff.

    Failures are limited per account (10 in 15 minutes lock that account only) and per client address
    (a higher throttle, so one address cannot try many accounts); behind a proxy the address is the
    client's, from X-Forwarded-For of a trusted proxy (bot/proxy.py).
    """
    form = await form_data(request)
    name = str(form.get("name", "")).strip()[:64]
    password = str(form.get("password", ""))[:256]
    nxt = safe_next(str(form.get("next", "")))
    redis = request.app[keys.REDIS]
    account = hashlib.sha256(name.lower().encode("utf-8", "replace")).hexdigest()[:24]
    account_key = ATTEMPTS_PREFIX + "account:" + account
    address_key = ATTEMPTS_PREFIX + "address:" + str(request.remote)
    if await _count(redis, address_key) > MAX_ATTEMPTS_PER_ADDRESS or await _count(redis, account_key) > MAX_ATTEMPTS:
        return await error_page(request, 429, "登录尝试次数太多，请15分钟后再试。")
    user = await find_login(name)
    if not verify_password(password, user.password_hash if user and user.password_hash else _DUMMY_HASH) \
            or user is None or not user.password_hash:
        return await _login_page(request, nxt, name, "账号或密码不对，请重新输入。", status=401)
    if Role(user.role) not in STAFF_ROLES:
        return await error_page(request, 403, "您的账号不能使用调解工作台。如需开通，请联系司法所管理员。")
    await redis.delete(account_key)
    await redis.decr(address_key)  # a good login does not use up the address's allowance
    response = web.HTTPFound(nxt)
    await sessions.create_session(request, response, user.id)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session."""
    response = web.HTTPFound(LOGIN_PATH)
    await sessions.end_session(request, response)
    raise response


def setup(app: web.Application) -> None:
    """Login and logout routes."""
    app.router.add_get(LOGIN_PATH, login_form, name="admin_login")
    app.router.add_post(LOGIN_PATH, login, name="admin_login_post")
    app.router.add_post("/admin/logout", logout, name="admin_logout")
