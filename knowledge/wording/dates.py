"""Dates as helpers give them, in the town's time zone: 今天、昨天、前天、上周三、5.12、5月12号、12号、十一月二十号.

A date is never in the future: a month-day that has not come yet this year means last year when that
is within four months (12月28日 typed in January), otherwise it is refused; a bare day (12号) that has
not come yet this month means last month; a weekday that has not come yet this week means last week.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import CN_DIGITS, normalize, to_int

TZ = ZoneInfo("Asia/Shanghai")
EARLIEST = dt.date(2000, 1, 1)
DATE_HINT = "请写日期，比如“今天”“昨天”“上周三”“5月12日”或“2026-05-12”。"


def today(tz: dt.tzinfo = TZ) -> dt.date:
    """Today's date in the town's time zone (China by default)."""
    return dt.datetime.now(tz).date()


_N = rf"(?:\d{{1,2}}|[{CN_DIGITS}十]{{1,3}})"  # a month or a day, digits or Chinese (十一, 二十)
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_RELATIVE = {"大前天": 3, "前天": 2, "前日": 2, "昨天": 1, "昨日": 1, "昨晚": 1, "昨儿": 1, "昨夜": 1,
             "今天": 0, "今日": 0, "今早": 0, "今晚": 0, "今儿": 0, "今个": 0, "今上午": 0, "今下午": 0,
             "明天": -1, "后天": -2}
_PATTERNS = [
    ("full", re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?!\d)")),
    ("compact", re.compile(r"(?<!\d)(20\d{2})([01]\d)([0-3]\d)(?!\d)")),
    ("last_month", re.compile(rf"上个?月(?:的)?\s*({_N})\s*[日号]")),
    ("month_day", re.compile(rf"(?<![\d.])({_N})\s*月\s*({_N})\s*[日号]?")),
    ("dotted", re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])\s*[./]\s*(3[01]|[12]\d|0?[1-9])"
                          r"(?![\d.%])(?!\s*[十百千万份人个])")),
    ("week", re.compile(r"(上上|上|这|本|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天七])")),
    ("relative", re.compile("|".join(sorted(_RELATIVE, key=len, reverse=True)))),
    ("day", re.compile(rf"(?<![月\d])({_N})\s*[日号](?![\d])")),
]


@dataclass(frozen=True)
class DateMention:
    """A date found in text: its value (None when it is in the future or invalid), where, and why not."""

    value: dt.date | None
    start: int
    end: int
    problem: str = ""
    future: bool = False


def _num(text: str) -> int | None:
    return to_int(text)


def _resolve(kind: str, m: re.Match[str], ref: dt.date) -> dt.date:
    """The date a match means, relative to ref; ParseError for nonsense and future dates."""
    if kind == "relative":
        value = ref - dt.timedelta(days=_RELATIVE[m.group(0)])
        return check_date(value, now=ref)
    if kind == "week":
        prefix, day = m.group(1) or "", _WEEKDAYS[m.group(2)]
        monday = ref - dt.timedelta(days=ref.weekday())
        weeks_back = {"上上": 2, "上": 1, "下": -1}.get(prefix, 0)
        value = monday - dt.timedelta(weeks=weeks_back) + dt.timedelta(days=day)
        if value > ref and not prefix:
            value -= dt.timedelta(weeks=1)  # 周五 said on a Thursday: last Friday
        return check_date(value, now=ref)
    if kind == "day":
        day_of_month = _num(m.group(1))
        value = _make(ref.year, ref.month, day_of_month, m.group(0))
        if value > ref:
            prev = ref.replace(day=1) - dt.timedelta(days=1)
            value = _make(prev.year, prev.month, day_of_month, m.group(0))
        return check_date(value, now=ref)
    if kind == "last_month":
        prev = ref.replace(day=1) - dt.timedelta(days=1)
        return check_date(_make(prev.year, prev.month, _num(m.group(1)), m.group(0)), now=ref)
    if kind in ("full", "compact"):
        year, month, day = (int(x) for x in m.groups())
        return check_date(_make(year, month, day, m.group(0)), now=ref)
    mo, d = _num(m.group(1)), _num(m.group(2))
    value = _make(ref.year, mo, d, m.group(0))
    if value > ref:
        value = _last_year(value, ref)  # "12月28日" typed in early January means last December
    return check_date(value, now=ref)


def _make(y: int, mo: int | None, d: int | None, text: str) -> dt.date:
    try:
        if mo is None or d is None:
            raise ValueError
        return dt.date(y, mo, d)
    except ValueError:
        raise ParseError(f"“{text.strip()[:20]}”不是有效的日期。{DATE_HINT}") from None


def _last_year(value: dt.date, ref: dt.date) -> dt.date:
    try:
        last = value.replace(year=value.year - 1)
    except ValueError:  # 2月29日
        return value
    return last if last >= ref - dt.timedelta(days=120) else value


def find_date(text: str, *, now: dt.date | None = None) -> DateMention | None:
    """The first date mentioned in free text, or None; a future or invalid one comes with its problem."""
    t = normalize(text)
    ref = now or today()
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(t):
            if any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _, _ in found):
                continue  # inside a date already found by an earlier, more specific pattern
            found.append((m.start(), m.end(), kind, m))
    for start, end, kind, m in sorted(found, key=lambda f: f[0]):
        try:
            return DateMention(_resolve(kind, m, ref), start, end)
        except ParseError as exc:
            return DateMention(None, start, end, str(exc), future="还没到" in str(exc))
    return None


def parse_date(text: str, *, now: dt.date | None = None) -> dt.date:
    """A date typed on its own (a form answer or a ledger cell); future dates and nonsense raise ParseError."""
    t = normalize(text).strip().replace("－", "-")
    ref = now or today()
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(t)
        if m:
            return _resolve(kind, m, ref)
    raise ParseError(f"没看懂日期“{text.strip()[:20]}”。{DATE_HINT}")


def check_date(value: dt.date, *, now: dt.date | None = None) -> dt.date:
    """A date that is not in the future and not absurdly early."""
    ref = now or today()
    if value > ref:
        raise ParseError(f"{value:%Y年%-m月%-d日}还没到，不能登记未来的活动。请写已经开展的日期。")
    if value < EARLIEST:
        raise ParseError(f"{value:%Y年%-m月%-d日}太早了，请检查年份。")
    return value
