"""Case notifications: queued with the event, sent once (two workers), quiet hours, 48-hour window, retries, log."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.customer_service import CustomerService
from bot.notify import dispatch
from bot.quiet_hours import quiet_until
from bot.redis_store import make_clients
from knowledge.wording.dates import TZ
from models.mediation import Case, Notification
from services import cases
from tests.conftest import APPID, TOKEN
from tests.mediation.conftest import World, new_case

NOON = datetime(2026, 5, 20, 12, 0, tzinfo=TZ)


def _cs(base_url: str, redis_url: str) -> CustomerService:
    _, sync = make_clients(redis_url)
    return CustomerService(APPID, "s3cret", base_url, sync, 5.0)


async def _accepted(w: World) -> Case:
    case = await new_case(w, openid="villager-n")
    await Case.filter(id=case.id).update(applicant_seen_at=NOON - timedelta(hours=2))
    return await cases.accept(case.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)


async def test_events_queue_messages_for_the_right_people(world: World) -> None:
    case = await new_case(world, openid="villager-n")
    staff = await Notification.filter(case=case, kind="new_case").order_by("id")
    assert sorted(n.recipient_label for n in staff) == ["司法所王", "周调解", "洪调解"]  # town mediators and admins
    assert all("张小三" not in n.text and "1381234" not in n.text and case.reg_number in n.text for n in staff)
    case = await cases.accept(case.id, cases.Actor(world.admin), [world.mediator.id], due_days=30)
    told = await Notification.get(case=case, kind="accept")
    assert told.openid == "villager-n" and case.number and case.number in told.text and told.status == "pending"
    other = await new_case(world, openid="villager-m")
    await cases.decline(other.id, cases.Actor(world.admin), "not_mediable")
    refusal = await Notification.get(case=other, kind="decline")
    assert "不属于人民调解范围" in refusal.text and "12348公共法律服务热线" in refusal.text
    helper_case = await new_case(world, openid="villager-x")
    with pytest.raises(cases.TransitionRefused):
        await cases.agree(helper_case.id, cases.Actor(world.admin),
                          cases.AgreementIn(terms="x", effective_on=NOON.date()), followup_days=30)
    assert not await Notification.filter(case=helper_case, kind="agree").exists()  # a refused change tells nobody


async def test_dispatch_inside_window_quiet_hours_and_template(world: World, fake_wechat: Any, redis_url: str,
                                                               make_settings: Any) -> None:
    fake, base = fake_wechat
    case = await _accepted(world)
    settings = make_settings(mediation={"quiet_start": "21:30", "quiet_end": "07:30", "notify_template_id": "TPL1"})
    await Notification.filter(kind="new_case").delete()
    night = NOON.replace(hour=23)
    r = await dispatch(_cs(base, redis_url), settings, night)
    assert r.held == 1 and r.sent == 0 and fake.sent == []
    held = await Notification.get(case=case, kind="accept")
    assert held.status == "pending" and held.attempts == 0
    assert held.not_before == night.replace(hour=7, minute=30) + timedelta(days=1)
    r = await dispatch(_cs(base, redis_url), settings, night + timedelta(hours=3))
    assert r.sent == 0  # still quiet, and not due yet
    morning = night.replace(hour=8) + timedelta(days=1)
    # The applicant's last message is now more than 48 hours old: a template message.
    r = await dispatch(_cs(base, redis_url), settings, morning + timedelta(days=2))
    assert r.sent == 1 and fake.sent[-1]["template_id"] == "TPL1" and fake.sent[-1]["touser"] == "villager-n"
    log = await Notification.get(case=case, kind="accept")
    assert (log.status, log.channel, log.attempts) == ("sent", "template", 1) and log.sent_at is not None
    # A message inside the window goes through the customer-service API.
    await cases.schedule_session(case.id, cases.Actor(world.mediator), NOON + timedelta(days=3), "村委会调解室")
    await Case.filter(id=case.id).update(applicant_seen_at=NOON)
    r = await dispatch(_cs(base, redis_url), settings, NOON + timedelta(hours=1))
    assert r.sent == 1 and "村委会调解室" in fake.texts_to("villager-n")[-1]
    assert (await Notification.get(case=case, kind="schedule")).channel == "custom"


async def test_failed_send_is_retried_then_given_up(world: World, fake_wechat: Any, redis_url: str,
                                                    make_settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    fake, base = fake_wechat
    case = await _accepted(world)
    await Notification.filter(kind="new_case").delete()
    settings = make_settings(mediation={"quiet_start": "", "quiet_end": ""})
    fake.fail_sends = 1
    assert (await dispatch(_cs(base, redis_url), settings, NOON)).failed == 1
    assert (await dispatch(_cs(base, redis_url), settings, NOON + timedelta(seconds=30))).sent == 0  # backing off
    assert (await dispatch(_cs(base, redis_url), settings, NOON + timedelta(minutes=2))).sent == 1
    assert len(fake.texts_to("villager-n")) == 1
    assert (await Notification.get(case=case, kind="accept")).attempts == 2
    # Failing for good: five attempts, then given up and logged (no personal data in the log).
    await cases.schedule_session(case.id, cases.Actor(world.mediator), NOON + timedelta(days=3), "调解室")
    fake.fail_sends = 100
    at = NOON
    with caplog.at_level(logging.INFO, logger="mingbai.notify"):
        for _ in range(6):
            at += timedelta(hours=1)
            await dispatch(_cs(base, redis_url), settings, at)
    row = await Notification.get(case=case, kind="schedule")
    assert row.status == "failed" and row.attempts == 5 and row.error
    assert any("given up after 5 attempts" in r.message for r in caplog.records)
    assert all("villager-n" not in r.message and "张小三" not in r.message for r in caplog.records)


def test_quiet_hours() -> None:
    assert quiet_until(NOON, "21:30", "07:30") is None
    late = NOON.replace(hour=22)
    assert quiet_until(late, "21:30", "07:30") == datetime(2026, 5, 21, 7, 30, tzinfo=TZ)
    early = NOON.replace(hour=6)
    assert quiet_until(early, "21:30", "07:30") == datetime(2026, 5, 20, 7, 30, tzinfo=TZ)
    assert quiet_until(late, "", "") is None
    assert quiet_until(NOON, "12:00", "14:00") == datetime(2026, 5, 20, 14, 0, tzinfo=TZ)


async def test_two_worker_processes_send_once(world: World, fake_wechat: Any, db_url: str, redis_url: str,
                                              tmp_path: Path) -> None:
    fake, base = fake_wechat
    case = await new_case(world, openid="villager-w")
    await cases.accept(case.id, cases.Actor(world.admin), [world.mediator.id], due_days=30)
    config = tmp_path / "worker.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[redis]\nurl = "{redis_url}"\n'
        f'[wechat]\ntoken = "{TOKEN}"\nappid = "{APPID}"\nsecret = "s3cret"\nmode = "plain"\n'
        f'api_base_url = "{base}"\n[security]\nsecret_key = "test-secret-key-0123456789"\n'
        '[mediation]\nquiet_start = ""\nquiet_end = ""\n',
        encoding="utf-8",
    )
    exe = str(Path(sys.executable).with_name("mingbai"))
    procs = [await asyncio.create_subprocess_exec(exe, "--config", str(config), "worker", "--burst",
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
             for _ in range(2)]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 90)
    assert all(p.returncode == 0 for p in procs), outputs
    accepted = [t for t in fake.texts_to("villager-w") if "已受理" in t]
    assert len(accepted) == 1
    assert (await Notification.get(case=case, kind="accept")).status == "sent"
    staff = await Notification.filter(case=case, kind="new_case")
    assert len(staff) == 3 and all(n.status == "sent" for n in staff)
    assert sum(1 for m in fake.sent if "新的调解申请" in str(m)) == 3
