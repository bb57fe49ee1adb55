"""Platform fixtures: the app on the fake WeChat API, seeded people, chat through the signed callback, logins."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.wechat.client import WeChatSimulator, event_xml
from bot.wechat.fake import FakeWeChat
from models.core import Town, User, Village
from tests.conftest import TOKEN
from tests.outreach.conftest import Chat, seed_people

_codes = itertools.count(1)
_times = itertools.count(int(time.time()) - 100_000)


@dataclass
class Platform:
    """A running app on the fake WeChat, seeded people (helper h1 李明, helper2 h2, admin a1)."""

    client: Any
    fake: FakeWeChat
    chat: Chat
    town: Town
    villages: dict[str, Village]
    helper: User
    helper2: User
    admin: User

    async def event(self, openid: str, event: str, key: str = "") -> str:
        """A signed event (subscribe, SCAN, CLICK ...) through the callback; the reply text."""
        return await self.chat._post(event_xml(openid, event, next(_times), key))

    async def login(self, mp_openid: str, unionid: str | None = None) -> tuple[dict[str, str], dict[str, Any]]:
        """Log in to the mini-program as mp_openid (with a UnionID if given); (headers, me)."""
        code = f"code{next(_codes)}"
        self.fake.sessions[code] = mp_openid
        if unionid:
            self.fake.unionids[mp_openid] = unionid
        resp = await self.client.post("/api/v1/auth/login", json={"code": code})
        assert resp.status == 200, await resp.text()
        data = await resp.json()
        return {"Authorization": f"Bearer {data['token']}"}, data["me"]


@pytest.fixture
async def platform(make_settings: Callable[..., Any], make_client: Callable[..., Any], fake_wechat: Any,
                   db: str) -> Platform:
    """The app with both apps pointed at the fake WeChat API."""
    fake, base = fake_wechat
    client = await make_client(make_settings(wechat={"api_base_url": base}))
    town = await Town.get(name="江湾镇")
    villages, helper, helper2, admin = await seed_people(town)
    return Platform(client, fake, Chat(client, WeChatSimulator(TOKEN)), town, villages, helper, helper2, admin)
