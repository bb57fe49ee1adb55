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
    """An amount of money: '8500元', or in 万元 with one decimal from 10,000 yuan ('128.6万元')."""
    if yuan < 10_000:
        return f"{round(yuan):d}元"
    return f"{yuan / 10_000:.1f}万元"


def percent(value: float | None) -> str:
    """A percentage with one decimal, trailing .0 dropped: 93.2%, 100%."""
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def change(current: int, previous: int | None, unit: str) -> str:
    """The year-over-year phrase: '同比增加5次（增长16.7%）', '同比减少3件', '与上年同期持平', or ''.

    '' when there is no previous year to compare with.
    """
    if previous is None:
        return ""
    diff = current - previous
    if diff == 0:
        return "与上年同期持平"
    word, grow = ("增加", "增长") if diff > 0 else ("减少", "下降")
    text = f"同比{word}{abs(diff)}{unit}"
    if previous > 0:
        text += f"（{grow}{percent(100.0 * abs(diff) / previous)}）"
    return text
