"""Console fixtures: a town, staff with passwords, and a logged-in client."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.admin.passwords import hash_password
from models.core import Role, Town, User

PASSWORD = "mima2026ok"


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf_token in page"
    return m.group(1)


async def make_staff(name: str, role: Role, town: Town | None = None, password: str = PASSWORD) -> User:
    """A person with a console password."""
    return await User.create(display_name=name, login=name, role=role, town=town, password_hash=hash_password(password),
                             phone="13800001111")


async def login(client: Any, name: str, password: str = PASSWORD) -> Any:
    """Log a client in through the form; returns the response after redirects."""
    page = await client.get("/admin/login")
    token = csrf_from(await page.text())
    return await client.post("/admin/login", data={"name": name, "password": password, "csrf_token": token})


@pytest.fixture
async def console(make_settings: Callable[..., Any], make_client: Callable[..., Any], db: str) -> Any:
    """A running app with the default town; returns (client, town)."""
    client = await make_client(make_settings())
    town = await Town.get(name="江湾镇")
    return client, town
