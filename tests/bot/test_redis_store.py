"""The Redis clients: hiredis packing on the asyncio client, same bytes as redis-py's own packer."""

from __future__ import annotations

import pytest
from redis.asyncio.connection import Connection
from redis.exceptions import DataError

from bot.redis_store import HiredisPackingConnection, make_clients


def _wire(conn: Connection, *args: object) -> bytes:
    return b"".join(conn.pack_command(*args))


@pytest.mark.parametrize("args", [
    ("SET", "mingbai:dedup:reply:u1:42", '{"text": "您好]]>"}', "NX", "EX", 600),
    ("EVALSHA", "a" * 40, 2, b"k1", "键二", 3.5, -1),
    ("CONFIG GET", "maxmemory"),
    (b"GET", "k"),
    ("GET", b"\xff", 0),
])
def test_hiredis_packing_sends_what_redis_py_would(args: tuple[object, ...]) -> None:
    assert _wire(HiredisPackingConnection(), *args) == _wire(Connection(), *args)


def test_unpackable_arguments_are_a_data_error_not_a_crash() -> None:
    with pytest.raises(DataError):
        HiredisPackingConnection().pack_command("SET", "k", object())


async def test_the_server_client_packs_with_hiredis(redis_url: str) -> None:
    aio, sync = make_clients(redis_url)
    try:
        assert aio.connection_pool.connection_class is HiredisPackingConnection
        await aio.set("k", "值")
        assert await aio.get("k") == "值".encode() and sync.get("k") == "值".encode()
    finally:
        await aio.aclose()
        sync.close()
