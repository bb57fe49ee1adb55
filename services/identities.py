"""One person across the 公众号 and the mini-program: an identity (openid) per app, linked by UnionID or a code.

A person is one User; each WeChat app gives them an openid of its own (WeChatIdentity rows). Roles and
records hang on the User, so whichever app they come through, they are the same person. `User.openid`
stays the 公众号 openid (the chat and its messages are addressed by it) and is written only here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.core import LinkCode, Role, User, WeChatApp, WeChatIdentity


class IdentityError(Exception):
    """An identity that cannot be attached; the message is polite Chinese."""

    def __init__(self, message: str, code: str = "already_bound") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _bound_user(ident: WeChatIdentity | None) -> User | None:
    if ident is None or ident.user_id is None:  # type: ignore[attr-defined]
        return None
    return await User.get_or_none(id=ident.user_id)  # type: ignore[attr-defined]


async def person_for(app: WeChatApp, openid: str, unionid: str | None = None) -> User | None:
    """The person behind an app's openid: its identity, else a bound identity with the same UnionID.

    A UnionID match attaches the new openid to that person (one record, however they arrive). Openids
    bound before identities existed are still found through User.openid.
    """
    ident = await WeChatIdentity.get_or_none(app=app, openid=openid)
    user = await _bound_user(ident)
    if user is not None:
        if unionid and ident is not None and ident.unionid != unionid:
            ident.unionid = unionid
            await ident.save(update_fields=["unionid"])
        return user
    if unionid:
        sibling = await WeChatIdentity.filter(unionid=unionid, user_id__not_isnull=True).order_by("id").first()
        user = await _bound_user(sibling)
        if user is not None and user.active:
            await attach(user, app, openid, unionid)
            return user
    if ident is None or ident.user_id is None:  # type: ignore[attr-defined]
        legacy = await User.get_or_none(openid=openid)
        if legacy is not None:
            return legacy
    if unionid or ident is None:
        await remember(app, openid, unionid=unionid)
    return None


async def remember(app: WeChatApp, openid: str, *, unionid: str | None = None,
                   village_id: int | None = None) -> WeChatIdentity:
    """Record (or update) an identity not bound to anyone yet: its UnionID, the village it came from."""
    ident, _ = await WeChatIdentity.get_or_create(app=app, openid=openid)
    changed = []
    if unionid and ident.unionid != unionid:
        ident.unionid = unionid
        changed.append("unionid")
    if village_id is not None and ident.village_id != village_id:  # type: ignore[attr-defined]
        ident.village_id = village_id  # type: ignore[attr-defined]
        changed.append("village_id")
    if changed:
        await ident.save(update_fields=changed)
    return ident


async def attach(user: User, app: WeChatApp, openid: str, unionid: str | None = None) -> WeChatIdentity:
    """Make this app's openid the person's (their earlier openid of that app is let go).

    Refused (IdentityError) when the openid belongs to another staff person or helper; a plain
    villager record gives way.
    """
    async with in_transaction():
        ident, _ = await WeChatIdentity.get_or_create(app=app, openid=openid)
        holder = await _bound_user(ident)
        if holder is None:  # bound before identities existed
            holder = await User.get_or_none(openid=openid)
        if holder is not None and holder.id != user.id:
            if holder.role != Role.VILLAGER:
                raise IdentityError(f"这个微信已绑定为{holder.display_name}（{Role(holder.role).label}），"
                                    "如需更换请联系管理员先解绑。")
            if holder.openid == openid:
                holder.openid = None
                await holder.save(update_fields=["openid"])
        await WeChatIdentity.filter(user_id=user.id, app=app).exclude(id=ident.id).update(user_id=None)
        ident.user_id = user.id  # type: ignore[attr-defined]
        if unionid:
            ident.unionid = unionid
        await ident.save(update_fields=["user_id", "unionid"])
        if app == WeChatApp.OFFICIAL_ACCOUNT and user.openid != openid:
            user.openid = openid
            await user.save(update_fields=["openid"])
    return ident


async def detach_all(user: User) -> bool:
    """Let go of every WeChat identity of a person; False when nothing was bound."""
    async with in_transaction():
        released = await WeChatIdentity.filter(user_id=user.id).update(user_id=None)
        had_openid = bool(user.openid)
        if had_openid:
            user.openid = None
            await user.save(update_fields=["openid"])
    return bool(released) or had_openid


async def identities_of(user_id: int) -> dict[WeChatApp, WeChatIdentity]:
    """A person's identity in each app."""
    return {WeChatApp(i.app): i for i in await WeChatIdentity.filter(user_id=user_id)}


