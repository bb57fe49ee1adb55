"""A local HTTP server that plays the WeChat API (tokens, customer-service messages, jscode2session)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeWeChat:
    """What the fake received, and knobs to make it slow or failing."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    delay: float = 0.0
    fail_sends: int = 0  # how many next sends answer with an error
    sessions: dict[str, str] = field(default_factory=dict)  # js_code -> openid
    media: dict[str, bytes] = field(default_factory=dict)  # media_id -> file served by media/get
    media_requests: list[str] = field(default_factory=list)
    media_token_expired: int = 0  # how many next media/get calls answer "access token expired"

    def app(self) -> web.Application:
        """The aiohttp application to serve."""
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)
        app.router.add_post("/cgi-bin/message/template/send", self.custom_send)
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_get("/cgi-bin/media/get", self.media_get)
        return app

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        if not request.query.get("secret"):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return web.json_response({"access_token": f"TOKEN{self.token_requests}", "expires_in": 7200})

    async def custom_send(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_sends > 0:
            self.fail_sends -= 1
            return web.json_response({"errcode": 45015, "errmsg": "response out of time limit"})
        body = json.loads(await request.read())
        body["_access_token"] = request.query.get("access_token")
        self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def jscode2session(self, request: web.Request) -> web.Response:
        code = request.query.get("js_code", "")
        openid = self.sessions.get(code)
        if openid is None:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        return web.json_response({"openid": openid, "session_key": "c2Vzc2lvbmtleQ=="})

    async def media_get(self, request: web.Request) -> web.Response:
        media_id = request.query.get("media_id", "")
        self.media_requests.append(media_id)
        if not request.query.get("access_token"):
            return web.json_response({"errcode": 41001, "errmsg": "access_token missing"})
        if self.media_token_expired > 0:
            self.media_token_expired -= 1
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if media_id not in self.media:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=self.media[media_id], content_type="image/jpeg")

    def texts_to(self, openid: str) -> list[str]:
        """The text contents sent to one user, in order."""
        return [m["text"]["content"] for m in self.sent if m.get("touser") == openid and m.get("msgtype") == "text"]
