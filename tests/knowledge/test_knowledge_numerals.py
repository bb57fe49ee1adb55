import pytest

from knowledge.numerals import parse_int, to_chinese


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1127", 1127),
        ("一千零七十九", 1079),
        ("一千一百二十七", 1127),
        ("二百八十七", 287),
        ("五十一", 51),
        ("十", 10),
        ("十一", 11),
        ("一百一十", 110),
        ("一百十", 110),
        ("两百", 200),
        ("三十三", 33),
        ("二八七", 287),
        ("一千二百六十", 1260),
    ],
)
def test_parse_int(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["", "abc", "七十一千", "一一十", "千千"])
def test_parse_int_rejects_garbage(text: str) -> None:
    assert parse_int(text) is None


def test_round_trip() -> None:
    for number in range(1, 3000):
        assert parse_int(to_chinese(number)) == number
    assert to_chinese(1079) == "一千零七十九"
    assert to_chinese(110) == "一百一十"
    assert to_chinese(10) == "十"
