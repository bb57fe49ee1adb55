"""Deadline reminders: due and overdue, each sent once even with two workers, retried after a failed send."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.customer_service import CustomerService
from bot.redis_store import make_clients
from bot.reminder_loop import scan
from models.mediation import Case, ReminderSent
from services import cases
from services.reminders import due_reminders
from tests.conftest import APPID, TOKEN
from tests.eventually import eventually
from tests.mediation.conftest import World, new_case

TODAY = date(2026, 5, 20)


def _cs(base_url: str, redis_url: str) -> CustomerService:
    _, sync = make_clients(redis_url)
    return CustomerService(APPID, "s3cret", base_url, sync, 5.0)


async def _cases(w: World) -> dict[str, Case]:
    actor = cases.Actor(w.admin)
    soon = await new_case(w, on=TODAY - timedelta(days=28))
    await cases.accept(soon.id, actor, [w.mediator.id], due_days=30, on=TODAY - timedelta(days=28))
    late = await new_case(w, on=TODAY - timedelta(days=40))
    await cases.accept(late.id, actor, [w.mediator.id, w.mediator2.id], due_days=30, on=TODAY - timedelta(days=40))
    calm = await new_case(w, on=TODAY)
    await cases.accept(calm.id, actor, [w.mediator.id], due_days=30, on=TODAY)
    agreed = await new_case(w, on=TODAY - timedelta(days=40))
    await cases.accept(agreed.id, actor, [w.mediator2.id], due_days=30, on=TODAY - timedelta(days=40))
    await cases.agree(agreed.id, actor, cases.AgreementIn(terms="赔偿", effective_on=TODAY - timedelta(days=28),
                                                         perform_by=TODAY + timedelta(days=1)), followup_days=30)
    unassigned = await new_case(w, on=TODAY - timedelta(days=35))
    return {"soon": soon, "late": late, "calm": calm, "agreed": agreed, "unassigned": unassigned}


async def test_what_is_due(world: World) -> None:
    made = await _cases(world)
    due = {(r.case.id, r.kind) for r in await due_reminders(TODAY, 3)}
    assert due == {
        (made["soon"].id, "mediation_due"), (made["late"].id, "mediation_due_overdue"),
        (made["agreed"].id, "follow_up"), (made["agreed"].id, "confirmation_window"),
        (made["unassigned"].id, "mediation_due_overdue"),
    }


async def test_two_workers_send_each_reminder_once(world: World, fake_wechat: Any, redis_url: str) -> None:
    fake, base = fake_wechat
    made = await _cases(world)
    results = await asyncio.gather(*(scan(_cs(base, redis_url), 3, TODAY) for _ in range(2)))
    assert sum(r.sent for r in results) == 5 and sum(r.skipped for r in results) == 5
    to_hong = fake.texts_to("oid-洪调解")
    to_zhou = fake.texts_to("oid-周调解")
    to_admin = fake.texts_to("oid-司法所王")
    assert len(to_hong) == 2 and len(to_zhou) == 3 and len(to_admin) == 1  # unassigned -> the town's admin
    late_number = (await Case.get(id=made["late"].id)).number
    assert late_number and any(late_number in t and "已超期10天" in t for t in to_hong)
    assert any("司法确认申请截止" in t for t in to_zhou)
    assert all("张小三" not in t and "1381234" not in t for t in to_hong + to_zhou + to_admin)
    again = await scan(_cs(base, redis_url), 3, TODAY)
    assert again.sent == 0 and again.skipped == 5
    assert len(fake.sent) == 6
    assert await ReminderSent.all().count() == 5
    # three days later: the 'soon' case and the follow-up are overdue (one more reminder each);
    # the §33 window has closed, so there is nothing left to remind about it
    later = await scan(_cs(base, redis_url), 3, TODAY + timedelta(days=3))
    soon_number = (await Case.get(id=made["soon"].id)).number
    assert later.sent == 2 and soon_number and soon_number in fake.texts_to("oid-洪调解")[-1]
    assert "履行回访" in fake.texts_to("oid-周调解")[-1] and "已超期2天" in fake.texts_to("oid-周调解")[-1]


async def test_failed_send_is_retried(world: World, fake_wechat: Any, redis_url: str) -> None:
    fake, base = fake_wechat
    actor = cases.Actor(world.admin)
    c = await new_case(world, on=TODAY - timedelta(days=29))
    await cases.accept(c.id, actor, [world.mediator.id], due_days=30, on=TODAY - timedelta(days=29))
    fake.fail_sends = 10
    first = await scan(_cs(base, redis_url), 3, TODAY)
    assert first.failed == 1 and await ReminderSent.all().count() == 0
    fake.fail_sends = 0
    second = await scan(_cs(base, redis_url), 3, TODAY)
    assert second.sent == 1 and len(fake.texts_to("oid-洪调解")) == 1


async def test_two_arq_worker_processes(world: World, fake_wechat: Any, db_url: str, redis_url: str,
                                        tmp_path: Path) -> None:
    fake, base = fake_wechat
    actor = cases.Actor(world.admin)
    start = cases.today() - timedelta(days=31)
    c = await new_case(world, on=start)
    await cases.accept(c.id, actor, [world.mediator.id], due_days=30, on=start)
    config = tmp_path / "worker.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[redis]\nurl = "{redis_url}"\n'
        f'[wechat]\ntoken = "{TOKEN}"\nappid = "{APPID}"\nsecret = "s3cret"\nmode = "plain"\n'
        f'api_base_url = "{base}"\n[security]\nsecret_key = "test-secret-key-0123456789"\n'
        '[mediation]\nquiet_start = ""\nquiet_end = ""\n',  # the case's own notice goes out at any hour
        encoding="utf-8",
    )
    exe = str(Path(sys.executable).with_name("mingbai"))
    procs = [await asyncio.create_subprocess_exec(exe, "--config", str(config), "worker", "--burst",
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
             for _ in range(2)]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 60)
    assert all(p.returncode == 0 for p in procs), outputs
    to_hong = fake.texts_to("oid-洪调解")
    assert len([t for t in to_hong if t.startswith("【调解提醒】")]) == 1
    assert len([t for t in to_hong if t.startswith("【新的调解申请】")]) == 1
    assert await ReminderSent.filter(case_id=c.id).count() == 1


async def test_embedded_server_scans_in_process(world: World, fake_wechat: Any, make_settings: Any,
                                                make_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, base = fake_wechat
    actor = cases.Actor(world.admin)
    day = cases.today()
    monkeypatch.setattr("bot.reminder_loop.local_today", lambda: day)  # the scan's day is the test's, midnight or not
    start = day - timedelta(days=29)
    c = await new_case(world, on=start)
    await cases.accept(c.id, actor, [world.mediator.id], due_days=30, on=start)
    settings = make_settings(redis={"url": ""}, wechat={"api_base_url": base},
                             mediation={"quiet_start": "", "quiet_end": ""})
    assert settings.embedded
    await make_client(settings)
    await eventually(lambda: len(fake.texts_to("oid-洪调解")) >= 2)
    reminders = [t for t in fake.texts_to("oid-洪调解") if t.startswith("【调解提醒】")]
    assert len(reminders) == 1 and "还有1天" in reminders[0]


async def test_no_reminder_in_quiet_hours_the_first_scan_after_sends_it(world: World, fake_wechat: Any,
                                                                        make_settings: Any, redis_url: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime
    from datetime import timedelta as td

    from bot.jobs import reminder_scan
    from knowledge.wording.dates import TZ

    fake, base = fake_wechat
    actor = cases.Actor(world.admin)
    day = cases.today()
    monkeypatch.setattr("bot.reminder_loop.local_today", lambda: day)  # the scan's day is the test's, midnight or not
    start = day - timedelta(days=29)
    c = await new_case(world, on=start)
    await cases.accept(c.id, actor, [world.mediator.id], due_days=30, on=start)
    now = datetime.now(TZ)
    around_now = {"quiet_start": f"{now - td(hours=1):%H:%M}", "quiet_end": f"{now + td(hours=1):%H:%M}"}
    ctx = {"customer_service": _cs(base, redis_url), "settings": make_settings(mediation=around_now)}
    assert (await reminder_scan(ctx))["quiet"] == 1
    assert not fake.texts_to("oid-洪调解") and await ReminderSent.all().count() == 0
    ctx["settings"] = make_settings(mediation={"quiet_start": "", "quiet_end": ""})
    assert (await reminder_scan(ctx))["sent"] == 1
    assert "还有1天" in fake.texts_to("oid-洪调解")[0]


async def test_embedded_loops_skip_their_step_in_quiet_hours(make_settings: Any) -> None:
    from datetime import datetime
    from datetime import timedelta as td

    from aiohttp import web

    from bot import keys
    from bot.reminder_loop import periodic_ctx
    from knowledge.wording.dates import TZ

    now = datetime.now(TZ)
    around_now = {"quiet_start": f"{now - td(hours=1):%H:%M}", "quiet_end": f"{now + td(hours=1):%H:%M}"}
    for mediation, expect_runs in ((around_now, False), ({"quiet_start": "", "quiet_end": ""}, True)):
        runs: list[int] = []

        async def step(app: web.Application, runs: list[int] = runs) -> None:
            runs.append(1)

        app = web.Application()
        app[keys.SETTINGS] = make_settings(mediation=mediation)
        ctx = periodic_ctx("test", step, lambda app: 0.01, quiet=True)(app)
        await ctx.__anext__()
        await asyncio.sleep(0.1)
        with contextlib.suppress(StopAsyncIteration):
            await ctx.__anext__()
        assert bool(runs) is expect_runs
