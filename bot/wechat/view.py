"""GET/POST /wechat: the URL check here; messages go through bot/wechat/delivery.py."""

from __future__ import annotations

from aiohttp import web

from bot import keys
from bot.wechat.delivery import receive
from bot.wechat.protocol import ProtocolError


async def verify(request: web.Request) -> web.Response:
    """WeChat's URL check."""
    codec = request.app[keys.CODEC]
    try:
        echostr = codec.verify_url(dict(request.query))
    except ProtocolError as exc:
        request.app[keys.METRICS].rejected.labels(exc.reason).inc()
        return web.Response(status=exc.status, text=exc.reason)
    return web.Response(text=echostr)


def setup(app: web.Application) -> None:
    """Register the callback routes."""
    app.router.add_get("/wechat", verify, name="wechat_verify")
    app.router.add_post("/wechat", receive, name="wechat_receive")
