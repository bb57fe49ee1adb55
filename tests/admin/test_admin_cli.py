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
    argv = ["admin", "create", "--login", "laohong", "--name", "老洪", "--role", "mediator", "--password-stdin"]
    assert _run(monkeypatch, settings, argv, "laohong2026\n") == 0
    user = asyncio.run(_user(db_url, "老洪"))
    assert user.role == Role.MEDIATOR and user.login == "laohong" and verify_password("laohong2026", user.password_hash)
    assert _run(monkeypatch, settings, ["admin", "passwd", "laohong", "--password-stdin"], "newpass2026\n") == 0
    user = asyncio.run(_user(db_url, "老洪"))
    assert verify_password("newpass2026", user.password_hash)
    assert _run(monkeypatch, settings, ["admin", "passwd", "laohong", "--password-stdin"], "short\n") == 1
    assert _run(monkeypatch, settings, ["admin", "passwd", "没这人", "--password-stdin"], "newpass2026\n") == 1
    assert admin_cmd.CONSOLE_ROLES


def test_create_refuses_an_existing_login_without_reset(make_settings: Callable[..., Any], db_url: str,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings()
    base = ["admin", "create", "--name", "王芳", "--password-stdin"]
    assert _run(monkeypatch, settings, [*base, "--login", "138 0000 1111"], "wangfang2026\n") == 0
    assert "13800001111" in capsys.readouterr().out  # a phone is its digits
    # a second 王芳 is another login: same display name, no collision
    assert _run(monkeypatch, settings, [*base, "--login", "wangfang2"], "second2026x\n") == 0
    # the same login again: refused, the first 王芳's password unchanged
    assert _run(monkeypatch, settings, [*base, "--login", "13800001111"], "takeover2026\n") == 1
    assert "--reset-password" in capsys.readouterr().err

    async def first() -> User:
        async with models.database(db_url):
            return await User.get(login="13800001111")

    assert verify_password("wangfang2026", asyncio.run(first()).password_hash)
    assert _run(monkeypatch, settings, [*base, "--login", "13800001111", "--reset-password"], "reset2026ok\n") == 0
    assert verify_password("reset2026ok", asyncio.run(first()).password_hash)


def test_passwords_without_a_terminal_get_a_clear_message(make_settings: Callable[..., Any], db_url: str,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings()
    argv = ["admin", "create", "--login", "hong", "--name", "老洪"]
    assert _run(monkeypatch, settings, argv, "") == 1  # stdin is no terminal: no EOFError traceback
    assert "--password-stdin" in capsys.readouterr().err
    assert _run(monkeypatch, settings, [*argv, "--password-stdin"], "") == 1
    assert "没有从标准输入读到密码" in capsys.readouterr().err
    assert _run(monkeypatch, settings, ["admin", "create", "--name", "老洪", "--password-stdin"], "pw2026abc\n") == 1
    assert "--login" in capsys.readouterr().err
