"""Redis clients: the real server, or the in-process stand-in (fakeredis) of the embedded default."""

from __future__ import annotations

from typing import Any

import hiredis  # a dependency (redis[hiredis])
import redis.asyncio as aioredis
from redis.connection import HiredisRespSerializer
from redis.exceptions import DataError


class HiredisPackingConnection(aioredis.Connection):
    """redis-py's asyncio connection, packing commands with hiredis's C packer.

    redis-py's blocking connection already packs with hiredis when it is installed; the asyncio one
    packs in Python, which on the callback path cost more CPU than anything else redis-py does. The
    bytes on the wire are the same.
    """

    _serializer = HiredisRespSerializer()

    def pack_command(self, *args: Any) -> list[bytes]:
        name = args[0]
        if type(name) is str and " " not in name:  # the usual one-word command: packed as it is
            try:
                return [hiredis.pack_command(args)]
            except TypeError as exc:
                raise DataError(exc) from exc
        return self._serializer.pack(*args)  # type: ignore[no-any-return]  # "CLIENT KILL" ... split first


def make_clients(url: str) -> tuple[Any, Any]:
    """An asyncio client and a blocking client (for wechatpy's token storage) on the same data."""
    if url:
        import redis

        # bounded timeouts: a refused connection fails at once; a black-holed Redis within seconds
        opts: dict[str, Any] = {"socket_connect_timeout": 2.0, "socket_timeout": 3.0}
        aio_opts = dict(opts)
        if url.startswith("redis://"):
            aio_opts["connection_class"] = HiredisPackingConnection
        return aioredis.from_url(url, **aio_opts), redis.Redis.from_url(url, **opts)
    import fakeredis

    server = fakeredis.FakeServer()
    return fakeredis.FakeAsyncRedis(server=server), fakeredis.FakeRedis(server=server)
