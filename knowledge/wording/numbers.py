"""Numerals and counts as people type or say them: 45, 三百五, 二八七, 一万五, 1.5万, 四十多, 一百来份.

Chinese numerals go through cn2an ("smart" mode: 三百五 = 350, 二八七 = 287, 一万五 = 15000, 两千 = 2000,
1.5万 = 15000). Approximations (四十多, 一百来, 三四十, 十几, 上百, 约200, 60左右) give the lower round
figure and are marked approximate; officials round down too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an

from knowledge.wording.errors import ParseError

CN_DIGITS = "零〇一二两三四五六七八九幺"
CN_UNITS = "十百千万"
# Arabic, Chinese or mixed (1百2十, 1.5万, 3千5): a digit or a numeral character, then more of them.
# One character a step, so a long run that fails to match costs linear time, not exponential.
NUMERAL = rf"[\d{CN_DIGITS}{CN_UNITS}](?:[\d{CN_DIGITS}{CN_UNITS}]|\.(?=\d))*"
_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2, "幺": 1}
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10000}

# Counts beyond these are typos, not events (a village meeting of 50,000 people does not happen).
MAX_COUNTS = {"participants": 5000, "materials": 100000, "consultations": 5000}
COUNT_LABELS = {"participants": "参与人数", "materials": "发放资料份数", "consultations": "咨询人次"}
NONE_COUNTS = {"无", "没有", "0", "零", "不填", "-", "—", "没", "没发"}

APPROX_BEFORE = ("大约有", "大概有", "差不多有", "估计有", "约有", "接近", "大约", "大概", "差不多", "将近", "估计",
                 "约", "近", "上")
APPROX_AFTER = ("多", "余", "来", "几")
APPROX_TAIL = ("左右", "上下")


@dataclass(frozen=True)
class Count:
    """A count and whether the helper gave it only roughly."""

    value: int
    approx: bool = False


def normalize(text: str) -> str:
    """Full-width digits and punctuation to half-width (１２ → 12, ． → .)."""
    return unicodedata.normalize("NFKC", text)


def _range(text: str) -> int | None:
    """三四十 → 30, 一两百 → 100, 七八 → 7: two neighbouring digits are a range; take the lower."""
    m = re.fullmatch(rf"([一二三四五六七八九])([两二三四五六七八九])([{CN_UNITS}]?)", text)
    if not m:
        return None
    low, high = _DIGIT_VALUE[m.group(1)], _DIGIT_VALUE[m.group(2)]
    if high != low + 1:
        return None
    return low * _UNIT_VALUE.get(m.group(3), 1)


def to_int(text: str) -> int | None:
    """A whole number from Arabic, Chinese or mixed numerals; None if it is not one (or not whole)."""
    t = normalize(text).strip().replace(",", "")
    if not t:
        return None
    if t.isascii() and t.isdigit():
        return int(t) if len(t) <= 12 else None
    if len(t) > 16 or not re.fullmatch(NUMERAL, t):
        return None
    if t.startswith("十") is False and t[0] in _UNIT_VALUE:
        t = "一" + t  # 百来人 = 一百
    try:
        value = cn2an.cn2an(t, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return int(value)


def read_count(text: str) -> Count | None:
    """A count with its rough-marks: '约200', '四十多', '一百来', '三四十', '60左右', '上百'; None if none."""
    t = normalize(text).strip().replace(",", "").replace("，", "")
    approx = False
    for word in APPROX_TAIL:
        if t.endswith(word):
            t, approx = t[: -len(word)], True
    for word in ("共计", "一共", "总共", "合计", "共"):
        t = t.removeprefix(word)
    for word in APPROX_BEFORE:
        if t.startswith(word) and len(t) > len(word):
            t, approx = t[len(word):], True
            break
    for word in APPROX_AFTER:
        if t.endswith(word) and len(t) > 1:
            t, approx = t[: -len(word)], True
            break
    value = _range(t)
    if value is not None:
        return Count(value, True)
    value = to_int(t)
    return None if value is None else Count(value, approx)


_COUNT_FIELD = re.compile(r"^(.*?)\s*(?:人次|个人|人|份|个|次|名|位|户|张|本|册)?$")


def parse_count(text: str, field: str = "participants") -> int:
    """A whole number of people or copies typed as a form answer; ParseError says what is wrong."""
    return parse_count_reading(text, field).value


def parse_count_reading(text: str, field: str = "participants") -> Count:
    """Like parse_count, keeping the approximate mark (四十多 → Count(40, approx=True))."""
    label = COUNT_LABELS.get(field, "数量")
    t = normalize(text).strip().replace(",", "").replace("，", "")
    if t in NONE_COUNTS:
        return Count(0)
    m = _COUNT_FIELD.match(t)
    body = m.group(1) if m else t
    for word in ("参与", "参加", "发放", "资料", "咨询"):
        body = body.removeprefix(word)
    if re.fullmatch(r"-\d+", body):
        raise ParseError(f"{label}不能是负数。")
    if re.fullmatch(r"\d{13,}", body):
        raise ParseError(f"{label}太大了（上限{MAX_COUNTS.get(field, 100000)}），请核对后重新填写。")
    count = read_count(body)
    if count is None:
        raise ParseError(f"{label}请填一个整数，比如“45”或“四十五”；没有就填“0”。")
    check_count(count.value, field)
    return count


def check_count(value: int, field: str) -> int:
    """A count within 0 and the field's plausible maximum."""
    label = COUNT_LABELS.get(field, "数量")
    if value < 0:
        raise ParseError(f"{label}不能是负数。")
    limit = MAX_COUNTS.get(field, 100000)
    if value > limit:
        raise ParseError(f"{label}{value}太大了（上限{limit}），请核对后重新填写。")
    return value
