"""Masking of dispute parties' personal data (names, phones, ID numbers) for everyone but a case's own staff."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import Enum
from types import SimpleNamespace
from typing import Any

from models.core import Role

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{7,8})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小三 -> 张*三, 欧阳小明 -> 欧**明; a single character becomes *."""
    n = name.strip()
    if len(n) <= 1:
        return "*" if n else ""
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234; other numbers keep only their last 4 digits."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """A resident ID number keeps its first 3 and last 4 characters: 110***********1234."""
    v = id_number.strip()
    if len(v) <= 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def scrub_text(text: str, names: Iterable[str] = ()) -> str:
    """Mask phone numbers, ID numbers and the given names inside free text (summaries, notes)."""
    out = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    out = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", out)
    out = _LANDLINE.sub(lambda m: m.group(1) + "-" + "*" * (len(m.group(2)) - 4) + m.group(2)[-4:], out)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, mask_name(name))
    return out


def may_see_parties(role: Role, user_id: int | None, user_town_id: int | None, case_town_id: int,
                    mediator_ids: Iterable[int]) -> bool:
    """Parties' details are for the case's own mediators and its town's admins (and county admins)."""
    if role is Role.COUNTY_ADMIN:
        return True
    if role is Role.ADMIN:
        return user_town_id == case_town_id
    if role is Role.MEDIATOR:
        return user_id is not None and user_town_id == case_town_id and user_id in set(mediator_ids)
    return False


TextMask = Callable[[str | None], str]


def text_mask(visible: bool, names: Iterable[str] = ()) -> TextMask:
    """The one masking step for case text: identity for those entitled, else phones, IDs and names masked."""
    if visible:
        return lambda text: text or ""
    kept = list(names)
    return lambda text: scrub_text(text or "", kept)


def masked_view(record: Any, mask: TextMask) -> SimpleNamespace | None:
    """A read-only copy of a record with every text field passed through `mask` (None stays None).

    Pages show case records through this, so a text field added later is masked without anyone
    remembering to: only non-text values (dates, numbers, ids, flags) pass unchanged.
    """
    if record is None:
        return None
    values: dict[str, Any] = {}
    for name in record._meta.fields_db_projection:  # the stored columns, foreign keys as <name>_id
        value = getattr(record, name, None)
        if isinstance(value, str) and not isinstance(value, Enum):
            value = mask(value)
        values[name] = value
    return SimpleNamespace(**values)
