"""Tokens and limits: one access token per app for every process, refreshed once; error codes in words; retries."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import aiohttp
import pytest
import redis as redis_sync

from bot.customer_service import CustomerService
from bot.redis_store import make_clients
from bot.wechat.api import WeChatApi, WeChatApiError
from bot.wechat.errors import describe_error
from tests.conftest import REDIS_URL
from tests.eventually import eventually
from tests.wechat.conftest import Platform


@pytest.fixture
async def apis(fake_wechat, redis_url):
    """Two clients of one app on separate Redis connections, as two server processes have; sleeps recorded."""
    fake, base = fake_wechat
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with aiohttp.ClientSession() as http:
        clients = [make_clients(REDIS_URL)[0] for _ in range(2)]
        yield fake, [WeChatApi("wxapp", "secret", base, c, http, sleep=sleep) for c in clients], slept
        for c in clients:
            await c.aclose()


async def test_one_token_for_every_process_fetched_once(apis) -> None:
    fake, (a, b), _ = apis
    tokens = await asyncio.gather(*(api.access_token() for api in (a, b) for _ in range(10)))
    assert set(tokens) == {"TOKEN1"} and fake.token_requests == 1


async def test_a_token_close_to_expiry_is_renewed_once(apis) -> None:
    fake, (a, b), _ = apis
    await a.access_token()
    redis_sync.Redis.from_url(REDIS_URL).set(a.expiry_key, str(time.time() + 60))  # a minute left
    tokens = await asyncio.gather(a.access_token(), b.access_token(), a.access_token())
    assert fake.token_requests == 2 and "TOKEN2" in tokens
    assert await b.access_token() == "TOKEN2"


async def test_busy_and_rate_limited_calls_are_retried_with_backoff(apis, caplog) -> None:
    fake, (a, _), slept = apis
    fake.busy = 2
    caplog.set_level(logging.WARNING, "mingbai.wechat.api")
    assert (await a.call("menu/create", {"button": [{"type": "click", "name": "帮助", "key": "帮助"}]}))["errcode"] == 0
    assert slept == [0.5, 1.0]
    assert "微信系统繁忙" in caplog.text
    fake.busy = 10
    with pytest.raises(WeChatApiError) as info:
        await a.call("menu/get", method="GET")
    assert info.value.code == -1 and "微信系统繁忙" in info.value.description
    assert slept[2:] == [0.5, 1.0, 2.0]


async def test_a_refused_token_is_renewed_and_the_call_retried(apis) -> None:
    fake, (a, _), _ = apis
    await a.access_token()
    redis_sync.Redis.from_url(REDIS_URL).set(a.token_key, json.dumps("STALE"))
    answer = await a.call("user/info", method="GET", params={"openid": "o1"})
    assert answer["openid"] == "o1" and fake.token_requests == 2


def test_error_codes_read_as_chinese_log_lines() -> None:
    assert describe_error({"errcode": 45009, "errmsg": "reach max api daily quota limit"}).startswith(
        "45009 接口调用超过每日限额")
    assert "未知错误" in describe_error({"errcode": 99999, "errmsg": "?"})


async def test_customer_service_uses_the_shared_token(apis) -> None:
    fake, (a, _), _ = apis
    await a.access_token()
    loop = asyncio.get_running_loop()

    def token(force: bool) -> str:
        return asyncio.run_coroutine_threadsafe(a.access_token(force=force), loop).result(10)

    sync = redis_sync.Redis.from_url(REDIS_URL)
    sync.delete(a.token_key)  # wechatpy finds no token: it asks the shared client, which fetches once
    cs = CustomerService("wxapp", "secret", str(a.base), sync, 5.0, shared_token=token)
    await cs.send("o-1", "您好")
    cs.close()
    assert fake.sent[-1]["_access_token"] == "TOKEN2" and fake.token_requests == 2
    assert await a.access_token() == "TOKEN2"


async def test_a_hanging_wechat_api_never_holds_up_a_reply(platform: Platform) -> None:
    p = platform
    p.fake.hold = asyncio.Event()  # user/info does not answer until released
    reply = await asyncio.wait_for(p.event("oa-new", "subscribe"), 30)
    assert "欢迎关注" in reply
    assert "user/info" not in p.fake.calls  # still waiting on WeChat while the welcome went out
    p.fake.hold.set()
    await eventually(lambda: "user/info" in p.fake.calls)
