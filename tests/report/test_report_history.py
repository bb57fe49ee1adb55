"""The report quotes the 矛盾纠纷排查 records, and a past year's helper figures do not move when people join or
leave later."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

import models
from bot.cli import build_parser
from models.core import Role, Town, User, Village
from models.screening_tables import ScreeningSource
from services.helper_work import set_profile
from services.screening import create_screening
from tests.report.seed import seed

LATER = dt.date(2026, 6, 1)


@pytest.fixture
def seeded(db_url: str, make_settings: Callable[..., Any]) -> Any:
    async def go() -> None:
        async with models.database(db_url):
            await seed()
            town = await Town.get(name="江湾镇")
            village = await Village.get(town=town, name="江湾村")
            for day, found, resolved, registered in ((dt.date(2023, 3, 1), 3, 2, 1), (dt.date(2023, 9, 1), 0, 0, 0)):
                await create_screening(town.id, None, {"date": day, "village_id": village.id, "found": found,
                                                       "resolved": resolved, "registered": registered},
                                       source=ScreeningSource.IMPORT, today=LATER)
            await create_screening(town.id, None, {"date": dt.date(2023, 12, 1), "level": "town", "found": 1,
                                                   "registered": 1}, source=ScreeningSource.CONSOLE, today=LATER)
            other = await Town.get(name="白沙镇")
            await create_screening(other.id, None, {"date": dt.date(2023, 5, 1), "level": "town", "found": 2,
                                                    "resolved": 2}, source=ScreeningSource.CONSOLE, today=LATER)

    asyncio.run(go())
    return make_settings()


def _report(settings: Any, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    args = build_parser().parse_args(["report", "--year", "2023", *argv])
    assert args.func(args, settings) == 0
    return capsys.readouterr().out


def test_screenings_are_quoted_in_the_disputes_part(seeded: Any, capsys: pytest.CaptureFixture[str]) -> None:
    text = _report(seeded, capsys)
    assert ("全年组织开展矛盾纠纷排查3次（村级2次、镇级1次），排查发现矛盾纠纷4件，其中当场化解2件、"
            "登记进入调解程序2件。") in text
    county = _report(seeded, capsys, "--county")
    assert "组织开展矛盾纠纷排查4次" in county and "排查发现矛盾纠纷6件" in county


def test_a_past_years_helpers_stay_when_people_join_and_leave_later(seeded: Any, db_url: str,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = _report(seeded, capsys)
    assert "我镇共有“法律明白人”19人，其中“法律明白人”骨干17人" in before

    async def join_and_leave() -> None:
        async with models.database(db_url):
            town = await Town.get(name="江湾镇")
            village = await Village.get(town=town, name="江湾村")
            newcomer = await User.create(role=Role.HELPER, display_name="新来的", town=town, village=village,
                                         is_core=True)
            await set_profile(newcomer, joined_on=dt.date(2026, 3, 1))
            leaver = await User.filter(town=town, role=Role.HELPER, is_core=True, active=True).first()
            assert leaver is not None
            await set_profile(leaver, left_on=dt.date(2026, 5, 1))
            leaver.active = False
            await leaver.save()

    asyncio.run(join_and_leave())
    assert _report(seeded, capsys) == before
    now = _report(seeded, capsys, "--year", "2026")
    assert "共有“法律明白人”19人，其中“法律明白人”骨干17人" in now  # one骨干 left, one joined


def test_a_submitted_report_shows_its_frozen_text_and_what_changed_since(
        seeded: Any, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    live = _report(seeded, capsys)
    args = build_parser().parse_args(["report", "--year", "2023", "--submit", "张所长"])
    assert args.func(args, seeded) == 0
    assert "已报送并冻结" in capsys.readouterr().err
    again = build_parser().parse_args(["report", "--year", "2023", "--submit", "张所长"])
    assert again.func(again, seeded) == 1
    assert "已于" in capsys.readouterr().err  # a submitted report is not submitted twice
    frozen = _report(seeded, capsys)
    assert frozen.startswith("（本报告已于") and live.strip() in frozen and "报送后数字没有变化" in frozen

    async def add_screening() -> None:
        async with models.database(db_url):
            town = await Town.get(name="江湾镇")
            await create_screening(town.id, None, {"date": dt.date(2023, 6, 1), "level": "town", "found": 2},
                                   source=ScreeningSource.CONSOLE, today=LATER)

    asyncio.run(add_screening())
    after = _report(seeded, capsys)
    assert live.strip() in after  # still the text as submitted
    assert "矛盾纠纷排查（次）：报送时3，现在4" in after and "排查发现矛盾纠纷（件）：报送时4，现在6" in after
    current = _report(seeded, capsys, "--current")
    assert "组织开展矛盾纠纷排查4次" in current and "本报告已于" not in current
