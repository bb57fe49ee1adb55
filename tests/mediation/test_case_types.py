"""A county's own case types, each mapped to one of the 15 statistics categories; configurable referrers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.config import ConfigError
from models.mediation import Case, Source
from services import case_types, cases
from services.case_flow import CASE_TYPES
from tests.mediation.conftest import World
from tests.mediation.test_chat import chat


@pytest.fixture
def county_types() -> Iterator[None]:
    case_types.configure("继承=婚姻家庭, 土地承包经营权=山林土地、村务管理=其他", "法院,公安,信访,政府,检察院")
    yield
    case_types.configure()


def test_parse_and_refuse() -> None:
    assert case_types.parse("继承=婚姻家庭") == {"继承": "婚姻家庭"}
    for bad in ("继承", "继承=遗产", "邻里=其他", "继承=婚姻家庭,继承=其他"):
        with pytest.raises(ValueError):
            case_types.parse(bad)


def test_config_names_the_fault(make_settings: Any) -> None:
    with pytest.raises(ConfigError, match="extra_case_types"):
        make_settings(mediation={"extra_case_types": "继承=遗产"})


async def test_custom_types_register_with_their_category(world: World, county_types: None) -> None:
    assert case_types.case_types()[-1] == "其他" and "继承" in case_types.case_types()
    assert len(case_types.case_types()) == len(CASE_TYPES) + 3
    made = await cases.register_case(cases.NewCase(
        town_id=world.town.id, case_type="继承", summary="兄弟分老宅", parties=[cases.PartyIn("张大")],
        source=Source.REFERRED, referred_by="检察院"), due_days=30)
    assert (made.case_type, made.stat_category) == ("继承", "婚姻家庭")
    plain = await cases.register_case(cases.NewCase(town_id=world.town.id, case_type="邻里", summary="x",
                                                    parties=[cases.PartyIn("张大")]), due_days=30)
    assert plain.stat_category == "邻里"
    case_types.configure()
    with pytest.raises(ValueError):
        await cases.register_case(cases.NewCase(town_id=world.town.id, case_type="继承", summary="x",
                                                parties=[cases.PartyIn("张大")]), due_days=30)
    assert await Case.all().count() == 2


async def test_chat_menu_offers_them(make_settings: Any, make_client: Any, world: World) -> None:
    client = await make_client(make_settings(mediation={"extra_case_types": "继承=婚姻家庭"}))
    try:
        say = chat(client.server.app, "villager-t")
        menu = await say("申请调解")
        assert "15. 继承" in menu and "16. 其他" in menu
        assert "类型：继承" in await say("15")
    finally:
        case_types.configure()
