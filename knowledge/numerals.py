"""Chinese numerals as used in article numbers (第一千零七十九条)."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_TEN_THOUSAND = "万"
_ZH_DIGITS = "零一二三四五六七八九"

CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS) + _TEN_THOUSAND


def parse_int(text: str) -> int | None:
    """Parse Arabic digits or a Chinese numeral (一千零七十九, 二八七, 十一); None if invalid."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if any(ch not in CHINESE_NUMERAL_CHARS for ch in text):
        return None
    if not any(ch in _UNITS or ch == _TEN_THOUSAND for ch in text):
        # Digit-by-digit form: 二八七 → 287.
        return int("".join(str(_DIGITS[ch]) for ch in text))
    return _parse_positional(text)


def _parse_positional(text: str) -> int | None:
    total = 0
    if _TEN_THOUSAND in text:
        high, _, text = text.partition(_TEN_THOUSAND)
        high_value = _parse_below_10k(high) if high else None
        if high_value is None or high_value == 0:
            return None
        total = high_value * 10000
        if not text:
            return total
    low = _parse_below_10k(text)
    return None if low is None else total + low


def _parse_below_10k(text: str) -> int | None:
    total = 0
    digit: int | None = None
    last_unit = 10000
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and digit != 0 and _DIGITS[ch] != 0:
                return None  # two digits in a row inside a positional numeral
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit:
                return None  # units must decrease: 一千零七十九, not 七十一千
            # A bare 十 means 一十 (十一 = 11), and so does 百/千 after nothing.
            total += (digit if digit else 1) * unit
            digit = None
            last_unit = unit
        else:
            return None
    if digit:
        total += digit
    return total


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
