"""Server-side console sessions in Redis, the session cookie, and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot import keys

COOKIE = "mingbai_admin"
LOGIN_CSRF_COOKIE = "mingbai_csrf"
CSRF_FIELD = "csrf_token"
_PREFIX = "mingbai:admin:session:"
_USER_INDEX = "mingbai:admin:user-sessions:"  # per user: the keys of their sessions, to log out everywhere
SESSION_TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Session:
    """A console session: who is logged in, and the CSRF token of their forms."""

    token: str
    user_id: int
    csrf: str
    created: float


def _key(token: str) -> str:
    # Only a hash of the cookie value is stored, so a Redis dump holds no usable session.
    return _PREFIX + hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _secure(request: web.Request) -> bool:
    return request.secure or request.app[keys.SETTINGS].server.public_url.startswith("https://")


async def create_session(request: web.Request, response: web.StreamResponse, user_id: int) -> Session:
    """Start a session for a user and set its cookie (HttpOnly, SameSite=Lax) on the response."""
    token = secrets.token_urlsafe(32)
    session = Session(token, user_id, secrets.token_urlsafe(24), time.time())
    value = json.dumps({"uid": user_id, "csrf": session.csrf, "created": session.created})
    redis = request.app[keys.REDIS]
    await redis.set(_key(token), value, ex=SESSION_TTL_SECONDS)
    await redis.sadd(_USER_INDEX + str(user_id), _key(token))
    await redis.expire(_USER_INDEX + str(user_id), SESSION_TTL_SECONDS)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="Lax", secure=_secure(request), path="/admin",
        max_age=SESSION_TTL_SECONDS,
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return session


async def load_session(request: web.Request) -> Session | None:
    """The request's session, if its cookie names a live one (and slide its expiry)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 128:
        return None
    redis = request.app[keys.REDIS]
    raw = await redis.get(_key(token))
    if raw is None:
        return None
    data: dict[str, Any] = json.loads(raw)
    await redis.expire(_key(token), SESSION_TTL_SECONDS)
    await redis.expire(_USER_INDEX + str(data["uid"]), SESSION_TTL_SECONDS)
    return Session(token, int(data["uid"]), str(data["csrf"]), float(data["created"]))


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    """Forget the request's session and clear its cookie."""
    token = request.cookies.get(COOKIE)
    if token:
        await request.app[keys.REDIS].delete(_key(token))
    response.del_cookie(COOKIE, path="/admin")


async def end_user_sessions(redis: Any, user_id: int) -> int:
    """Log a user out everywhere (after a password change or deactivation); the number ended."""
    index = _USER_INDEX + str(user_id)
    members = list(await redis.smembers(index))
    ended = int(await redis.delete(*members)) if members else 0
    await redis.delete(index)
    return ended


def login_csrf_token(request: web.Request) -> str:
    """The CSRF token of the login form: the browser's double-submit cookie, or a fresh one."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not token or len(token) > 64:
        token = secrets.token_urlsafe(24)
    return token


def set_login_csrf_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    """Set the login form's double-submit cookie."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", secure=_secure(request), path="/admin"
    )


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of a form's CSRF token with the expected one."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
