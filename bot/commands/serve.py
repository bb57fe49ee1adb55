"""mingbai serve: run the HTTP server."""

from __future__ import annotations

import argparse
import sys

from aiohttp import web

from bot.app import create_app
from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("serve", help="run the server")
    p.add_argument("--host", help="override [server] host")
    p.add_argument("--port", type=int, help="override [server] port")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the server until SIGINT/SIGTERM; in-flight requests finish first."""
    host = args.host or settings.server.host
    port = args.port or settings.server.port
    if settings.source == "<embedded default>":
        print(
            "WARNING: embedded default (SQLite under var/, in-process Redis). For local trials only.\n"
            f"WARNING: development WeChat token: {settings.wechat.token}  (kept in var/dev-secrets.toml)\n"
            f"Try it: mingbai chat --url http://{host}:{port}/wechat",
            file=sys.stderr,
        )
    web.run_app(create_app(settings), host=host, port=port, shutdown_timeout=15, print=None, access_log=None)
    return 0
