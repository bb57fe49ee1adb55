"""Faults: Redis stopped and restarted (a separate redis-server), PostgreSQL cut off (a TCP proxy)."""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import models
from bot.wechat.client import WeChatSimulator, text_xml
from handlers.core.fsm import PAUSED
from models.core import Role, Town, User, Village
from models.outreach import Activity
from tests.bot.netfaults import PostgresInstance
from tests.conftest import TOKEN
from tests.eventually import eventually, eventually_blocking

SIM = WeChatSimulator(TOKEN)
IDS = itertools.count(900_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisInstance:
    """A redis-server of the test's own, on its own port, that the test stops and starts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.fail("redis-server is required for the fault tests", pytrace=False)
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        def listening() -> bool:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                return False

        eventually_blocking(listening)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


async def say(client: Any, openid: str, text: str, msg_id: int | None = None) -> tuple[int, str]:
    req = SIM.sign(text_xml(openid, text, msg_id if msg_id is not None else next(IDS)))
    resp = await client.post("/wechat", params=req.query, data=req.body)
    body = await resp.text()
    if resp.status != 200:
        return resp.status, body
    return 200, str(SIM.open_reply(body, req.query).get("Content", ""))


async def test_redis_down_degrades_and_recovers(make_settings, make_client, own_redis: RedisInstance) -> None:
    client = await make_client(make_settings(redis={"url": own_redis.url}))
    status, reply = await say(client, "r1", "欠钱不还怎么办")
    assert status == 200 and "法律依据" in reply

    own_redis.stop()
    status, reply = await say(client, "r1", "欠钱不还怎么办")
    assert status == 200 and "法律依据" in reply  # FAQ answers keep flowing
    health = await client.get("/healthz")
    assert health.status == 503 and (await health.json())["status"] == "degraded"
    # dedup degrades to in-process: a retry is still answered from the cache, processed once
    first = await say(client, "r2", "帮助", msg_id=123456)
    again = await say(client, "r2", "帮助", msg_id=123456)
    assert first == again and "法治服务" in first[1]
    metrics = await (await client.get("/metrics")).text()
    assert "mingbai_degraded 1.0" in metrics and "mingbai_dedup_hits_total 1.0" in metrics
    # replay protection holds without Redis: the same (timestamp, nonce) with another body is refused
    req = SIM.sign(text_xml("r5", "帮助", 123460), nonce="same-nonce")
    other = SIM.sign(text_xml("r5", "欠钱不还", 123461), timestamp=int(req.query["timestamp"]), nonce="same-nonce")
    assert (await client.post("/wechat", params=req.query, data=req.body)).status == 200
    assert (await client.post("/wechat", params=other.query, data=other.body)).status == 403
    # forms pause (a step kept in one process's memory would be a guess on another): said plainly
    status, reply = await say(client, "r3", "活动 昨天 江湾村 法治公开课 45人")
    assert reply == PAUSED
    status, reply = await say(client, "r3", "彩礼")  # the numbered choice is a form step too
    assert reply == PAUSED

    own_redis.start()
    async def recovered() -> bool:  # the breaker retries Redis after a short cooldown: no restart needed
        await say(client, "r4", "帮助")
        return "mingbai_degraded 0.0" in await (await client.get("/metrics")).text()

    await eventually(recovered)
    assert (await client.get("/healthz")).status == 200
    status, reply = await say(client, "r4", "欠钱不还怎么办")
    assert status == 200 and "法律依据" in reply


@pytest.fixture
async def own_postgres() -> AsyncIterator[PostgresInstance]:
    """A migrated PostgreSQL of the test's own, which the test stops and restarts for real."""
    root = Path(tempfile.mkdtemp(prefix="mingbai-pg-"))  # outside pytest's root-only tmp dirs
    pg = PostgresInstance(root)
    pg.init()
    pg.start()
    await models.migrate(pg.url)
    yield pg
    try:
        pg.stop()
    except subprocess.CalledProcessError:
        pass  # already stopped
    shutil.rmtree(root, ignore_errors=True)


async def _wait_healthy(client: Any) -> None:
    async def healthy() -> bool:
        return (await client.get("/healthz")).status == 200

    await eventually(healthy, timeout=20)


@pytest.mark.postgres_only
async def test_postgres_down_then_restarted(make_settings, make_client, own_postgres: PostgresInstance) -> None:
    client = await make_client(make_settings(database={"url": own_postgres.url}))
    async with models.database(own_postgres.url):
        town = await Town.get(name="江湾镇")
        village = await Village.create(town=town, name="江湾村", households=300)
        await User.create(openid="helper-pg", role=Role.HELPER, display_name="王明白", town=town, village=village)
    status, reply = await say(client, "helper-pg", "活动 昨天 江湾村 法治公开课 45人 资料120份 主题民法典")
    assert "请核对" in reply

    own_postgres.stop()
    status, reply = await say(client, "p2", "欠钱不还怎么办")  # questions need no database
    assert status == 200 and "法律依据" in reply
    health = await client.get("/healthz")
    assert health.status == 503 and (await health.json())["database"].startswith("error")
    status, reply = await say(client, "helper-pg", "确认")  # saving needs it: a polite refusal, no crash
    assert status == 200 and "系统繁忙" in reply

    own_postgres.start()
    await _wait_healthy(client)
    status, reply = await say(client, "helper-pg", "确认")  # the form was kept: confirming again saves it
    assert status == 200 and "系统繁忙" not in reply and "请核对" not in reply
    async with models.database(own_postgres.url):
        assert await Activity.filter(village_id=village.id, participants=45).count() == 1


@pytest.mark.postgres_only
def test_serve_with_two_workers_shares_one_port(db_url, redis_url, tmp_path) -> None:
    import os
    import signal
    import sys
    from pathlib import Path

    from tests.bot.test_cli import env, wait_until_serving

    cfg = tmp_path / "w.toml"
    cfg.write_text(f'[database]\nurl = "{db_url}"\n[redis]\nurl = "{redis_url}"\n[wechat]\ntoken = "{TOKEN}"\n'
                   '[security]\nsecret_key = "workers-secret-key-123"\n', encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(cfg), "serve", "--port", str(port),
                             "--workers", "2"], env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(port, proc)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        workers = [p for p in children if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(workers) == 2  # two processes serve the one port (besides multiprocessing's tracker)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
