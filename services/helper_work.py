"""法律明白人's own record, written through here: profile and trainings, checked."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError

from models.core import User
from models.helper_tables import HelperProfile, HelperTraining, Referral, ReferralKind
from services.privacy import scrub_text

# 乡村"法律明白人"培养工作规范（试行）: helpers are chosen from these groups.
SOURCES = ("村干部", "人民调解员", "网格员", "五老", "退役军人", "致富带头人", "其他")
MAX_HOURS = Decimal("200")


class HelperWorkError(Exception):
    """A refused write; the message is polite Chinese."""

    def __init__(self, message: str, code: str = "invalid", existing: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.existing = existing


async def record_training(user: User, date: dt.date, theme: str, hours: Decimal, *, organiser: str = "",
                          today: dt.date) -> HelperTraining:
    """A helper attended a training; the same one sent twice raises HelperWorkError(code='exists')."""
    if date > today:
        raise HelperWorkError(f"{date:%Y年%-m月%-d日}还没到，不能登记未来的培训。")
    if not Decimal(0) < hours <= MAX_HOURS:
        raise HelperWorkError(f"学时要大于0、不超过{MAX_HOURS}小时。")
    theme = theme.strip()
    if not theme or len(theme) > 200:
        raise HelperWorkError("请写培训主题（200字以内），比如“民法典婚姻家庭编”。")
    key = hashlib.sha256(f"{date}\x1f{theme}\x1f{hours}\x1f{organiser.strip()}".encode()).hexdigest()[:40]
    try:
        return await HelperTraining.create(user=user, date=date, theme=theme, hours=hours,
                                           organiser=organiser.strip()[:64], fingerprint=key)
    except IntegrityError:
        existing = await HelperTraining.get_or_none(user=user, fingerprint=key)
        raise HelperWorkError(f"这次培训已经登记过（编号{existing.id if existing else '?'}）。", code="exists",
                              existing=existing.id if existing else None) from None


async def record_referral(helper_id: int, kind: ReferralKind, date: dt.date, note: str, *,
                          today: dt.date) -> Referral:
    """A dispute a helper reported or a person they referred to legal aid; names and numbers in the note masked."""
    if date > today:
        raise HelperWorkError(f"{date:%Y年%-m月%-d日}还没到，请写已经发生的日期。")
    return await Referral.create(helper_id=helper_id, kind=kind, date=date, note=scrub_text(note)[:200])


async def set_profile(user: User, **values: Any) -> HelperProfile:
    """Create or update a helper's profile (source, households, joined_on, left_on), checked."""
    source = values.get("source")
    if source is not None and source not in ("", *SOURCES):
        raise HelperWorkError(f"来源请从{'、'.join(SOURCES)}中选。")
    households = values.get("households")
    if households is not None and not 0 <= households <= 10000:
        raise HelperWorkError("联系户数要在0到10000之间。")
    profile, _ = await HelperProfile.get_or_create(user=user)
    for name, value in values.items():
        if value is not None:
            setattr(profile, name, value)
    if profile.joined_on and profile.left_on and profile.left_on < profile.joined_on:
        raise HelperWorkError("退出日期不能早于加入日期。")
    await profile.save()
    return profile
