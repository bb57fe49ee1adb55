"""AutoPipeline on a real Redis: concurrent commands share round trips, each caller gets its own answer."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from handlers.core.autopipe import AutoPipeline
from handlers.core.resilience import REDIS_DOWN


async def test_commands_of_one_loop_turn_travel_together(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    pipe = AutoPipeline(client)
    try:
        results = await asyncio.gather(*(pipe.call("INCRBY", f"k{i % 3}", i) for i in range(30)))
        assert pipe.batches == 1 and pipe.commands == 30
        # each caller sees the reply to its own command, in order per key
        assert results[:3] == [0, 1, 2] and results[-1] == sum(range(2, 30, 3))
        assert int(await client.get("k0")) == sum(range(0, 30, 3))
    finally:
        await client.aclose()


async def test_one_failing_command_does_not_fail_its_neighbours(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    pipe = AutoPipeline(client)
    try:
        await client.set("text", "not a number")
        ok, bad, script = await asyncio.gather(
            pipe.call("SET", "a", "1"), pipe.call("INCR", "text"),
            pipe.call("EVAL", "return redis.call('GET', KEYS[1])", 1, "a"),
            return_exceptions=True,
        )
        assert ok is True and isinstance(bad, ResponseError) and script == b"1"
    finally:
        await client.aclose()


async def test_an_unreachable_redis_reaches_every_caller_as_a_connection_error() -> None:
    client = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    pipe = AutoPipeline(client)
    try:
        results = await asyncio.gather(*(pipe.call("GET", f"k{i}") for i in range(5)), return_exceptions=True)
        assert all(isinstance(r, REDIS_DOWN) for r in results), results
    finally:
        await client.aclose()


async def test_a_caller_that_gives_up_does_not_break_the_batch(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    pipe = AutoPipeline(client)
    try:
        abandoned = pipe.call("SET", "x", "1")
        kept = pipe.call("GET", "x")
        abandoned.cancel()
        assert await kept == b"1"  # the cancelled caller's command still ran, in order
        with pytest.raises(asyncio.CancelledError):
            await abandoned
    finally:
        await client.aclose()
