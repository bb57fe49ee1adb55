"""Chinese numerals as used in article numbers (第一千零七十九条); reading is knowledge.wording's (cn2an)."""

from __future__ import annotations

from knowledge.wording.numbers import to_int

_ZH_DIGITS = "零一二三四五六七八九"


def parse_int(text: str) -> int | None:
    """Arabic digits or a Chinese numeral (一千零七十九, 二八七, 十一) through the shared reader; None if invalid."""
    return to_int(text)


def to_chinese(number: int) -> str:
    """Format 0 < number < 100000 the way statutes write it: 1079 → 一千零七十九, 10 → 十."""
    if not 0 < number < 100000:
        raise ValueError(f"out of range: {number}")
    parts: list[str] = []
    units = ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, ""))
    zero_pending = False
    for value, name in units:
        digit = (number // value) % 10
        if digit == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(_ZH_DIGITS[digit] + name)
    text = "".join(parts)
    # 一十 is written 十 only when it leads the number (十一, but 一百一十).
    return text[1:] if text.startswith("一十") else text
