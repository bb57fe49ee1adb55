"""The Redis side of the conversation's stores: atomic rate counts, per-user locks, the user cache."""

from __future__ import annotations

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from bot.redis_store import BatchingRedis, RedisRateCounter, RedisUserCache, RedisUserLocks, make_clients
from handlers.core.resilience import Breaker
from handlers.core.types import Context
from models.core import Role


async def test_clients_share_the_data(redis_url: str) -> None:
    aio, sync = make_clients(redis_url)
    try:
        await aio.set("k", "值")
        assert await aio.get("k") == "值".encode() and sync.get("k") == "值".encode()
    finally:
        await aio.aclose()
        sync.close()


async def test_batched_commands_share_a_round_trip_and_keep_their_own_answers(redis_url: str) -> None:
    aio, _ = make_clients(redis_url, batch_window=0.005)
    assert isinstance(aio, BatchingRedis)
    sent: list[int] = []
    pipeline = aio.pipeline

    def counting_pipeline(*args, **kwargs):
        sent.append(1)
        return pipeline(*args, **kwargs)

    aio.pipeline = counting_pipeline
    try:
        await aio.set("text", "值")
        results = await asyncio.gather(
            *(aio.incr(f"n{i}") for i in range(20)), aio.get("text"), aio.incr("text"), return_exceptions=True,
        )
        assert results[:20] == [1] * 20 and results[20] == "值".encode()
        assert isinstance(results[21], ResponseError)  # one caller's error is its own
        assert len(sent) <= 3  # 23 commands, a few round trips
        script = aio.register_script("return ARGV[1]")
        assert await script(args=["ok"]) == b"ok"  # scripts load on first use, through the batch
    finally:
        await aio.aclose()


async def test_a_lost_connection_fails_every_command_of_its_batch() -> None:
    aio, _ = make_clients("redis://127.0.0.1:1/0", batch_window=0.005)
    try:
        results = await asyncio.gather(aio.get("a"), aio.get("b"), return_exceptions=True)
        assert all(isinstance(r, RedisConnectionError) for r in results), results
        with pytest.raises(RedisConnectionError):
            await aio.get("c")
    finally:
        await aio.aclose()


async def test_a_redis_that_never_answers_fails_the_batch_within_its_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(1 << 16):  # takes the commands, never answers, until the client hangs up
            pass
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    aio, _ = make_clients(f"redis://127.0.0.1:{port}/0", batch_window=0.005)
    aio.timeout = 0.3
    try:
        results = await asyncio.wait_for(asyncio.gather(aio.get("a"), aio.set("b", "1"), return_exceptions=True), 5)
        assert all(isinstance(r, TimeoutError) for r in results), results  # the breaker's "Redis is down"
    finally:
        await aio.aclose()
        server.close()


@pytest.mark.usefixtures("one_minute")  # every hit in one counting minute
async def test_concurrent_hits_each_get_their_own_count(redis_url: str) -> None:
    aio, _ = make_clients(redis_url)
    try:
        counter = RedisRateCounter(aio, Breaker())
        counts = await asyncio.gather(*(counter.hit("u") for _ in range(300)))
        assert sorted(counts) == list(range(1, 301))  # INCR-then-check: no two messages read the same count
        assert 0 < await aio.ttl(next(iter(await aio.keys("mingbai:rate:u:*")))) <= 120
    finally:
        await aio.aclose()


async def test_user_lock_serialises_one_user_not_others(redis_url: str) -> None:
    aio, _ = make_clients(redis_url)
    try:
        locks = RedisUserLocks(aio, Breaker())
        inside: list[str] = []
        overlap: list[bool] = []

        async def work(openid: str) -> None:
            async with locks.hold(openid):
                overlap.append(openid in inside)
                inside.append(openid)
                await asyncio.sleep(0.02)
                inside.remove(openid)

        await asyncio.gather(*(work("a") for _ in range(5)), work("b"))
        assert overlap == [False] * 6
    finally:
        await aio.aclose()


@pytest.mark.usefixtures("one_minute")  # every hit in one counting minute
async def test_stores_fall_back_while_redis_is_down() -> None:
    aio, _ = make_clients("redis://127.0.0.1:1/0")  # nothing listens there
    breaker = Breaker()
    try:
        counter = RedisRateCounter(aio, breaker)
        assert [await counter.hit("v") for _ in range(3)] == [1, 2, 3]  # counted in this process
        async with RedisUserLocks(aio, breaker).hold("u"):
            pass
        cache = RedisUserCache(aio, breaker)
        await cache.put(Context(openid="u", role=Role.HELPER))
        assert await cache.get("u") is None and breaker.degraded
    finally:
        await aio.aclose()
