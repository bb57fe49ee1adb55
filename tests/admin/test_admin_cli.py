"""mingbai admin create / passwd."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import pytest

import models
from bot.admin.passwords import verify_password
from bot.commands import admin as admin_cmd
from models.core import Role, User


def _run(monkeypatch: pytest.MonkeyPatch, settings: Any, argv: list[str], stdin: str) -> int:
    from bot.cli import build_parser

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    args = build_parser().parse_args(argv)
    result: int = args.func(args, settings)
    return result


async def _user(url: str, name: str) -> User:
    async with models.database(url):
        return await User.get(display_name=name)


def test_create_then_passwd(make_settings: Callable[..., Any], db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings()
    argv = ["admin", "create", "--name", "老洪", "--role", "mediator", "--password-stdin"]
    assert _run(monkeypatch, settings, argv, "laohong2026\n") == 0
    user = asyncio.run(_user(db_url, "老洪"))
    assert user.role == Role.MEDIATOR and verify_password("laohong2026", user.password_hash)
    assert _run(monkeypatch, settings, ["admin", "passwd", "老洪", "--password-stdin"], "newpass2026\n") == 0
    user = asyncio.run(_user(db_url, "老洪"))
    assert verify_password("newpass2026", user.password_hash)
    assert _run(monkeypatch, settings, ["admin", "passwd", "老洪", "--password-stdin"], "short\n") == 1
    assert _run(monkeypatch, settings, ["admin", "passwd", "没这人", "--password-stdin"], "newpass2026\n") == 1
    assert admin_cmd.CONSOLE_ROLES
