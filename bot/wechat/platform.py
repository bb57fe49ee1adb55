"""The WeChat platform around the callback: API clients of both apps, the menu, background look-ups, dev stand-in.

Nothing here runs on a message's reply path: user/info (for the UnionID) is asked in a tracked
background task, so a slow WeChat API never holds up an answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import aiohttp
from aiohttp import web

from bot import keys
from bot.config import Settings
from bot.wechat.api import WeChatApi, WeChatApiError
from bot.wechat.custom_menu import TAG_ROLES, Menu, MenuError, load_menu, tag_members
from bot.wechat.fake import FakeWeChat, describe_message
from models.core import Role, User, WeChatApp
from services.identities import needs_info, store_info

log = logging.getLogger("mingbai.wechat")

FAKE_PATH = "/fake-wechat"
DEV_MINIPROGRAM_APPID = "wxdev00miniprogram"


class WeChatPlatform:
    """The 公众号's API client, the menu, and background tasks that must not block a reply."""

    def __init__(self, settings: Settings, redis: Any, http: aiohttp.ClientSession) -> None:
        w = settings.wechat
        self.settings = settings
        self.oa = WeChatApi(w.appid, w.secret, w.api_base_url, redis, http)
        mp = settings.miniprogram  # its own token (subscribe messages, QR codes of pages)
        self.mp = WeChatApi(mp.appid, mp.secret, mp.api_base_url or w.api_base_url, redis, http) if mp.appid else None
        try:
            self.menu: Menu | None = load_menu(w.menu_file)
        except MenuError as exc:
            log.error("菜单文件有误，菜单点击按关键词处理：%s", exc)
            self.menu = None
        self.tasks: set[asyncio.Task[Any]] = set()

    def blocking_token(self, loop: asyncio.AbstractEventLoop) -> Callable[[bool], str]:
        """The 公众号 token for code in other threads (wechatpy's sender): asked of this loop's client."""

        def token(force: bool) -> str:
            future = asyncio.run_coroutine_threadsafe(self.oa.access_token(force=force), loop)
            return future.result(timeout=self.settings.wechat.api_timeout_seconds * 3)

        return token

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run in the background, tracked so shutdown waits for it."""
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def learn_unionid(self, openid: str) -> None:
        """Ask user/info for a follower's UnionID in the background (once a week at most per openid)."""
        self.spawn(self._learn(openid))

    def on_bound(self, openid: str) -> None:
        """A person bound their 公众号 openid: learn the UnionID, and tag them for their role's menu."""
        self.spawn(self._bound(openid))

    async def _bound(self, openid: str) -> None:
        await self._learn(openid)
        try:
            user = await User.get_or_none(openid=openid)
            tags = [tag for tag, _ in (self.menu.conditional if self.menu else [])
                    if user is not None and Role(user.role) in TAG_ROLES[tag]]
            for tag in tags:
                await tag_members(self.oa, tag, [openid])
        except WeChatApiError as exc:
            log.info("菜单标签未打上（%s）：重新运行 mingbai wechat menu push 即可", exc.description)
        except Exception:
            log.exception("tagging a newly bound person failed")

    async def _learn(self, openid: str) -> None:
        try:
            if not await needs_info(WeChatApp.OFFICIAL_ACCOUNT, openid):
                return
            info = await self.oa.user_info(openid)
            await store_info(WeChatApp.OFFICIAL_ACCOUNT, openid, info.get("unionid") or None)
        except WeChatApiError as exc:
            log.info("user/info 未取到（%s）", exc.description)
        except Exception:
            log.exception("user/info look-up failed")

    async def drain(self, timeout: float = 5.0) -> None:
        """Let running look-ups finish (shutdown)."""
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=timeout)


PLATFORM: web.AppKey[WeChatPlatform] = web.AppKey("wechat_platform", WeChatPlatform)


async def platform_ctx(app: web.Application) -> AsyncIterator[None]:
    """The platform object (after Redis and the database, before the dispatcher that injects it)."""
    settings = app[keys.SETTINGS]
    timeout = aiohttp.ClientTimeout(total=settings.wechat.api_timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        platform = WeChatPlatform(settings, app[keys.REDIS], http)
        app[PLATFORM] = platform
        yield
        await platform.drain()


def has_real_credentials(settings: Settings) -> bool:
    """True when a 公众号 secret is configured (otherwise the local stand-in plays WeChat)."""
    return bool(settings.wechat.secret)


def with_stand_in(settings: Settings, host: str, port: int) -> Settings:
    """Settings that point both apps at the stand-in mounted on this server, when no real secret is set."""
    if has_real_credentials(settings) and not settings.wechat.fake_api:
        return settings
    base = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::', ''} else host}:{port}{FAKE_PATH}"
    wechat = dataclasses.replace(settings.wechat, fake_api=True, api_base_url=base,
                                 secret=settings.wechat.secret or "dev-secret")
    mp = settings.miniprogram
    miniprogram = dataclasses.replace(mp, appid=mp.appid or DEV_MINIPROGRAM_APPID, secret=mp.secret or "dev-mp-secret",
                                      api_base_url=base)
    return dataclasses.replace(settings, wechat=wechat, miniprogram=miniprogram)


def mount_stand_in(app: web.Application) -> FakeWeChat:
    """Serve the stand-in at /fake-wechat, logging what it is sent; any wx.login code logs in."""

    def show(path: str, body: dict[str, Any]) -> None:
        if "touser" in body:
            log.info("替身微信收到 %s → %s：%s", path, body.get("touser"), describe_message(body)[:200])
        else:
            log.info("替身微信收到 %s", path)

    fake = FakeWeChat(accept_any_code=True, on_call=show)
    app.add_subapp(FAKE_PATH, fake.app())
    return fake
