"""Automatic pipelining: Redis commands issued in the same event-loop turn travel as one pipeline.

Each message on the callback path costs two Redis commands (the admission script, then the reply and
lock release). Sent one by one, every command pays redis-py's whole per-call toll (pool lock, connection
check, retry wrapper, timeout, one write, one read); at a hundred concurrent messages that toll is most
of the CPU a message costs. Here the commands of all messages that reach Redis within a short window
share one round trip: one connection, one write, one read for the lot. Each caller
still gets its own result or its own error, and a connection failure reaches every caller of that batch
as the same exception, so the circuit breaker sees it as before.

The window matters: HTTP requests arrive a few per loop turn, so "the same loop turn" alone gathers
barely more than one command per batch. Waiting 2 ms (`[redis] batch_window_ms`) gathers several at
load and costs a message 4 ms at most (two commands); in `bench/callback.py` a 1 ms window nearly
doubled one process's messages per second over no window, 2 ms gave a little more, 5 ms less.

A batch is written to and read from a redis-py connection kept by this object between batches
(`send_packed_command`, then the client's `parse_response` for each reply, as redis-py's pipeline does):
no pipeline object, pool lock or readiness probe per batch, which together cost about as much as the
commands' packing. A connection idle for a second or more is probed first, with the pool's own
`ensure_connection`: Redis may have closed it meanwhile (its idle timeout, a restart), and a batch should
not be the one to find out.

A batch has one deadline, the client's socket timeout, instead of one per reply read: these connections
are made without a socket timeout of their own (redis-py arms and disarms a timer for every reply it
reads, which at a dozen replies a batch cost about 5% of a message's CPU).
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, ResponseError


class AutoPipeline:
    """`await pipe.call("SET", key, value, "NX")`: the command joins this loop turn's batch.

    `redis` is a redis-py asyncio client (or fakeredis's, which is one): the batches use connections
    made with its settings, and its reply parsing.
    """

    def __init__(self, redis: aioredis.Redis, max_batch: int = 512, window: float = 0.0,
                 probe_after: float = 1.0) -> None:
        self.redis = redis
        pool = redis.connection_pool
        self.timeout: float | None = pool.connection_kwargs.get("socket_timeout")  # one deadline per batch
        self._connection_kwargs = {**pool.connection_kwargs, "socket_timeout": None}
        self.max_batch = max_batch
        self.window = window  # seconds a batch waits for company; 0 = the next loop turn
        self._pending: list[tuple[tuple[Any, ...], dict[str, Any], asyncio.Future[Any]]] = []
        self._scheduled = False
        self._inflight: set[asyncio.Task[None]] = set()
        self._sha: dict[str, str] = {}
        self._idle: list[tuple[Any, float]] = []  # redis-py connections between batches, and since when
        self.probe_after = probe_after  # seconds idle after which a connection is checked before use
        self.batches = 0  # counters for the benchmark and the tests
        self.commands = 0

    def call(self, *args: Any, **options: Any) -> asyncio.Future[Any]:
        """Queue one command; the future resolves to its reply or raises its error."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._pending.append((args, options, fut))
        if len(self._pending) >= self.max_batch:
            self._flush()
        elif not self._scheduled:
            self._scheduled = True
            if self.window > 0:
                loop.call_later(self.window, self._flush)
            else:
                loop.call_soon(self._flush)
        return fut

    async def script(self, source: str, numkeys: int, *keys_and_args: Any) -> Any:
        """Run a Lua script by its SHA1 (40 bytes on the wire); the first time, or after Redis lost it, by text."""
        sha = self._sha.get(source)
        if sha is None:
            sha = self._sha[source] = hashlib.sha1(source.encode()).hexdigest()
        try:
            return await self.call("EVALSHA", sha, numkeys, *keys_and_args)
        except NoScriptError:
            return await self.call("EVAL", source, numkeys, *keys_and_args)  # EVAL also caches it in Redis

    def _flush(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _send(self, batch: list[tuple[tuple[Any, ...], dict[str, Any], asyncio.Future[Any]]]) -> None:
        self.batches += 1
        self.commands += len(batch)
        try:
            results = await self._exchange(batch)
        except BaseException as exc:  # connection lost, timeout, cancelled at shutdown: every caller hears it
            for _, _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc if isinstance(exc, Exception) else ConnectionError("pipeline cancelled"))
            if not isinstance(exc, Exception):
                raise
            return
        for (_, _, fut), result in zip(batch, results, strict=True):
            if fut.done():  # the caller gave up (cancelled); the command ran all the same
                continue
            if isinstance(result, Exception):
                fut.set_exception(result)
            else:
                fut.set_result(result)

    async def _exchange(self, batch: list[tuple[tuple[Any, ...], dict[str, Any], asyncio.Future[Any]]]) -> list[Any]:
        """Write the batch on a connection of ours and read one reply per command, as redis-py's pipeline does.

        Any failure (timeout, connection lost, cancellation) closes the connection: it may hold replies
        nobody will read, so the next batch on it connects afresh.
        """
        loop = asyncio.get_running_loop()
        pool = self.redis.connection_pool
        conn: Any  # a redis-py Connection
        conn, idle_since = self._idle.pop() if self._idle else (pool.connection_class(**self._connection_kwargs), None)
        try:
            async with asyncio.timeout(self.timeout):
                if not conn.is_connected:
                    await conn.connect()  # also authenticates and selects the database
                elif idle_since is not None and loop.time() - idle_since >= self.probe_after:
                    await pool.ensure_connection(conn)  # reconnects it if Redis closed it
                await conn.send_packed_command(conn.pack_commands([args for args, _, _ in batch]), check_health=False)
                results: list[Any] = []
                for args, options, _ in batch:
                    try:
                        results.append(await self.redis.parse_response(conn, args[0], **options))
                    except ResponseError as exc:  # this command's error; the rest of the replies follow
                        results.append(exc)
        except BaseException:
            await conn.disconnect(nowait=True)
            raise
        finally:
            self._idle.append((conn, loop.time()))
        return results

    async def drain(self) -> None:
        """Wait for the batches already sent (shutdown)."""
        self._flush()
        if self._inflight:
            await asyncio.wait(list(self._inflight))

    async def aclose(self) -> None:
        """Drain, then close the batches' connections."""
        await self.drain()
        idle, self._idle = self._idle, []
        for conn, _ in idle:
            await conn.disconnect()
