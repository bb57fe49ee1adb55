"""How the report writes numbers: exact record counts, head counts rounded down with 余, year-over-year phrases.

The rounding rule (DESIGN.md "The figures of the report"): officials round large tallies DOWN and add 余
("4600余份" for 4,637, never "4700余份"); small ones are exact.
- `count()` is for counts of records (activities, meetings, 骨干, cases): always exact ("1003人").
- `approx()` is for tallies people add up by hand (participants, materials, consultations, questions):
  below 1,000 exact; 1,000 to 99,999 floored to the hundred ("4600余", "12300余"); from 100,000 floored
  to the 万 ("12万余"). 余 is written only when something was cut off ("4600" for exactly 4,600).
"""

from __future__ import annotations

EXACT_BELOW = 1000


def count(n: int) -> str:
    """A count of records, always exact."""
    return str(int(n))


def approx(n: int) -> str:
    """A tally rounded down by the rule above: 4637 -> '4600余', 850 -> '850', 123456 -> '12万余'."""
    n = int(n)
    if n < EXACT_BELOW:
        return str(n)
    if n < 100_000:
        floored = n // 100 * 100
        return f"{floored}余" if floored != n else str(n)
    wan = n // 10_000
    return f"{wan}万余" if wan * 10_000 != n else f"{wan}万"


def money(yuan: float) -> str:
    """An amount of money cut (never rounded up), 余 when something was cut: '8500元', '8500余元',
    from 10,000 yuan in 万元 with one decimal: 1,312,345 -> '131.2万余元', 1,310,000 -> '131万元'."""
    fen = round(yuan * 100)
    if fen < 1_000_000:
        whole = fen // 100
        return f"{whole}{'余' if whole * 100 != fen else ''}元"
    tenths = fen // 100_000  # 0.1万 = 1000 yuan = 100,000 fen
    text = f"{tenths // 10}.{tenths % 10}" if tenths % 10 else str(tenths // 10)
    return f"{text}万{'余' if tenths * 100_000 != fen else ''}元"


def percent(value: float | None) -> str:
    """A percentage with one decimal, trailing .0 dropped: 93.2%, 100%."""
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


PERCENT_BASE = 10  # below this a percentage says more than the numbers do ("增长4200%" on a base of 1)


def change(current: int, previous: int | None, unit: str) -> str:
    """The year-over-year phrase: '同比增加5次', with '（增长16.7%）' on a base of 10 or more; '与上年同期持平'; or ''.

    '' when there is no previous year to compare with.
    """
    if previous is None:
        return ""
    diff = current - previous
    if diff == 0:
        return "与上年同期持平"
    word, grow = ("增加", "增长") if diff > 0 else ("减少", "下降")
    text = f"同比{word}{abs(diff)}{unit}"
    if previous >= PERCENT_BASE:
        text += f"（{grow}{percent(100.0 * abs(diff) / previous)}）"
    return text


def days(value: float) -> str:
    """Days with one decimal, trailing .0 dropped: 12.5, 3."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


NUMERALS = "一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二 (enough for a report's parts)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def heading_number(level: int, n: int) -> str:
    """The 公文 numbering of the n-th heading at a level: 一、 （一） 1. （1）."""
    if level <= 1:
        return f"{chinese_ordinal(n)}、"
    if level == 2:
        return f"（{chinese_ordinal(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"