async def needs_info(app: WeChatApp, openid: str, max_age: dt.timedelta = dt.timedelta(days=7)) -> bool:
    """True when user/info (the UnionID) has not been asked for this openid lately."""
    ident = await WeChatIdentity.get_or_none(app=app, openid=openid)
    return ident is None or ident.info_fetched_at is None or ident.info_fetched_at < _now() - max_age


async def store_info(app: WeChatApp, openid: str, unionid: str | None) -> User | None:
    """Keep what user/info said; a UnionID shared with a bound identity attaches this openid to that person."""
    user = await person_for(app, openid, unionid)
    await WeChatIdentity.filter(app=app, openid=openid).update(info_fetched_at=_now())
    return user


async def village_of(app: WeChatApp, openids: list[str]) -> dict[str, int]:
    """The village each openid came through (a village QR code), for those that have one."""
    rows = await WeChatIdentity.filter(app=app, openid__in=openids, village_id__not_isnull=True).values_list(
        "openid", "village_id")
    return {str(o): int(v) for o, v in rows}


LINK_TTL = dt.timedelta(minutes=10)
LINK_DIGITS = 6


def _link_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def is_link_code(text: str) -> bool:
    """Six digits: a link code (invite codes are eight letters and digits)."""
    return len(text) == LINK_DIGITS and text.isdigit()


async def issue_link_code(user: User, app: WeChatApp) -> str:
    """A fresh 6-digit code for this person to enter in `app` (their earlier codes stop working)."""
    now = _now()
    await LinkCode.filter(expires_at__lt=now).delete()
    await LinkCode.filter(user_id=user.id).delete()
    for _ in range(20):
        code = "".join(secrets.choice("0123456789") for _ in range(LINK_DIGITS))
        try:
            await LinkCode.create(code_hash=_link_hash(code), user=user, app=app, expires_at=now + LINK_TTL)
        except IntegrityError:
            continue  # someone else's live code: draw again
        return code
    raise IdentityError("暂时无法生成关联码，请稍后再试。", "busy")


async def redeem_link_code(code: str, app: WeChatApp, openid: str, unionid: str | None = None) -> User:
    """Attach `openid` of `app` to the person who asked for the code; IdentityError when it cannot be used."""
    async with in_transaction():
        link = await LinkCode.filter(code_hash=_link_hash(code)).select_for_update().first()
        if link is None or link.expires_at < _now():
            raise IdentityError("关联码不对或已过期（10分钟内有效），请重新获取。", "invalid_link_code")
        if link.app != app:
            where = "小程序" if link.app == WeChatApp.MINI_PROGRAM else "公众号聊天"
            raise IdentityError(f"这个关联码要在{where}里输入。", "invalid_link_code")
        user = await User.get(id=link.user_id)  # type: ignore[attr-defined]
        if not user.active:
            raise IdentityError("该账号已停用，请联系管理员。", "inactive")
        await attach(user, app, openid, unionid)
        await link.delete()
    return user


async def same_person_openids(openid: str) -> list[str]:
    """Every openid of the person behind this one: their other app, by binding or by a shared UnionID.

    Records keyed by openid (a villager's cases) follow the person this way across the 公众号 and the
    mini-program, also for villagers who have no person record.
    """
    mine: Any = await WeChatIdentity.filter(openid=openid).values_list("user_id", "unionid")
    legacy: Any = await User.filter(openid=openid).values_list("id", flat=True)
    users = {int(u) for u, _ in mine if u is not None} | {int(u) for u in legacy}
    unions = {str(n) for _, n in mine if n}
    if not users and not unions:
        return [openid]
    rule = Q(user_id__in=list(users)) if users else Q(unionid__in=list(unions))
    if users and unions:
        rule = rule | Q(unionid__in=list(unions))
    found: Any = await WeChatIdentity.filter(rule).values_list("openid", flat=True)
    chat: Any = await User.filter(id__in=list(users), openid__not_isnull=True).values_list("openid", flat=True)
    return sorted({str(o) for o in found} | {str(o) for o in chat} | {openid})
