"""Mediation fixtures: a town with villages and staff, and a helper to register cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from bot.admin.passwords import hash_password
from models.core import Role, Town, User, Village
from models.mediation import Case, Source
from services import cases

PASSWORD = "mima2026ok"


@dataclass
class World:
    """A town, two villages, two mediators, an admin, a county admin and another town's mediator."""

    town: Town
    village: Village
    village2: Village
    mediator: User
    mediator2: User
    admin: User
    county: User
    other_town: Town
    outsider: User


async def make_world() -> World:
    """Create the people and places most tests need."""
    town = (await Town.get_or_create(name="江湾镇", defaults={"studio_name": "老洪调解工作室",
                                                               "case_prefix": "江湾"}))[0]
    other = await Town.create(name="河口镇", studio_name="河口调解室", case_prefix="河口")
    v1 = await Village.create(town=town, name="江湾村", households=300)
    v2 = await Village.create(town=town, name="东岸村", households=200)

    async def staff(name: str, role: Role, t: Town) -> User:
        return await User.create(display_name=name, login=name, role=role, town=t,
                                 password_hash=hash_password(PASSWORD),
                                 phone="13900000000", openid=f"oid-{name}")

    return World(town, v1, v2, await staff("洪调解", Role.MEDIATOR, town), await staff("周调解", Role.MEDIATOR, town),
                 await staff("司法所王", Role.ADMIN, town), await staff("县局李", Role.COUNTY_ADMIN, town),
                 other, await staff("河口刘", Role.MEDIATOR, other))


@pytest.fixture
async def world(db: str) -> World:
    """The standard world in the test database."""
    return await make_world()


async def new_case(w: World, openid: str = "villager-1", case_type: str = "邻里", on: date | None = None,
                   source: Source = Source.APPLIED) -> Case:
    """Register a typical neighbours' dispute."""
    return await cases.register_case(
        cases.NewCase(
            town_id=w.town.id, case_type=case_type, summary="张小三家的排水沟堵了，雨水流进李四家院子，两家吵起来了。",
            parties=[cases.PartyIn("张小三", "applicant", "13812341234", "110101199003071233"),
                     cases.PartyIn("李四", "respondent", "13987654321")],
            source=source, village_id=w.village.id, applicant_openid=openid, actor_label="村民（微信）",
        ),
        due_days=30, on=on,
    )
