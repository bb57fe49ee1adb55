"""Console logins: a unique login (a login name or a phone) chosen at creation, never the display name."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError

from models.core import User

_PHONE_LIKE = re.compile(r"^\+?[\d\s-]{7,20}$")
_BAD = re.compile(r"[\s\x00-\x1f\x7f]")
LOGIN_RULE = "登录账号请用2到64个字符的登录名或手机号，不含空格。"


class AccountError(ValueError):
    """A refused account change; the message is Chinese and names nothing of other people or towns."""


def normalize_login(text: str) -> str:
    """The stored form of a login: a phone as its digits, ASCII letters in lower case; AccountError if unusable."""
    t = text.strip()
    if _PHONE_LIKE.match(t):
        t = re.sub(r"[\s-]", "", t)
    if not 2 <= len(t) <= 64 or _BAD.search(t):
        raise AccountError(LOGIN_RULE)
    return t.lower()


async def set_login(user: User, login: str) -> None:
    """Give a person this login (saved at once); AccountError when it is taken, also by a concurrent save."""
    value = normalize_login(login)
    if value == user.login:
        return
    if await User.filter(login=value).exclude(id=user.id or 0).exists():
        raise AccountError(f"登录账号“{value}”已被使用，请换一个。")
    user.login = value
    try:
        if user.id:
            await user.save(update_fields=["login"])
        else:
            await user.save()
    except IntegrityError:
        raise AccountError(f"登录账号“{value}”已被使用，请换一个。") from None


async def save_person(user: User) -> None:
    """Save a person's record; AccountError when another person has its login (also by a concurrent save)."""
    taken = AccountError(f"登录账号“{user.login}”已被使用，请换一个。")
    if user.login and await User.filter(login=user.login).exclude(id=user.id or 0).exists():
        raise taken
    try:
        await user.save()
    except IntegrityError:
        raise taken from None


async def find_login(login: str) -> User | None:
    """The active person with this console login, or None."""
    try:
        value = normalize_login(login)
    except AccountError:
        return None
    return await User.get_or_none(login=value, active=True)
