"""Every door reads counts and dates with the same reader: "三百五" is 350 in the ledger import and in chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.outreach import Activity
from tests.outreach.test_ledger_cli import HEADER, query, run, write
from tests.outreach.test_ledger_cli import town as town  # the fixture


def test_ledger_import_reads_chinese_numerals_and_dates(town: Any, db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", HEADER,
                 "2026年5月12日,普法宣传活动,江湾村,法治公开课,,民法典,三百五,一万五,二八七,李明",
                 "2026-05-13,普法宣传活动,石桥村,入户走访,,防诈骗,两千,1.5万,十一,王芳")
    assert run(town, "activities", "import", path) == 0
    rows = query(db_url, lambda: Activity.all().order_by("date").values_list(
        "participants", "materials", "consultations"))
    assert [tuple(r) for r in rows] == [(350, 15000, 287), (2000, 15000, 11)]


async def test_guided_form_reads_chinese_numerals(world: Any) -> None:
    say = world.chat.say
    await say("h1", "登记活动")
    for answer in ("1", "昨天", "本村", "1", "无", "民法典"):
        await say("h1", answer)
    assert "资料" in await say("h1", "三百五")
    await say("h1", "一百来份")
    card = await say("h1", "0")
    assert "350人" in card and "约100份" in card
    await say("h1", "确认")
    a = await Activity.get()
    assert (a.participants, a.materials) == (350, 100)
