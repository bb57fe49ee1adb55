"""mingbai serve: run the HTTP server, as one process or as N processes sharing one port."""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import signal
import sys
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.config import Settings, data_home
from bot.slow_clients import wait_for_bodies

SHUTDOWN_SECONDS = 15


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("serve", help="启动服务（微信回调、小程序接口、管理后台）")
    p.add_argument("--host", help="监听地址（代替配置 [server] host）")
    p.add_argument("--port", type=int, help="端口（代替配置 [server] port）")
    p.add_argument("--workers", type=int, default=1,
                   help="共用端口的进程数（SO_REUSEPORT）；需要 PostgreSQL 和 Redis")
    p.set_defaults(func=run)


def _serve(settings: Settings, host: str, port: int, reuse_port: bool) -> None:
    _use_uvloop()
    app = create_app(settings)
    app.on_startup.append(_freeze_heap)  # after the cleanup contexts: the search index is built by then
    asyncio.run(_run(app, host, port, reuse_port))


async def _run(app: web.Application, host: str, port: int, reuse_port: bool) -> None:
    """Serve until SIGTERM/SIGINT, then: stop accepting, let bodies still arriving finish, then aiohttp's
    graceful stop (in-flight requests finish, SHUTDOWN_SECONDS), then the cleanup contexts, which drain
    background customer-service sends."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await site.start()
        await stop.wait()
        await site.stop()  # no new connections
        await wait_for_bodies(app, SHUTDOWN_SECONDS)
    finally:
        await runner.cleanup()


async def _freeze_heap(app: web.Application) -> None:
    """Keep what start-up built (the search index, statutes, templates) out of later garbage collections.

    A speed device (README, Benchmarks: ~20% less CPU a legal question in bench/callback.py): without
    it every full collection walks the index's millions of objects while requests wait.
    """
    gc.collect()
    gc.freeze()


def _use_uvloop() -> None:
    """uvloop's event loop when installed (it is a dependency on Linux): faster sockets, same asyncio."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the server until SIGINT/SIGTERM; in-flight requests finish first."""
    host = args.host or settings.server.host
    port = args.port or settings.server.port
    from bot.wechat.platform import with_stand_in

    settings = with_stand_in(settings, host, port)  # no WeChat secret: the local stand-in plays the API
    if settings.wechat.fake_api:
        print(f"WARNING: no [wechat] secret: the stand-in for the WeChat API answers at "
              f"{settings.wechat.api_base_url} (mini-program login, customer-service messages, menu, QR codes)",
              file=sys.stderr)
    if settings.source == "<embedded default>":
        print(
            f"WARNING: embedded default (SQLite in {data_home()}, in-process Redis). For local trials only.\n"
            f"WARNING: development WeChat token: {settings.wechat.token}  (kept in {data_home()}/dev-secrets.toml)\n"
            f"Try it: mingbai chat --url http://{host}:{port}/wechat",
            file=sys.stderr,
        )
    if args.workers < 1:
        print("--workers 至少为 1 / must be at least 1", file=sys.stderr)
        return 2
    if args.workers == 1:
        _serve(settings, host, port, reuse_port=False)
        return 0
    if settings.embedded or settings.database.url.startswith("sqlite"):
        print("多进程需要 PostgreSQL 和 Redis（[database] url, [redis] url）/ several workers need "
              "PostgreSQL and Redis: the in-process stand-ins cannot be shared", file=sys.stderr)
        return 2
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_serve, args=(settings, host, port, True), daemon=False)
             for _ in range(args.workers)]
    for p in procs:
        p.start()

    def forward(signum: int, frame: Any) -> None:
        for p in procs:
            if p.pid and p.is_alive():
                p.terminate()  # SIGTERM: each worker shuts down gracefully

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for p in procs:
        p.join()
    return max((p.exitcode or 0) for p in procs)
