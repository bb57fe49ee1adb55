"""mingbai db upgrade: apply migrations."""

from __future__ import annotations

import argparse
import asyncio

import models
from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("db", help="数据库升级")
    dsub = p.add_subparsers(dest="db_command", required=True)
    up = dsub.add_parser("upgrade", help="执行尚未执行的数据库迁移")
    up.set_defaults(func=upgrade)


def upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply every pending migration to the configured database."""
    asyncio.run(models.migrate(settings.database.url))
    print("数据库已是最新结构 / database is up to date")
    return 0
