"""Sending answers after the passive-reply window: WeChat's customer-service message API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wechatpy import WeChatClient
from wechatpy.session.redisstorage import RedisStorage

from handlers.core.paging import split_text
from handlers.core.types import Articles, Reply

log = logging.getLogger("mingbai.cs")


class _Client(WeChatClient):  # type: ignore[misc]
    """wechatpy's client, pointed at a configurable API base (the fake WeChat API in tests)."""

    def __init__(self, appid: str, secret: str, base_url: str, storage: Any, timeout: float,
                 shared_token: Callable[[bool], str] | None = None) -> None:
        super().__init__(appid, secret, session=storage, timeout=timeout, auto_retry=True)
        self.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
        self.shared_token = shared_token

    def fetch_access_token(self) -> Any:
        """wechatpy hard-codes api.weixin.qq.com here; use the configured base.

        With `shared_token` (the server's WeChatApi), the token comes from there: one refresh for every
        process. wechatpy calls this when the token is missing, or after WeChat refused it (then forced).
        """
        if self.shared_token is not None:
            return {"access_token": self.shared_token(self.session.get(self.access_token_key) is not None)}
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class CustomerService:
    """Sends text or news to a user; the blocking wechatpy client runs in a thread, with a timeout.

    The access token lives in Redis (wechatpy's RedisStorage), so every process shares one token.
    """

    def __init__(self, appid: str, secret: str, base_url: str, sync_redis: Any, timeout: float,
                 threads: int = 32, shared_token: Callable[[bool], str] | None = None) -> None:
        storage = RedisStorage(sync_redis, prefix=f"mingbai:wechat:{appid}")
        self.client = _Client(appid, secret, base_url, storage, timeout, shared_token)
        self.timeout = timeout
        # Sends wait on WeChat, not on the CPU: their own threads, so a slow API does not queue
        # them behind the event loop's small default pool (and then time them out unsent).
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wechat-send")

    async def call(self, func: Any, *args: Any) -> Any:
        """Run one blocking wechatpy call on the send threads, bounded in time.

        `asyncio.timeout`, not `asyncio.wait_for`: on Python 3.11 wait_for can return the call's result
        instead of raising when a cancel arrives as the call completes, and a loop stopping at shutdown
        must not have its cancel swallowed.
        """
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(self.timeout * 2 + 1):
            return await loop.run_in_executor(self.executor, func, *args)

    def close(self) -> None:
        """Let running sends finish; stop the threads."""
        self.executor.shutdown(wait=True, cancel_futures=False)

    async def send(self, openid: str, reply: Reply) -> None:
        """Send a reply; long text goes out as several messages."""
        if reply is None:
            return
        if isinstance(reply, Articles):
            articles = [
                {"title": a.title, "description": a.description, "url": a.url, "image": a.image}
                for a in reply.items[:8]
            ]
            await self.call(self.client.message.send_articles, openid, articles)
            return
        for page in split_text(reply, hint=""):
            await self.call(self.client.message.send_text, openid, page)
