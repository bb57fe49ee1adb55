"""SIGTERM under load: in-flight requests finish and background customer-service sends are drained."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot.wechat.client import WeChatSimulator, text_xml
from bot.wechat.delivery import claim_key
from handlers.core.types import Message
from tests.bot.netfaults import TcpProxy
from tests.bot.test_cli import env, free_port
from tests.conftest import TOKEN
from tests.eventually import eventually

SIM = WeChatSimulator(TOKEN)


@pytest.mark.postgres_only
async def test_sigterm_finishes_requests_and_drains_sends(db_url, redis_url, fake_wechat, tmp_path: Path) -> None:
    fake, api = fake_wechat
    pg_port = urlsplit(db_url).port or 5432
    proxy = TcpProxy(pg_port, delay=0.0)
    await proxy.start()
    slow_db = db_url.replace(f":{pg_port}/", f":{proxy.port}/")
    cfg = tmp_path / "s.toml"
    cfg.write_text(
        f'[server]\nreply_budget_seconds = 0.5\n[database]\nurl = "{slow_db}"\n'
        f'[redis]\nurl = "{redis_url}"\n[wechat]\ntoken = "{TOKEN}"\nsecret = "s"\napi_base_url = "{api}"\n'
        '[security]\nsecret_key = "sigterm-secret-key-123"\n', encoding="utf-8",
    )
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(cfg), "serve", "--port", str(port),
        env=env(), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        async def serving() -> bool:
            try:
                async with session.get(f"{base}/healthz") as r:
                    return r.status == 200
            except aiohttp.ClientError:
                return False

        await eventually(serving, 60, interval=0.1)
        proxy.delay = 0.8  # the database turns slow: answers miss the budget and go out in the background

        async def ask(i: int) -> tuple[int, str]:
            req = SIM.sign(text_xml(f"sigterm-{i}", "帮助", 880_000 + i))
            async with session.post(f"{base}/wechat", params=req.query, data=req.body) as resp:
                return resp.status, await resp.text()

        pending = [asyncio.create_task(ask(i)) for i in range(6)]
        claims = [claim_key(Message(openid=f"sigterm-{i}", type="text", msg_id=str(880_000 + i))) for i in range(6)]
        redis = aioredis.from_url(redis_url)

        async def all_received() -> bool:  # the server has read every request: each claimed its message
            return await redis.exists(*claims) == len(claims)

        try:
            await eventually(all_received)
        finally:
            await redis.aclose()
        proc.send_signal(signal.SIGTERM)  # while every request is still in flight
        results = await asyncio.gather(*pending)
        code = await asyncio.wait_for(proc.wait(), 60)
    stderr = (await proc.stderr.read()).decode() if proc.stderr else ""
    await proxy.cut()
    assert code == 0, stderr
    assert [status for status, _ in results] == [200] * 6
    delegated = [i for i, (_, body) in enumerate(results) if body == "success"]
    assert delegated, "the slow database should have pushed answers past the budget"
    sent_to = {m["touser"] for m in fake.sent}
    assert {f"sigterm-{i}" for i in delegated} <= sent_to  # drained before the process exited
