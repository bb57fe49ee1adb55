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
        await pipe.aclose()
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
        await pipe.aclose()
        await client.aclose()


async def test_an_unreachable_redis_reaches_every_caller_as_a_connection_error() -> None:
    client = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    pipe = AutoPipeline(client)
    try:
        results = await asyncio.gather(*(pipe.call("GET", f"k{i}") for i in range(5)), return_exceptions=True)
        assert all(isinstance(r, REDIS_DOWN) for r in results), results
    finally:
        await pipe.aclose()
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
        await pipe.aclose()
        await client.aclose()


async def test_scripts_run_by_sha_and_survive_a_script_flush(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    pipe = AutoPipeline(client)
    source = "return redis.call('INCR', KEYS[1]) + tonumber(ARGV[1])"
    try:
        assert await pipe.script(source, 1, "n", 10) == 11  # not cached yet: NOSCRIPT, then by text
        assert await pipe.script(source, 1, "n", 10) == 12  # by SHA1
        await client.script_flush()  # a restarted Redis has forgotten it
        assert await asyncio.gather(*(pipe.script(source, 1, "n", 0) for _ in range(3))) == [3, 4, 5]
    finally:
        await pipe.aclose()
        await client.aclose()


async def test_a_window_gathers_commands_from_separate_loop_turns(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)

    async def staggered(pipe: AutoPipeline, key: str) -> list[int]:
        async def later(turns: int) -> int:
            for _ in range(turns):
                await asyncio.sleep(0)
            return int(await pipe.call("INCR", key))

        return list(await asyncio.gather(*(later(turns) for turns in range(5))))

    eager, patient = AutoPipeline(client), AutoPipeline(client, window=0.02)
    try:
        assert sorted(await staggered(eager, "a")) == [1, 2, 3, 4, 5] and eager.batches == 5
        assert sorted(await staggered(patient, "b")) == [1, 2, 3, 4, 5] and patient.batches == 1
    finally:
        await eager.aclose()
        await patient.aclose()
        await client.aclose()


async def test_a_silent_redis_times_out_the_batch_and_its_connection_is_not_reused(redis_url: str) -> None:
    """The client's socket timeout bounds a whole batch; the next batch gets a fresh, in-step connection."""
    real = aioredis.from_url(redis_url)
    target = real.connection_pool.connection_kwargs
    connections = 0

    async def first_silent_then_proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        if connections == 1:  # a black hole: reads everything, answers nothing
            while await reader.read(65536):
                pass
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(target["host"], target["port"])

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer), return_exceptions=True)

    server = await asyncio.start_server(first_silent_then_proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = aioredis.from_url(f"redis://127.0.0.1:{port}/{target.get('db', 0)}", socket_timeout=0.3)
    pipe = AutoPipeline(client)
    try:
        await real.set("silent", "1")
        loop = asyncio.get_running_loop()
        started = loop.time()
        lost = await asyncio.wait_for(  # without a deadline the batch would wait for ever
            asyncio.gather(*(pipe.call("GET", "silent") for _ in range(5)), return_exceptions=True), 5)
        assert all(isinstance(r, REDIS_DOWN) for r in lost), lost
        assert loop.time() - started < 2.0  # the client's 0.3 s deadline, with room for a slow machine
        assert await asyncio.gather(*(pipe.call("INCR", "silent") for _ in range(3))) == [2, 3, 4]
        assert connections == 2
    finally:
        await asyncio.wait_for(pipe.aclose(), 5)
        await client.aclose()
        await real.aclose()
        server.close()


async def test_batches_keep_their_connection_and_reconnect_after_losing_it(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    pipe = AutoPipeline(client)
    try:
        first = await pipe.call("CLIENT", "ID")
        assert await pipe.call("CLIENT", "ID") == first  # one connection serves batch after batch
        await client.client_kill_filter(_id=first)  # Redis drops it (a restart, a network cut)
        try:
            await pipe.call("INCR", "after-kill")
        except REDIS_DOWN:
            pass  # the batch that finds the connection gone fails, and only that batch
        again = await pipe.call("CLIENT", "ID")
        assert again != first and await pipe.call("GET", "missing") is None
    finally:
        await pipe.aclose()
        await client.aclose()


async def test_a_connection_redis_closed_while_idle_is_replaced_before_the_next_batch(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    pipe = AutoPipeline(client, probe_after=0.05)
    try:
        first = await pipe.call("CLIENT", "ID")
        await client.client_kill_filter(_id=first)  # Redis's idle timeout, or a restart, while all is quiet
        await asyncio.sleep(0.2)
        assert await pipe.call("INCR", "after-idle") == 1  # no caller finds out
        assert await pipe.call("CLIENT", "ID") != first
    finally:
        await pipe.aclose()
        await client.aclose()
