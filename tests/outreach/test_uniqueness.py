"""One entry, one row: the fingerprint and idempotency key hold for chat, API and import, also concurrently."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models.outreach import Activity, ActivityChange, ActivityKind, ActivitySource
from services.activities import DuplicateActivity, create_activity, update_activity, withdraw_activity
from sheets.activity_ledger import COLUMNS, import_activities
from sheets.tabular import read_table

pytestmark = pytest.mark.db

FORMS = ("法治公开课", "入户走访")
DAY = dt.date(2025, 5, 12)


def ledger(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def entry(**over: Any) -> dict[str, Any]:
    return {"kind": ActivityKind.PUBLICITY, "date": DAY, "form": "入户走访", "theme": "民法典", "participants": 30,
            "materials": 50, **over}


async def test_two_entries_differing_only_in_counts_are_two_records(world: Any) -> None:
    vid = world.villages["江湾村"].id
    morning = await create_activity(world.town.id, world.helper, entry(village_id=vid))
    afternoon = await create_activity(world.town.id, world.helper, entry(village_id=vid, participants=31))
    assert morning.id != afternoon.id
    with pytest.raises(DuplicateActivity) as err:
        await create_activity(world.town.id, world.helper, entry(village_id=vid), source=ActivitySource.API)
    assert err.value.existing.id == morning.id and f"编号{morning.id}" in err.value.message
    assert await Activity.all().count() == 2


async def test_withdrawn_entry_can_be_logged_again_and_edits_cannot_make_twins(world: Any) -> None:
    vid = world.villages["江湾村"].id
    first = await create_activity(world.town.id, world.helper, entry(village_id=vid))
    other = await create_activity(world.town.id, world.helper, entry(village_id=vid, participants=31))
    with pytest.raises(Exception, match="完全相同"):
        await update_activity(other, world.helper, {"participants": 30})
    assert (await Activity.get(id=other.id)).participants == 31
    await withdraw_activity(first, world.helper)
    again = await create_activity(world.town.id, world.helper, entry(village_id=vid))
    assert again.id != first.id


async def test_reimport_adds_nothing_and_repeats_in_the_file_are_reported(world: Any, tmp_path: Path) -> None:
    path = ledger(tmp_path / "a.csv",
                  "2025-05-12,普法宣传活动,江湾村,入户走访,,反诈,30,50,0,李明",  # morning
                  "2025-05-12,普法宣传活动,江湾村,入户走访,,反诈,42,60,2,李明",  # afternoon: other counts
                  "2025-05-12,普法宣传活动,江湾村,入户走访,,反诈,30,50,0,李明")  # row 4 repeats row 2
    rows = read_table(path, COLUMNS)
    result = await import_activities(rows, world.town.id, FORMS)
    assert (result.created, result.duplicates, result.repeats) == (2, 0, [(4, 2)])
    assert "第4行与第2行完全相同" in result.repeats_report()
    assert sorted(await Activity.all().values_list("participants", flat=True)) == [30, 42]
    again = await import_activities(rows, world.town.id, FORMS)
    assert (again.created, again.duplicates) == (0, 2)
    assert await Activity.all().count() == 2
    assert await ActivityChange.filter(action="import").count() == 2


async def test_concurrent_imports_of_one_file_leave_one_set(world: Any, tmp_path: Path) -> None:
    lines = [f"2025-{m:02d}-{d:02d},普法宣传活动,江湾村,法治公开课,,民法典,{n},10,0,李明"
             for m in (3, 4) for d in range(1, 29) for n in (20, 21)]
    rows = read_table(ledger(tmp_path / "big.csv", *lines), COLUMNS)
    results = await asyncio.gather(*(import_activities(rows, world.town.id, FORMS) for _ in range(3)))
    assert sum(r.created for r in results) == len(lines)
    assert sorted(r.created for r in results)[:2] == [0, 0]
    assert await Activity.all().count() == len(lines)
    assert await ActivityChange.filter(action="import").count() == len(lines)


def test_two_processes_importing_one_file_leave_one_set(db_url: str, tmp_path: Path) -> None:
    from tests.bot.test_cli import env

    config = tmp_path / "mingbai.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n[security]\nsecret_key = "two-process-import-123"\n'
                      '[wechat]\ntoken = "two-process-token"\n',
                      encoding="utf-8")
    mingbai = [sys.executable, "-m", "bot", "--config", str(config)]
    subprocess.run([*mingbai, "villages", "import", str(_villages(tmp_path))], env=env(), cwd=tmp_path, check=True,
                   capture_output=True)
    lines = [f"2025-{m:02d}-{d:02d},普法宣传活动,江湾村,法治公开课,,民法典,{n},10,0,李明"
             for m in range(1, 13) for d in range(1, 29) for n in (20, 21, 22)]
    path = ledger(tmp_path / "big.csv", *lines)
    procs = [subprocess.Popen([*mingbai, "activities", "import", str(path)], env=env(), cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    created = sorted(int(out.split("导入")[1].split("条")[0]) for out, _ in outs)
    assert created == [0, len(lines)], outs

    import models

    async def count() -> int:
        async with models.database(db_url):
            return await Activity.all().count()

    assert asyncio.run(count()) == len(lines)


def _villages(tmp_path: Path) -> Path:
    path = tmp_path / "v.csv"
    path.write_text("村名,户数\n江湾村,300\n", encoding="utf-8")
    return path


async def test_chat_and_api_entry_of_one_activity_leave_one_row(world: Any, make_settings: Any,
                                                                 make_client: Any) -> None:
    say = world.chat.say
    reply = await say("h1", "活动 2025年5月12日 江湾 法治公开课 45人 资料120份 咨询6人次 主题 民法典")
    assert "请核对" in reply, reply
    assert "已保存" in await say("h1", "确认")
    a = await Activity.get()
    h = await _login(world, "h1")
    r = await world.client.post("/api/v1/activities", headers=h, json={
        "kind": a.kind, "date": a.date.isoformat(), "village_id": a.village_id, "form": a.form,
        "six_target": a.six_target, "theme": a.theme, "place": a.place, "participants": a.participants,
        "materials": a.materials, "consultations": a.consultations})
    assert r.status == 409 and (await r.json())["existing_id"] == a.id
    # and the other way round: the chat's 确认 of an entry the API saved says so, with the number
    reply = await say("h1", "活动 2025年5月13日 江湾 法治公开课 45人 资料120份 咨询6人次 主题 民法典")
    saved = await world.client.post("/api/v1/activities", headers=h, json={
        "kind": "publicity", "date": "2025-05-13", "village_id": a.village_id, "form": a.form, "theme": a.theme,
        "participants": 45, "materials": 120, "consultations": 6})
    assert saved.status == 201
    assert f"已经登记过（编号{(await saved.json())['id']}）" in await say("h1", "确认")
    assert await Activity.all().count() == 2


async def _login(world: Any, openid: str) -> dict[str, str]:
    token = "t-" + openid
    import json

    from bot import keys
    from bot.api.auth import SESSION_PREFIX

    redis = world.client.server.app[keys.REDIS]
    await redis.set(SESSION_PREFIX + token, json.dumps({"openid": openid}), ex=600)
    return {"Authorization": f"Bearer {token}"}
