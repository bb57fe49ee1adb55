"""A bare aiohttp handler: reads the body, answers a fixed reply. The benchmark's yardstick."""

import asyncio
import sys

from aiohttp import web


async def handle(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text="success")


try:  # the same event loop as `mingbai serve`, for a fair comparison
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
except ImportError:
    pass

app = web.Application()
app.router.add_post("/wechat", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
