"""Dates and counts as helpers type them: 今天/昨天/前天/5月12日/2026-05-12/5.12, 45人, 资料120份."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

# Counts beyond these are typos, not events (a village meeting of 50,000 people does not happen).
MAX_COUNTS = {"participants": 5000, "materials": 100000, "consultations": 5000}
COUNT_LABELS = {"participants": "参与人数", "materials": "发放资料份数", "consultations": "咨询人次"}
EARLIEST = dt.date(2000, 1, 1)


class ParseError(ValueError):
    """Input that cannot be understood; the message is polite Chinese for the user."""


def today() -> dt.date:
    """Today's date in China."""
    return dt.datetime.now(TZ).date()


_RELATIVE = {"明天": -1, "后天": -2, "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")

DATE_HINT = "请写日期，比如“今天”“昨天”“5月12日”或“2026-05-12”。"


def parse_date(text: str, *, now: dt.date | None = None) -> dt.date:
    """The date a helper means; future dates and nonsense raise ParseError."""
    t = text.strip().replace("．", ".").replace("／", "/").replace("－", "-")
    ref = now or today()
    if t in _RELATIVE:
        return check_date(ref - dt.timedelta(days=_RELATIVE[t]), now=ref)
    year_given = True
    m = _FULL.match(t) or _COMPACT.match(t)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = _MONTH_DAY.match(t)
        if not m:
            raise ParseError(f"没看懂日期“{text.strip()[:20]}”。{DATE_HINT}")
        year_given = False
        y, (mo, d) = ref.year, (int(x) for x in m.groups())
    try:
        value = dt.date(y, mo, d)
    except ValueError:
        raise ParseError(f"“{text.strip()[:20]}”不是有效的日期。{DATE_HINT}") from None
    if not year_given and value > ref:
        value = _last_year(value, ref)  # "12月28日" typed in early January means last December
    if value > ref:
        raise ParseError(f"{value:%Y年%-m月%-d日}还没到，不能登记未来的活动。请写已经开展的日期。")
    if value < EARLIEST:
        raise ParseError(f"{value:%Y年%-m月%-d日}太早了，请检查年份。")
    return value


def _last_year(value: dt.date, ref: dt.date) -> dt.date:
    try:
        last = value.replace(year=value.year - 1)
    except ValueError:  # 2月29日
        return value
    return last if last >= ref - dt.timedelta(days=120) else value


_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def _chinese_number(t: str) -> int | None:
    if not t or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in t):
        return None
    total, section, digit = 0, 0, 0
    for c in t:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c == "万":
            section = (section + digit) * 10000
            total, section, digit = total + section, 0, 0
        else:
            section += (digit or 1) * _CN_UNITS[c]
            digit = 0
    return total + section + digit


_COUNT = re.compile(
    r"^(?:约|大约|共|共计|合计)?\s*(-?\d+|[零〇一二两三四五六七八九十百千万]+)\s*(?:人次|人|份|个|次|名)?\s*(?:左右)?$"
)


def parse_count(text: str, field: str = "participants") -> int:
    """A whole number of people or copies; negative or absurd numbers raise ParseError."""
    label = COUNT_LABELS.get(field, "数量")
    t = text.strip().replace(",", "").replace("，", "")
    if t in {"无", "没有", "0", "零", "不填", "-", "—"}:
        return 0
    m = _COUNT.match(t)
    value = None
    if m:
        raw = m.group(1)
        if len(raw) > 12:  # beyond any limit; int() of thousands of digits raises ValueError
            raise ParseError(f"{label}太大了（上限{MAX_COUNTS.get(field, 100000)}），请核对后重新填写。")
        value = int(raw) if raw.lstrip("-").isdigit() else _chinese_number(raw)
    if value is None:
        raise ParseError(f"{label}请填一个整数，比如“45”；没有就填“0”。")
    return check_count(value, field)


def check_count(value: int, field: str) -> int:
    """A count within 0 and the field's plausible maximum."""
    label = COUNT_LABELS.get(field, "数量")
    if value < 0:
        raise ParseError(f"{label}不能是负数。")
    limit = MAX_COUNTS.get(field, 100000)
    if value > limit:
        raise ParseError(f"{label}{value}太大了（上限{limit}），请核对后重新填写。")
    return value


def check_date(value: dt.date, *, now: dt.date | None = None) -> dt.date:
    """A date that is not in the future and not absurdly early."""
    ref = now or today()
    if value > ref:
        raise ParseError(f"{value:%Y年%-m月%-d日}还没到，不能登记未来的活动。")
    if value < EARLIEST:
        raise ParseError(f"{value:%Y年%-m月%-d日}太早了，请检查年份。")
    return value
