"""Quiet hours (Asia/Shanghai, [mediation] quiet_start to quiet_end): no case notification and no reminder
goes out to villagers or staff then; what falls due is sent by the first run after them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from knowledge.wording.dates import TZ

if TYPE_CHECKING:
    from bot.config import MediationSettings


def _hm(value: str) -> time | None:
    if not value:
        return None
    h, m = value.split(":")
    return time(int(h), int(m))


def quiet_until(now: datetime, start: str, end: str) -> datetime | None:
    """The end of the quiet hours `now` falls in (Asia/Shanghai), or None outside them."""
    a, b = _hm(start), _hm(end)
    if a is None or b is None or a == b:
        return None
    local = now.astimezone(TZ)
    t = local.time()
    inside = (a <= t or t < b) if a > b else (a <= t < b)
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if a > b and t >= a else local.date()
    return datetime.combine(day, b, tzinfo=TZ)


def quiet_now(settings: MediationSettings, now: datetime | None = None) -> bool:
    """Whether it is quiet hours now (the periodic reminder scans then send nothing)."""
    return quiet_until(now or datetime.now(TZ), settings.quiet_start, settings.quiet_end) is not None
