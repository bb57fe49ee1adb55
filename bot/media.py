"""Photos helpers send in chat, downloaded through WeChat's media API (media/get), size-limited."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.api.outreach import IMAGE_TYPES
from handlers.photos import Download

log = logging.getLogger("mingbai.media")

# Token errors after which WeChat wants a fresh access token (invalid / expired credential).
TOKEN_ERRORS = {40001, 40014, 42001}


class MediaDownloader:
    """Fetches a temporary media file by its MediaId, with the access token the customer-service client shares.

    The token lives in Redis (wechatpy's storage) and is fetched off the event loop; the file itself
    is streamed with aiohttp and abandoned past `max_bytes`.
    """

    def __init__(self, wechat_client: Any, base_url: str, max_bytes: int, timeout: float) -> None:
        self.client = wechat_client
        self.url = base_url.rstrip("/") + "/cgi-bin/media/get"
        self.max_bytes = max_bytes
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()

    async def download(self, media_id: str) -> Download:
        """The photo's bytes and type, or why there are none (too large, expired, not an image, unreachable)."""
        try:
            for attempt in range(2):
                token = await asyncio.to_thread(self._token, attempt > 0)
                result = await self._get(media_id, token)
                if isinstance(result, Download):
                    return result
            return Download(problem="unavailable")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("media download failed: %s", type(exc).__name__)
            return Download(problem="unavailable")
        except Exception:  # wechatpy's token fetch raises its own errors
            log.warning("media download failed", exc_info=True)
            return Download(problem="unavailable")

    def _token(self, fresh: bool) -> str:
        if fresh:
            self.client.fetch_access_token()
        return str(self.client.access_token)

    async def _get(self, media_id: str, token: str) -> Download | None:
        """The download, or None when WeChat wants a fresh access token."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        params = {"access_token": token, "media_id": media_id}
        async with self._session.get(self.url, params=params) as resp:
            if resp.content_type in ("application/json", "text/plain"):
                body = await resp.json(content_type=None)
                if int(body.get("errcode", 0)) in TOKEN_ERRORS:
                    return None
                return Download(problem="unavailable")
            if resp.status != 200 or (resp.content_length or 0) > self.max_bytes:
                return Download(problem="too_large" if resp.status == 200 else "unavailable")
            chunks, size = [], 0
            async for chunk in resp.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    return Download(problem="too_large")
                chunks.append(chunk)
        data = b"".join(chunks)
        content_type = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
        if content_type is None:
            return Download(problem="not_image")
        return Download(data=data, content_type=content_type)
