"""Redis clients: the real server, or the in-process stand-in (fakeredis) of the embedded default."""

from __future__ import annotations

from typing import Any


def make_clients(url: str) -> tuple[Any, Any]:
    """An asyncio client and a blocking client (for wechatpy's token storage) on the same data."""
    if url:
        import redis
        import redis.asyncio as aioredis

        # bounded timeouts: a refused connection fails at once; a black-holed Redis within seconds
        opts = {"socket_connect_timeout": 2.0, "socket_timeout": 3.0}
        return aioredis.from_url(url, **opts), redis.Redis.from_url(url, **opts)
    import fakeredis

    server = fakeredis.FakeServer()
    return fakeredis.FakeAsyncRedis(server=server), fakeredis.FakeRedis(server=server)
