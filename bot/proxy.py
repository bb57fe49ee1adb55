"""Behind a reverse proxy: the client's address and scheme from X-Forwarded-For/-Proto, only from trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def parse_networks(text: str) -> list[Network]:
    """'127.0.0.1, 10.0.0.0/8, ::1' as networks; ValueError names the bad entry."""
    out: list[Network] = []
    for item in text.replace("，", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {item!r}") from None
    return out


def _trusted(address: str | None, networks: Sequence[Network]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str | None, forwarded_for: Sequence[str], networks: Sequence[Network]) -> str | None:
    """The first address, from the right, that is not a trusted proxy (the peer itself when it is not trusted)."""
    if not _trusted(peer, networks):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:  # garbage in the header: stop at the last address we could trust
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return client


def forwarded_middleware(networks: Sequence[Network]) -> Middleware:
    """A middleware that rewrites request.remote and request.scheme for requests from trusted proxies."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        peer = request.remote
        if networks and _trusted(peer, networks):
            remote = client_address(peer, request.headers.getall("X-Forwarded-For", []), networks) or peer or ""
            proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
            scheme = proto if proto in {"http", "https"} else request.scheme
            request = request.clone(remote=remote, scheme=scheme)
        return await handler(request)

    return middleware
