"""Dates and counts as helpers type them."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.parsing import split_correction
from knowledge.wording.dates import parse_date
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import parse_count
from services.activities import ActivityError, normalize_six_target

NOW = dt.date(2026, 11, 26)


@pytest.mark.parametrize(("text", "expected"), [
    ("今天", NOW), ("昨天", dt.date(2026, 11, 25)), ("前天", dt.date(2026, 11, 24)),
    ("5月12日", dt.date(2026, 5, 12)), ("5月12号", dt.date(2026, 5, 12)), ("2026-05-12", dt.date(2026, 5, 12)),
    ("5.12", dt.date(2026, 5, 12)), ("5/12", dt.date(2026, 5, 12)), ("2026年5月12日", dt.date(2026, 5, 12)),
    ("2025.1.3", dt.date(2025, 1, 3)), ("20260512", dt.date(2026, 5, 12)), (" 2026－05－12 ", dt.date(2026, 5, 12)),
])
def test_dates(text: str, expected: dt.date) -> None:
    assert parse_date(text, now=NOW) == expected


def test_december_typed_in_january_is_last_year() -> None:
    assert parse_date("12月28日", now=dt.date(2027, 1, 5)) == dt.date(2026, 12, 28)


@pytest.mark.parametrize(("text", "word"), [
    ("明天", "未来"), ("12月1日", "未来"), ("2027-01-01", "未来"), ("2026-02-30", "有效"), ("13月1日", "有效"),
    ("上周", "没看懂"), ("1999-01-01", "太早"),
])
def test_bad_dates(text: str, word: str) -> None:
    with pytest.raises(ParseError, match=word):
        parse_date(text, now=NOW)


@pytest.mark.parametrize(("text", "expected"), [
    ("45", 45), ("45人", 45), ("约200人", 200), ("四十五", 45), ("一百二十", 120), ("两千", 2000), ("无", 0),
    ("1,200份", 1200), ("十", 10),
])
def test_counts(text: str, expected: int) -> None:
    assert parse_count(text, "materials") == expected


@pytest.mark.parametrize(("text", "word"), [("-3", "负数"), ("100000", "太大"), ("很多", "整数"), ("4.5", "整数")])
def test_bad_counts(text: str, word: str) -> None:
    with pytest.raises(ParseError, match=word):
        parse_count(text, "participants")


def test_corrections_and_six_targets() -> None:
    assert split_correction("人数 45") == ("participants", "45")
    assert split_correction("资料份数：120") == ("materials", "120")
    assert split_correction("村 石桥") == ("village_id", "石桥")
    with pytest.raises(ActivityError):
        split_correction("天气 晴")
    assert normalize_six_target("法律进学校") == "学校" and normalize_six_target("无") == ""
    with pytest.raises(ActivityError):
        normalize_six_target("进月球")
