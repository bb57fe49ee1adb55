"""An async client of the WeChat API: one access token per app shared in Redis, error codes in words, retries.

The token is kept where wechatpy's RedisStorage keeps it (`mingbai:wechat:<appid>:<appid>_access_token`),
so the customer-service sender (wechatpy, in threads) and this client use the same token. It is
refreshed ahead of expiry by one process at a time (a Redis lock); the others wait for it or use the
old token, which WeChat keeps valid for five minutes after a refresh.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.wechat.error_codes import RETRY, TOKEN_INVALID, describe_error, errcode

log = logging.getLogger("mingbai.wechat.api")

REFRESH_AHEAD = 600  # seconds before expiry a token is renewed
LOCK_SECONDS = 15


class WeChatApiError(Exception):
    """WeChat answered with an error code (or could not be reached: code -2)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class WeChatApi:
    """Calls for one app (公众号 or mini-program); `http` is the app's shared aiohttp session."""

    def __init__(self, appid: str, secret: str, base_url: str, redis: Any, http: aiohttp.ClientSession,
                 *, retries: int = 3, backoff: float = 0.5,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.appid, self.secret = appid, secret
        self.base = base_url.rstrip("/")
        self.redis, self.http = redis, http
        self.retries, self.backoff, self.sleep = retries, backoff, sleep
        prefix = f"mingbai:wechat:{appid}"
        self.token_key = f"{prefix}:{appid}_access_token"  # wechatpy's RedisStorage layout
        self.expiry_key = f"{prefix}:expires_at"
        self.lock_key = f"{prefix}:token_lock"

    async def _get_json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self.http.request(method, url, **kwargs) as resp:
                raw = await resp.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WeChatApiError(-2, f"微信接口连不上（{type(exc).__name__}）") from None
        try:
            data = json.loads(raw)
        except ValueError:
            return {"_raw": raw}  # media/get answers with the file itself
        return data if isinstance(data, dict) else {"_value": data}

    async def access_token(self, *, force: bool = False) -> str:
        """The shared token; renewed by one process when it is close to expiry (or `force`, after 40001)."""
        token, fresh = await self._stored_token()
        if fresh and not force:
            return str(json.loads(token))
        if await self.redis.set(self.lock_key, "1", nx=True, ex=LOCK_SECONDS):
            try:
                if not force:  # another process may have renewed it between the read above and the lock
                    renewed, fresh = await self._stored_token()
                    if fresh:
                        return str(json.loads(renewed))
                return await self._fetch_token()
            finally:
                await self.redis.delete(self.lock_key)
        if token is not None and not force:
            return str(json.loads(token))  # another process is renewing; the old token still works
        for _ in range(int(LOCK_SECONDS / 0.1)):  # no token at all: wait for the process that fetches it
            await asyncio.sleep(0.1)
            new = await self.redis.get(self.token_key)
            if new is not None and new != token:
                return str(json.loads(new))
        raise WeChatApiError(-2, "等待 access_token 超时")

    async def _stored_token(self) -> tuple[Any, bool]:
        """The token in Redis (JSON, or None) and whether it is far enough from expiry."""
        token, expires_at = await self.redis.mget(self.token_key, self.expiry_key)
        return token, token is not None and expires_at is not None and float(expires_at) - time.time() > REFRESH_AHEAD

    async def _fetch_token(self) -> str:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        data = await self._get_json("GET", f"{self.base}/cgi-bin/token", params=params)
        if not data.get("access_token"):
            log.error("获取 access_token 失败（%s）：%s", self.appid, describe_error(data))
            raise WeChatApiError(errcode(data), describe_error(data))
        ttl = int(data.get("expires_in", 7200))
        await self.redis.set(self.token_key, json.dumps(data["access_token"]), ex=ttl)
        await self.redis.set(self.expiry_key, str(time.time() + ttl), ex=ttl)
        log.info("access_token 已更新（%s，%d 秒有效）", self.appid, ttl)
        return str(data["access_token"])

    async def call(self, path: str, payload: dict[str, Any] | None = None, *, method: str = "POST",
                   params: dict[str, str] | None = None) -> dict[str, Any]:
        """Call /cgi-bin/<path>; retries busy (-1) and rate limits (45009, 45011) with backoff."""
        refreshed = False
        for attempt in range(self.retries + 1):
            token = await self.access_token(force=refreshed and attempt > 0)
            query = {**(params or {}), "access_token": token}
            body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
            try:
                data = await self._get_json(method, f"{self.base}/cgi-bin/{path}", params=query, data=body)
            except WeChatApiError as exc:  # not reached at all: WeChat said nothing to retry on
                log.error("微信接口 %s 失败：%s", path, exc.description)
                raise
            code = errcode(data)
            if code == 0:
                return data
            if code in TOKEN_INVALID and not refreshed:
                log.warning("微信接口 %s：%s，刷新 access_token 后重试", path, describe_error(data))
                refreshed = True
                continue
            if code in RETRY and attempt < self.retries:
                delay = self.backoff * 2 ** attempt
                log.warning("微信接口 %s：%s，%.1f 秒后重试", path, describe_error(data), delay)
                await self.sleep(delay)
                continue
            log.error("微信接口 %s 失败：%s", path, describe_error(data))
            raise WeChatApiError(code, describe_error(data))
        raise WeChatApiError(-1, f"微信接口 {path} 多次重试仍失败")  # pragma: no cover - the loop returns or raises

    async def user_info(self, openid: str) -> dict[str, Any]:
        """user/info of a follower (the UnionID is there when the account is bound to 开放平台)."""
        return await self.call("user/info", method="GET", params={"openid": openid, "lang": "zh_CN"})

    async def create_qrcode(self, scene: str, expire_seconds: int | None) -> dict[str, Any]:
        """A parametric QR code: temporary (≤ 30 days) when expire_seconds is given, else permanent."""
        if expire_seconds is None:
            payload: dict[str, Any] = {"action_name": "QR_LIMIT_STR_SCENE",
                                       "action_info": {"scene": {"scene_str": scene}}}
        else:
            payload = {"expire_seconds": min(expire_seconds, 30 * 24 * 3600), "action_name": "QR_STR_SCENE",
                       "action_info": {"scene": {"scene_str": scene}}}
        return await self.call("qrcode/create", payload)
