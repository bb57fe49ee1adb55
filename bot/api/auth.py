"""Mini-program login (wx.login code -> jscode2session -> our own session token in Redis), me, bind."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot import keys
from bot.api.json_errors import ApiError, json_response
from bot.api.spec import ApiSpec, body
from bot.wechat.error_codes import describe_error
from models.core import Role, User, WeChatApp
from services.identities import LINK_TTL, IdentityError, is_link_code, issue_link_code, person_for, redeem_link_code
from services.invites import InviteError, redeem_invite

log = logging.getLogger("mingbai.api")

SESSION_PREFIX = "mingbai:api:session:"
BIND_FAILURES_PREFIX = "mingbai:api:bindfail:"
MAX_BIND_FAILURES = 5


@dataclass
class Caller:
    """Who is calling: the openid of the session, the person bound to it (if any), role and town."""

    openid: str
    user: User | None
    role: Role
    town_id: int


async def _session(request: web.Request) -> dict[str, Any]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "请先登录（缺少登录凭证）。")
    raw = await request.config_dict[keys.REDIS].get(SESSION_PREFIX + token.strip()[:128])
    if raw is None:
        raise ApiError(401, "session_expired", "登录已过期，请重新登录。")
    data: dict[str, Any] = json.loads(raw)
    return data


async def _session_openid(request: web.Request) -> str:
    return str((await _session(request))["openid"])


async def current_caller(request: web.Request) -> Caller:
    """The logged-in caller (a villager when the openid is not bound); 401 without a valid session."""
    return await _caller_for(request, await _session_openid(request))


async def current_user(request: web.Request, *roles: Role) -> Caller:
    """The caller, who must be a bound person with one of `roles` (any role when none given); else 403."""
    caller = await current_caller(request)
    if caller.user is None:
        raise ApiError(403, "not_bound", "请先用邀请码绑定身份（POST /api/v1/auth/bind）。")
    if roles and caller.role not in roles:
        raise ApiError(403, "forbidden", f"{caller.role.label}没有这项权限。")
    return caller


async def _jscode2session(request: web.Request, code: str) -> tuple[str, str | None]:
    """The mini-program's openid (and UnionID, when the apps share a 开放平台 account) for a wx.login code."""
    settings = request.config_dict[keys.SETTINGS]
    mp = settings.miniprogram
    if not mp.appid:
        raise ApiError(503, "miniprogram_not_configured",
                       "小程序登录尚未配置（[miniprogram] appid, secret），请联系管理员。")
    url = (mp.api_base_url or settings.wechat.api_base_url).rstrip("/") + "/sns/jscode2session"
    params = {"appid": mp.appid, "secret": mp.secret, "js_code": code, "grant_type": "authorization_code"}
    try:
        async with request.config_dict[keys.API_HTTP].get(url, params=params) as resp:
            data: dict[str, Any] = json.loads(await resp.text())
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("jscode2session failed: %s", type(exc).__name__)
        raise ApiError(502, "wechat_unavailable", "微信登录服务暂时不可用，请稍后再试。") from None
    if not data.get("openid"):
        log.info("jscode2session refused the code: %s", describe_error(data))
        raise ApiError(401, "login_failed", "登录失败，请重新打开小程序再试。")
    return str(data["openid"]), (str(data["unionid"]) if data.get("unionid") else None)


async def me_body(caller: Caller) -> dict[str, Any]:
    """The Me object."""
    user = caller.user
    village = None
    if user is not None and user.village_id is not None:  # type: ignore[attr-defined]
        await user.fetch_related("village")
        village = {"id": user.village.id, "name": user.village.name}  # type: ignore[union-attr]
    return {
        "bound": user is not None,
        "id": user.id if user else None,
        "role": caller.role.value,
        "role_label": caller.role.label,
        "display_name": user.display_name if user else "",
        "town_id": caller.town_id,
        "village": village,
        "is_core": bool(user and user.is_core),
    }


async def login(request: web.Request) -> web.Response:
    """Exchange a wx.login code for a session token; a UnionID known from the 公众号 finds the person."""
    openid, unionid = await _jscode2session(request, body(request)["code"])
    token = secrets.token_urlsafe(32)
    ttl = request.config_dict[keys.SETTINGS].outreach.api_session_ttl_seconds
    await person_for(WeChatApp.MINI_PROGRAM, openid, unionid)
    session = {"openid": openid, "app": WeChatApp.MINI_PROGRAM.value, "unionid": unionid}
    await request.config_dict[keys.REDIS].set(SESSION_PREFIX + token, json.dumps(session), ex=ttl)
    return json_response({"token": token, "expires_in": ttl, "me": await me_body(await _caller_for(request, openid))})


async def _caller_for(request: web.Request, openid: str) -> Caller:
    user = await person_for(WeChatApp.MINI_PROGRAM, openid)
    town = request.config_dict[keys.DEFAULT_TOWN_ID]
    if user is None or not user.active:
        return Caller(openid, None, Role.VILLAGER, town)
    return Caller(openid, user, Role(user.role), user.town_id or town)  # type: ignore[attr-defined]


async def logout(request: web.Request) -> web.Response:
    """End the session."""
    await _session_openid(request)
    token = request.headers["Authorization"].partition(" ")[2].strip()
    await request.config_dict[keys.REDIS].delete(SESSION_PREFIX + token)
    return json_response({"ok": True})


