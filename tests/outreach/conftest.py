"""Outreach fixtures: a town with villages, bound helpers and an admin, and a chat helper."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.wechat.client import WeChatSimulator, text_xml
from models.core import Role, Town, User, Village
from tests.conftest import TOKEN

_ids = itertools.count(int(time.time() * 1000))


def _media_xml(openid: str, msg_type: str, fields: str, msg_id: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_mingbai]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{fields}"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def image_xml(openid: str, media_id: str, msg_id: int) -> str:
    """An image message as WeChat posts it."""
    return _media_xml(openid, "image", f"<PicUrl><![CDATA[http://mmbiz.qpic.cn/{media_id}]]></PicUrl>"
                      f"<MediaId><![CDATA[{media_id}]]></MediaId>", msg_id)


def voice_xml(openid: str, recognition: str, msg_id: int) -> str:
    """A voice message with WeChat's recognised text."""
    return _media_xml(openid, "voice", f"<MediaId><![CDATA[VOICE{msg_id}]]></MediaId><Format><![CDATA[amr]]></Format>"
                      f"<Recognition><![CDATA[{recognition}]]></Recognition>", msg_id)


@dataclass
class Chat:
    """Talks to the real /wechat callback as one WeChat server would."""

    client: Any
    sim: WeChatSimulator

    async def _post(self, xml: str) -> str:
        req = self.sim.sign(xml)
        resp = await self.client.post("/wechat", params=req.query, data=req.body)
        assert resp.status == 200
        reply = self.sim.open_reply(await resp.text(), req.query)
        return str(reply.get("Content", ""))

    async def say(self, openid: str, text: str) -> str:
        """Send text, return the reply text."""
        return await self._post(text_xml(openid, text, next(_ids)))

    async def photo(self, openid: str, media_id: str) -> str:
        """Send a picture, return the reply text."""
        return await self._post(image_xml(openid, media_id, next(_ids)))

    async def voice(self, openid: str, recognition: str) -> str:
        """Send a voice message WeChat recognised as these words, return the reply text."""
        return await self._post(voice_xml(openid, recognition, next(_ids)))


@dataclass
class World:
    """The seeded town."""

    town: Town
    villages: dict[str, Village]
    helper: User
    helper2: User
    admin: User
    chat: Chat
    client: Any


async def seed_people(town: Town) -> tuple[dict[str, Village], User, User, User]:
    """Three villages, two bound helpers (openids h1, h2) and a bound admin (a1)."""
    villages = {}
    for name, households in (("江湾村", 320), ("石桥村", 45), ("上坂村", 0)):
        villages[name] = await Village.create(town=town, name=name, households=households)
    helper = await User.create(openid="h1", role=Role.HELPER, display_name="李明", town=town,
                               village=villages["江湾村"], phone="13800000001", is_core=True)
    helper2 = await User.create(openid="h2", role=Role.HELPER, display_name="王芳", town=town,
                                village=villages["石桥村"], phone="13800000002")
    admin = await User.create(openid="a1", role=Role.ADMIN, display_name="张所长", town=town, phone="13800000009")
    return villages, helper, helper2, admin


@pytest.fixture
async def world(make_settings: Callable[..., Any], make_client: Callable[..., Any], fake_wechat: Any,
                db: str) -> World:
    """A running app with seeded people; chat goes through the real callback, WeChat's API is the fake."""
    client = await make_client(make_settings(wechat={"api_base_url": fake_wechat[1]}))
    town = await Town.get(name="江湾镇")
    villages, helper, helper2, admin = await seed_people(town)
    return World(town, villages, helper, helper2, admin, Chat(client, WeChatSimulator(TOKEN)), client)
