"""Masking rules shared by the whole project."""

from __future__ import annotations

from models.core import Role
from services.privacy import mask_id_number, mask_name, mask_phone, may_see_parties, scrub_text


def test_mask_name() -> None:
    assert mask_name("张小三") == "张*三"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("张") == "*"
    assert mask_name("") == ""


def test_mask_phone_and_id() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("138-1234-1234") == "138****1234"
    assert mask_phone("0791-8888777") == "*******8777"
    assert mask_id_number("110101199003071234") == "110***********1234"
    assert mask_id_number("36010119900307123X") == "360***********123X"


def test_scrub_text() -> None:
    text = "张小三说李四欠他钱，电话13812341234，身份证110101199003071234，座机0791-88887777"
    out = scrub_text(text, ["张小三", "李四"])
    assert "13812341234" not in out and "138****1234" in out
    assert "110101199003071234" not in out and "110***********1234" in out
    assert "张小三" not in out and "张*三" in out and "李*" in out
    assert "88887777" not in out


def test_who_may_see_parties() -> None:
    assert may_see_parties(Role.COUNTY_ADMIN, 1, None, 5, [])
    assert may_see_parties(Role.ADMIN, 1, 5, 5, [])
    assert not may_see_parties(Role.ADMIN, 1, 6, 5, [])
    assert may_see_parties(Role.MEDIATOR, 7, 5, 5, [7, 8])
    assert not may_see_parties(Role.MEDIATOR, 9, 5, 5, [7, 8])
    assert not may_see_parties(Role.MEDIATOR, 7, 6, 5, [7])
    assert not may_see_parties(Role.HELPER, 7, 5, 5, [7])
    assert not may_see_parties(Role.VILLAGER, None, 5, 5, [])
