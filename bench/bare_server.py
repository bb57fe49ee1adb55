"""A bare aiohttp handler: reads the body, answers a fixed reply. The benchmark's yardstick.

    python bench/bare_server.py PORT [PROCESSES]

With PROCESSES > 1 the processes share the port (SO_REUSEPORT), as `mingbai serve --workers N` does.
"""

import asyncio
import multiprocessing
import signal
import sys

from aiohttp import web


async def handle(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text="success")


def serve(port: int, reuse_port: bool) -> None:
    try:  # the same event loop as `mingbai serve`, for a fair comparison
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    app = web.Application()
    app.router.add_post("/wechat", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, reuse_port=reuse_port)


if __name__ == "__main__":
    port, processes = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if processes == 1:
        serve(port, False)
    else:
        procs = [multiprocessing.Process(target=serve, args=(port, True)) for _ in range(processes)]
        for p in procs:
            p.start()
        signal.signal(signal.SIGTERM, lambda *_: [p.terminate() for p in procs])
        for p in procs:
            p.join()
