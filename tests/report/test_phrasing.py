"""The rounding rule and the other number phrases."""

from __future__ import annotations

import pytest

from reports.render import phrasing


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"), (35, "35"), (999, "999"), (1000, "1000"), (1003, "1000余"), (4637, "4600余"),
        (4699, "4600余"), (4600, "4600"), (12345, "12300余"), (99999, "99900余"), (100000, "10万"),
        (123456, "12万余"), (1203000, "120万余"),
    ],
)
def test_approx_rounds_down_with_yu(n: int, text: str) -> None:
    assert phrasing.approx(n) == text


def test_approx_never_rounds_up() -> None:
    assert phrasing.approx(4637) != "4700余"
    for n in range(1000, 100000, 37):
        shown = int(phrasing.approx(n).removesuffix("余"))
        assert shown <= n < shown + 100


def test_counts_are_exact() -> None:
    assert phrasing.count(1003) == "1003"


def test_change_phrases() -> None:
    assert phrasing.change(35, 30, "次") == "同比增加5次（增长16.7%）"
    assert phrasing.change(120, 130, "件") == "同比减少10件（下降7.7%）"
    assert phrasing.change(2, 2, "次") == "与上年同期持平"
    assert phrasing.change(3, 0, "次") == "同比增加3次"
    assert phrasing.change(3, None, "次") == ""
    assert phrasing.change(43, 1, "次") == "同比增加42次"  # no "增长4200%" on a base of 1
    assert phrasing.change(5, 9, "件") == "同比减少4件"
    assert phrasing.change(5, 10, "件") == "同比减少5件（下降50%）"


def test_money_and_percent() -> None:
    assert phrasing.money(8500) == "8500元"
    assert phrasing.money(8500.5) == "8500余元"
    assert phrasing.money(1286450) == "128.6万余元"
    assert phrasing.money(1312999.99) == "131.2万余元"  # cut, not rounded to 131.3
    assert phrasing.money(1310000) == "131万元"
    assert phrasing.money(1300500) == "130万余元"
    assert phrasing.money(9999.99) == "9999余元"
    assert phrasing.percent(100.0) == "100%"
    assert phrasing.percent(90.91) == "90.9%"
    assert phrasing.percent(None) == "—"


def test_heading_numbers_follow_the_gongwen_levels() -> None:
    assert [phrasing.heading_number(1, n) for n in (1, 6, 10, 12)] == ["一、", "六、", "十、", "十二、"]
    assert phrasing.heading_number(2, 3) == "（三）"
    assert phrasing.heading_number(3, 2) == "2."
    assert phrasing.heading_number(4, 5) == "（5）"
