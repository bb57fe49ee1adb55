"""API fixtures: the app wired to the fake WeChat API, seeded people, and logins."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models.core import Town
from tests.outreach.conftest import seed_people

_codes = itertools.count(1)


@dataclass
class Api:
    """A running app, the fake WeChat, and seeded people."""

    client: Any
    fake: Any
    town: Town
    villages: dict[str, Any]
    helper: Any
    helper2: Any
    admin: Any

    async def login(self, openid: str) -> dict[str, str]:
        """Log in as openid through jscode2session; returns the Authorization header."""
        code = f"code{next(_codes)}"
        self.fake.sessions[code] = openid
        resp = await self.client.post("/api/v1/auth/login", json={"code": code})
        assert resp.status == 200, await resp.text()
        return {"Authorization": f"Bearer {(await resp.json())['token']}"}


@pytest.fixture
async def api(make_settings: Callable[..., Any], make_client: Callable[..., Any], fake_wechat: Any, db: str) -> Api:
    """The app with the mini-program API talking to the fake WeChat."""
    fake, base = fake_wechat
    client = await make_client(make_settings(wechat={"api_base_url": base}, outreach={"photo_max_bytes": 4096}))
    town = await Town.get(name="江湾镇")
    villages, helper, helper2, admin = await seed_people(town)
    return Api(client, fake, town, villages, helper, helper2, admin)
