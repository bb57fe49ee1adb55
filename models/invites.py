"""Invite codes: an admin creates a person, the person binds their WeChat with a one-time code."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from tortoise.transactions import in_transaction

from models.core import User, WeChatApp
from models.identities import IdentityError, attach, detach_all
from models.outreach import InviteCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed on phones
CODE_LENGTH = 8


class InviteError(Exception):
    """A code that cannot be used; the message is polite Chinese."""

    def __init__(self, message: str, code: str = "invalid_invite") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace(" ", "").encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def create_invite(user: User, ttl_days: int) -> str:
    """A new one-time code for this person (older unused codes are revoked)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    async with in_transaction():
        await InviteCode.filter(user=user, used_at=None).delete()
        await InviteCode.create(code_hash=_hash(code), user=user, expires_at=_now() + dt.timedelta(days=ttl_days))
    return code


async def redeem_invite(code: str, openid: str, app: WeChatApp = WeChatApp.OFFICIAL_ACCOUNT,
                        unionid: str | None = None) -> User:
    """Bind an app's openid to the code's person and spend the code; InviteError when it cannot be used."""
    async with in_transaction():
        invite = await InviteCode.filter(code_hash=_hash(code)).select_for_update().first()
        if invite is None:
            raise InviteError("邀请码不对，请核对后重新发送“绑定 邀请码”。")
        if invite.used_at is not None:
            raise InviteError("这个邀请码已经用过了。如需重新绑定，请联系管理员发新的邀请码。", "invite_used")
        if invite.expires_at < _now():
            raise InviteError("这个邀请码已过期，请联系管理员重新生成。", "invite_expired")
        user = await User.get(id=invite.user_id)  # type: ignore[attr-defined]
        if not user.active:
            raise InviteError("该账号已停用，请联系管理员。", "inactive")
        try:
            await attach(user, app, openid, unionid)
        except IdentityError as exc:
            raise InviteError(exc.message.replace("这个微信", "您的微信"), "already_bound") from None
        invite.used_at, invite.used_by = _now(), openid
        await invite.save(update_fields=["used_at", "used_by"])
    return user


async def unbind(user: User) -> bool:
    """Detach a person's WeChat (every app); False when nothing was bound."""
    return await detach_all(user)
