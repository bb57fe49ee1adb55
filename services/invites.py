"""Invite codes: an admin creates a person, the person binds their WeChat with a one-time code."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from tortoise.transactions import in_transaction

from models.core import Role, User, WeChatApp, WeChatIdentity
from models.outreach import InviteCode
from services.identities import IdentityError, attach, detach_all

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


def new_code() -> str:
    """A fresh random invite code (not yet saved)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def create_invite(user: User, ttl_days: int) -> str:
    """A new one-time code for this person (older unused codes are revoked)."""
    code = new_code()
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


def _ids(values: Any) -> set[int]:
    return {int(v) for v in values}


async def bound_user_ids(user_ids: list[int]) -> set[int]:
    """Which of these people have bound a WeChat (the 公众号, or the mini-program)."""
    bound: set[int] = set()
    for i in range(0, len(user_ids), 500):
        chunk = user_ids[i:i + 500]
        bound |= _ids(await User.filter(id__in=chunk, openid__not_isnull=True).values_list("id", flat=True))
        bound |= _ids(await WeChatIdentity.filter(user_id__in=chunk).values_list("user_id", flat=True))
    return bound


async def unbound_people(town_id: int, roles: tuple[Role, ...], *, village_id: int | None = None,
                         without_live_code: bool = False) -> list[User]:
    """Active people of these roles who have not bound WeChat yet (optionally: nor hold a live code)."""
    query = User.filter(town_id=town_id, role__in=[r.value for r in roles], active=True)
    if village_id is not None:
        query = query.filter(village_id=village_id)
    people = await query.order_by("village_id", "id").prefetch_related("village")
    bound = await bound_user_ids([u.id for u in people])
    people = [u for u in people if u.id not in bound]
    if without_live_code and people:
        live: set[int] = set()
        ids = [u.id for u in people]
        for i in range(0, len(ids), 500):
            live |= _ids(await InviteCode.filter(user_id__in=ids[i:i + 500], used_at=None, expires_at__gt=_now())
                         .values_list("user_id", flat=True))
        people = [u for u in people if u.id not in live]
    return people


async def issue_invites(user_ids: list[int], ttl_days: int, codes: dict[int, str] | None = None) -> dict[int, str]:
    """New one-time codes for many people at once (their unused older codes stop working); `codes` if made already."""
    codes = codes or {uid: new_code() for uid in user_ids}
    expires = _now() + dt.timedelta(days=ttl_days)
    async with in_transaction():
        for i in range(0, len(user_ids), 500):
            await InviteCode.filter(user_id__in=user_ids[i:i + 500], used_at=None).delete()
        await InviteCode.bulk_create([InviteCode(code_hash=_hash(code), user_id=uid, expires_at=expires)
                                      for uid, code in codes.items()], batch_size=500)
    return codes

