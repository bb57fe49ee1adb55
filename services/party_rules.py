"""A party's details and their checks: phone numbers, resident ID numbers (GB 11643), 统一社会信用代码 (GB 32100)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

SIDES: dict[str, str] = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
KINDS: dict[str, str] = {"person": "自然人", "org": "法人或其他组织"}
GENDERS = ("男", "女")

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

LABELS: dict[str, str] = {
    "side": "身份", "kind": "类别", "name": "姓名/名称", "gender": "性别", "ethnicity": "民族",
    "birth_date": "出生日期", "occupation": "职业", "address": "住址/住所", "id_number": "身份证号",
    "phone": "电话", "credit_code": "统一社会信用代码", "legal_rep": "法定代表人", "legal_rep_title": "职务",
    "agent_name": "代理人", "agent_relation": "代理人关系/权限", "agent_phone": "代理人电话",
}


class PartyInvalid(ValueError):
    """A party's details do not pass the checks; the message is Chinese and names the field."""


@dataclass(frozen=True)
class PartyIn:
    """A party as entered (chat, console, API, import): a natural person or an organisation."""

    name: str
    side: str = "applicant"
    phone: str = ""
    id_number: str = ""
    address: str = ""
    kind: str = "person"
    gender: str = ""
    ethnicity: str = ""
    birth_date: date | None = None
    occupation: str = ""
    credit_code: str = ""
    legal_rep: str = ""
    legal_rep_title: str = ""
    agent_name: str = ""
    agent_relation: str = ""
    agent_phone: str = ""

    def values(self) -> dict[str, Any]:
        """The fields as a dict, for saving."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def normalize_phone(raw: str) -> str:
    """Spaces and dashes out of a mobile number; a landline keeps one dash after its area code."""
    t = raw.strip().replace(" ", "").replace("－", "-")
    if not t:
        return ""
    digits = t.replace("-", "")
    if MOBILE.fullmatch(digits):
        return digits
    if LANDLINE.fullmatch(t) or LANDLINE.fullmatch(digits):
        return t
    raise PartyInvalid(f"电话号码“{raw.strip()[:20]}”不对：手机号应为1开头的11位数字，座机请带区号，如0791-1234567。")


def id_checksum_ok(v: str) -> bool:
    """The GB 11643 check character of an 18-character resident ID number."""
    if not re.fullmatch(r"\d{17}[\dX]", v):
        return False
    total = sum(int(c) * w for c, w in zip(v[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == v[17]


def id_birth_date(v: str) -> date | None:
    """The birth date written in an 18-character ID number, if it is a real date."""
    try:
        return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return None


def normalize_id_number(raw: str, today: date) -> str:
    """An 18-character ID number with a valid birth date and check character (a lower-case x is accepted)."""
    v = raw.strip().replace(" ", "").upper()
    if not v:
        return ""
    if len(v) != 18 or not re.fullmatch(r"\d{17}[\dX]", v):
        raise PartyInvalid("身份证号应为18位（最后一位可以是X）。")
    born = id_birth_date(v)
    if born is None or born > today:
        raise PartyInvalid("身份证号里的出生日期不对，请核对。")
    if not id_checksum_ok(v):
        raise PartyInvalid("身份证号校验位不对，请逐位核对。")
    return v


def credit_code_ok(v: str) -> bool:
    """The GB 32100 check character of an 18-character 统一社会信用代码."""
    if len(v) != 18 or any(c not in _USCC_CHARS for c in v):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(v[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == v[17]


def normalize_credit_code(raw: str) -> str:
    """An 18-character 统一社会信用代码 with a valid check character."""
    v = raw.strip().replace(" ", "").upper()
    if not v:
        return ""
    if not credit_code_ok(v):
        raise PartyInvalid("统一社会信用代码应为18位，且校验位正确，请核对营业执照。")
    return v


def check_past(d: date | None, what: str, today: date) -> None:
    """Refuse a date in the future for something that has already happened."""
    if d is not None and d > today:
        raise PartyInvalid(f"{what}不能晚于今天（{today:%Y-%m-%d}）。")


def _text(value: str, label: str, limit: int) -> str:
    v = re.sub(r"\s+", " ", value).strip()
    if len(v) > limit:
        raise PartyInvalid(f"{label}太长了（最多{limit}个字）。")
    return v


def validate(p: PartyIn, today: date) -> PartyIn:
    """Check and tidy a party; PartyInvalid (Chinese) names the first problem."""
    if p.side not in SIDES:
        raise PartyInvalid("请选择当事人身份：申请人、被申请人或第三人。")
    if p.kind not in KINDS:
        raise PartyInvalid("请选择当事人类别：自然人，或法人及其他组织。")
    name = _text(p.name, "姓名或名称", 64)
    if len(name) < 2:
        raise PartyInvalid("请填写当事人的姓名或单位名称（至少2个字）。")
    if p.gender and p.gender not in GENDERS:
        raise PartyInvalid("性别请填写“男”或“女”。")
    check_past(p.birth_date, "出生日期", today)
    id_number = normalize_id_number(p.id_number, today) if p.kind == "person" else ""
    birth_date, gender = p.birth_date, p.gender
    if id_number:
        born = id_birth_date(id_number)
        if birth_date is not None and birth_date != born:
            raise PartyInvalid("出生日期与身份证号不一致，请核对。")
        birth_date = born
        from_id = "男" if int(id_number[16]) % 2 else "女"
        if gender and gender != from_id:
            raise PartyInvalid("性别与身份证号不一致，请核对。")
        gender = from_id
    out = replace(
        p, name=name, phone=normalize_phone(p.phone), id_number=id_number,
        address=_text(p.address, "住址", 128), ethnicity=_text(p.ethnicity, "民族", 16),
        occupation=_text(p.occupation, "职业", 64), birth_date=birth_date, gender=gender,
        credit_code=normalize_credit_code(p.credit_code) if p.kind == "org" else "",
        legal_rep=_text(p.legal_rep, "法定代表人", 64) if p.kind == "org" else "",
        legal_rep_title=_text(p.legal_rep_title, "职务", 32) if p.kind == "org" else "",
        agent_name=_text(p.agent_name, "代理人姓名", 64), agent_relation=_text(p.agent_relation, "代理人关系", 128),
        agent_phone=normalize_phone(p.agent_phone),
    )
    if out.agent_relation and not out.agent_name:
        raise PartyInvalid("填写了代理权限，请同时填写代理人姓名。")
    if p.kind == "person":
        out = replace(out, gender=gender)
    else:
        out = replace(out, gender="", ethnicity="", birth_date=None, occupation="")
    return out


def changed_fields(before: dict[str, Any], after: PartyIn) -> list[str]:
    """The Chinese labels of the fields that differ (the audit names fields, not the personal values)."""
    return [LABELS[k] for k, v in after.values().items() if k in LABELS and before.get(k) != v]
