"""A failing WeChat API: customer-service sends retry with backoff through the job queue, then give up."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import cs_retry
from bot.jobs import make_worker
from bot.wechat.client import text_xml
from tests.bot.test_callback import PLAIN, counting_router, post
from tests.eventually import eventually


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cs_retry, "BACKOFF_SECONDS", 0.05)


async def run_worker(settings) -> None:
    """`mingbai worker --burst`, in its own task (its database context stays out of the test's)."""
    worker = make_worker(settings, burst=True, handle_signals=False)

    async def run() -> None:
        await worker.main()
        await worker.close()

    await asyncio.create_task(run())


async def _queued(client) -> int:
    from bot import keys

    return int(await client.app[keys.REDIS].zcard(cs_retry.QUEUE))


async def test_failed_send_is_retried_by_the_worker(make_settings, make_client, fake_wechat) -> None:
    fake, base = fake_wechat
    fake.fail_sends = 3  # the server's attempt and two queued ones fail, the third queued one succeeds
    router, calls = counting_router(delay=0.8)
    settings = make_settings(server={"reply_budget_seconds": 0.5}, wechat={"api_base_url": base})
    client = await make_client(settings, (router,))
    _, _, body = await post(client, PLAIN, text_xml("cs1", "慢", 31001))
    assert body == "success"
    assert await eventually(lambda: _queued(client)) == 1  # answered at once; the retry queued in the background
    assert fake.sent == []
    await run_worker(settings)
    assert fake.texts_to("cs1") == ["第1次处理"]
    assert len(calls) == 1


async def test_send_is_given_up_after_the_bound(make_settings, make_client, fake_wechat, caplog) -> None:
    fake, base = fake_wechat
    fake.fail_sends = 100
    router, _ = counting_router(delay=0.8)
    settings = make_settings(server={"reply_budget_seconds": 0.5}, wechat={"api_base_url": base})
    client = await make_client(settings, (router,))
    assert (await post(client, PLAIN, text_xml("cs2", "慢", 32001)))[2] == "success"
    await eventually(lambda: _queued(client))
    with caplog.at_level(logging.WARNING, logger="mingbai.cs"):
        await run_worker(settings)
    assert fake.sent == [] and fake.fail_sends == 100 - cs_retry.MAX_TRIES
    assert any("given up after 5 attempts" in r.getMessage() for r in caplog.records)