async def me(request: web.Request) -> web.Response:
    """Who am I."""
    return json_response(await me_body(await current_caller(request)))


async def _limited(request: web.Request, openid: str, attempt: Callable[[], Awaitable[User]]) -> User:
    """Run a code redemption; wrong codes count against the openid (five an hour)."""
    redis = request.config_dict[keys.REDIS]
    key = BIND_FAILURES_PREFIX + openid
    # INCR first, then check: concurrent guesses cannot all read a count below the limit.
    attempts = int(await redis.incr(key))
    if attempts == 1:
        await redis.expire(key, 3600)
    if attempts > MAX_BIND_FAILURES:
        raise ApiError(429, "too_many_attempts", "输错次数太多，请一小时后再试。")
    try:
        user = await attempt()
    except (InviteError, IdentityError) as exc:
        if exc.code not in {"invalid_invite", "invalid_link_code"}:  # only wrong guesses use up the allowance
            await redis.decr(key)
        raise ApiError(400 if exc.code != "already_bound" else 409, exc.code, exc.message) from None
    await redis.delete(key)
    return user


async def bind(request: web.Request) -> web.Response:
    """Bind the session's WeChat to a person with an invite code (wrong guesses are limited)."""
    session = await _session(request)
    openid = str(session["openid"])
    code = body(request)["invite_code"]
    await _limited(request, openid, lambda: redeem_invite(code, openid, WeChatApp.MINI_PROGRAM, session.get("unionid")))
    return json_response(await me_body(await current_caller(request)))


async def link(request: web.Request) -> web.Response:
    """Link the mini-program to a person bound in the 公众号 with the 6-digit code shown in chat."""
    session = await _session(request)
    openid = str(session["openid"])
    code = body(request)["code"].strip()
    if not is_link_code(code):
        raise ApiError(400, "invalid_link_code", "关联码是6位数字，请在公众号里发送“绑定小程序”获取。", "code")
    await _limited(request, openid,
                   lambda: redeem_link_code(code, WeChatApp.MINI_PROGRAM, openid, session.get("unionid")))
    return json_response(await me_body(await current_caller(request)))


async def link_code(request: web.Request) -> web.Response:
    """A 6-digit code a bound person sends in the 公众号 chat (“绑定 123456”) to link it to this person."""
    caller = await current_user(request)
    assert caller.user is not None
    code = await issue_link_code(caller.user, WeChatApp.OFFICIAL_ACCOUNT)
    return json_response({"code": code, "expires_in": int(LINK_TTL.total_seconds()),
                          "hint": f"请在公众号聊天里发送“绑定 {code}”，10分钟内有效。"})


def register(api: web.Application, spec: ApiSpec) -> None:
    """Routes: /auth/login, /auth/logout, /auth/bind, /me."""
    village = {"type": "object", "nullable": True, "required": ["id", "name"],
               "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    me_ref = spec.schema("Me", {
        "type": "object",
        "required": ["bound", "id", "role", "role_label", "display_name", "town_id", "village", "is_core"],
        "properties": {
            "bound": {"type": "boolean", "description": "是否已绑定为法律明白人/调解员/管理员"},
            "id": {"type": "integer", "nullable": True},
            "role": {"type": "string", "enum": [r.value for r in Role]},
            "role_label": {"type": "string"},
            "display_name": {"type": "string"},
            "town_id": {"type": "integer"},
            "village": village,
            "is_core": {"type": "boolean", "description": "骨干"},
        },
    })
    spec.schema("Error", {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string", "description": "机器可读代码"},
                       "message": {"type": "string", "description": "中文说明"},
                       "field": {"type": "string", "description": "出错的字段"}},
    })
    spec.route(api, "POST", "/auth/login", login, summary="用 wx.login 的 code 登录", tag="auth", auth=False,
               body={"type": "object", "required": ["code"], "additionalProperties": False,
                     "properties": {"code": {"type": "string", "minLength": 1, "maxLength": 128}}},
               response={"type": "object", "required": ["token", "expires_in", "me"],
                         "properties": {"token": {"type": "string"}, "expires_in": {"type": "integer"},
                                        "me": me_ref}})
    spec.route(api, "POST", "/auth/logout", logout, summary="退出登录", tag="auth",
               response={"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}})
    spec.route(api, "POST", "/auth/bind", bind, summary="用邀请码绑定身份", tag="auth", response=me_ref,
               body={"type": "object", "required": ["invite_code"], "additionalProperties": False,
                     "properties": {"invite_code": {"type": "string", "minLength": 1, "maxLength": 32}}})
    spec.route(api, "POST", "/auth/link", link, summary="用公众号里显示的6位关联码关联身份", tag="auth",
               response=me_ref,
               body={"type": "object", "required": ["code"], "additionalProperties": False,
                     "properties": {"code": {"type": "string", "minLength": 1, "maxLength": 16}}})
    spec.route(api, "POST", "/auth/link-code", link_code, summary="获取在公众号聊天里输入的6位关联码", tag="auth",
               response={"type": "object", "required": ["code", "expires_in", "hint"],
                         "properties": {"code": {"type": "string"}, "expires_in": {"type": "integer"},
                                        "hint": {"type": "string"}}})
    spec.route(api, "GET", "/me", me, summary="当前用户", tag="auth", response=me_ref)
