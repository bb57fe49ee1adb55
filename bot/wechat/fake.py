"""A local stand-in for the WeChat API: what the tests talk to, and `mingbai fake-wechat` for trying things out.

It answers token, jscode2session, user/info, menu/create|get|delete|addconditional, tags, qrcode/create,
message/custom/send, message/template/send and media/get the way WeChat does, and keeps everything it was
sent: GET /_sent (JSON, ?touser=OPENID&after=N) and GET / (a plain-text summary). A person can be given a
UnionID (`unionids`), as when both apps are bound to one 开放平台 account.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# A 1x1 PNG: what media/get hands out for any media_id.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class FakeWeChat:
    """What the stand-in received, and knobs to make it slow or failing."""

    sent: list[dict[str, Any]] = field(default_factory=list)  # customer-service and template messages
    token_requests: int = 0
    delay: float = 0.0
    fail_sends: int = 0  # how many next sends answer with an error
    busy: int = 0  # how many next API calls answer -1 (system busy)
    hold: asyncio.Event | None = None  # while set and not yet fired, user/info waits (a WeChat API that hangs)
    sessions: dict[str, str] = field(default_factory=dict)  # js_code -> mini-program openid
    unionids: dict[str, str] = field(default_factory=dict)  # openid (either app) -> UnionID
    accept_any_code: bool = False  # dev tool: an unknown js_code logs in as openid "mp-<code>"
    menus: list[dict[str, Any]] = field(default_factory=list)  # [default, conditional ...]
    tags: dict[int, str] = field(default_factory=dict)
    tagged: dict[str, set[int]] = field(default_factory=dict)  # openid -> tag ids
    qrcodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # ticket -> {scene, expire_seconds}
    calls: list[str] = field(default_factory=list)  # every API path called, in order
    media: dict[str, bytes] = field(default_factory=dict)  # media_id -> file served by media/get (else a PNG)
    media_requests: list[str] = field(default_factory=list)
    media_token_expired: int = 0  # how many next media/get calls answer "access token expired"
    on_call: Callable[[str, dict[str, Any]], None] | None = None  # the dev tool prints each call

    def app(self) -> web.Application:
        """The aiohttp application to serve (standalone, or mounted as a sub-application)."""
        app = web.Application()
        r = app.router
        r.add_get("/cgi-bin/token", self.token)
        r.add_post("/cgi-bin/message/custom/send", self.custom_send)
        r.add_post("/cgi-bin/message/template/send", self.custom_send)
        r.add_get("/sns/jscode2session", self.jscode2session)
        r.add_get("/cgi-bin/user/info", self.user_info)
        r.add_post("/cgi-bin/menu/create", self.menu_create)
        r.add_get("/cgi-bin/menu/get", self.menu_get)
        r.add_get("/cgi-bin/get_current_selfmenu_info", self.menu_get)
        r.add_get("/cgi-bin/menu/delete", self.menu_delete)
        r.add_post("/cgi-bin/menu/addconditional", self.menu_conditional)
        r.add_post("/cgi-bin/tags/create", self.tag_create)
        r.add_get("/cgi-bin/tags/get", self.tag_list)
        r.add_post("/cgi-bin/tags/members/batchtagging", self.tag_members)
        r.add_post("/cgi-bin/qrcode/create", self.qrcode_create)
        r.add_get("/cgi-bin/media/get", self.media_get)
        r.add_get("/_sent", self.inbox)
        r.add_get("/", self.summary)
        return app

    def _record(self, path: str, body: dict[str, Any]) -> web.Response | None:
        """Count the call; answer -1 while `busy` lasts."""
        self.calls.append(path)
        if self.on_call is not None:
            self.on_call(path, body)
        if self.busy > 0:
            self.busy -= 1
            return web.json_response({"errcode": -1, "errmsg": "system error"})
        return None

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            data = json.loads(await request.read() or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _checked(self, request: web.Request) -> web.Response | None:
        if not request.query.get("access_token", "").startswith("TOKEN"):
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        return None

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        self.calls.append("token")
        if not request.query.get("secret"):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return web.json_response({"access_token": f"TOKEN{self.token_requests}", "expires_in": 7200})

    async def custom_send(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        body = await self._body(request)
        if (answer := self._record(request.path, body)) is not None:
            return answer
        if self.fail_sends > 0:
            self.fail_sends -= 1
            return web.json_response({"errcode": 45015, "errmsg": "response out of time limit"})
        body["_access_token"] = request.query.get("access_token")
        body["_at"] = time.time()
        self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def jscode2session(self, request: web.Request) -> web.Response:
        code = request.query.get("js_code", "")
        self.calls.append("jscode2session")
        openid = self.sessions.get(code)
        if openid is None and self.accept_any_code and code:
            openid = "mp-" + hashlib.sha256(code.encode()).hexdigest()[:16]
        if openid is None:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        answer = {"openid": openid, "session_key": "c2Vzc2lvbmtleQ=="}
        if openid in self.unionids:
            answer["unionid"] = self.unionids[openid]
        return web.json_response(answer)

    async def user_info(self, request: web.Request) -> web.Response:
        openid = request.query.get("openid", "")
        if self.hold is not None:
            await self.hold.wait()
        if (answer := self._checked(request) or self._record("user/info", {"openid": openid})) is not None:
            return answer
        info: dict[str, Any] = {"subscribe": 1, "openid": openid, "language": "zh_CN",
                                "subscribe_time": int(time.time()), "tagid_list": sorted(self.tagged.get(openid, ()))}
        if openid in self.unionids:
            info["unionid"] = self.unionids[openid]
        return web.json_response(info)

    async def menu_create(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if (answer := self._checked(request) or self._record("menu/create", body)) is not None:
            return answer
        if not body.get("button") or len(body["button"]) > 3:
            return web.json_response({"errcode": 40017, "errmsg": "invalid button size"})
        self.menus = [body]
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def menu_conditional(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if (answer := self._checked(request) or self._record("menu/addconditional", body)) is not None:
            return answer
        if not self.menus:
            return web.json_response({"errcode": 65303, "errmsg": "there is no selfmenu"})
        self.menus.append(body)
        return web.json_response({"menuid": str(len(self.menus))})

    async def menu_get(self, request: web.Request) -> web.Response:
        if (answer := self._checked(request) or self._record("menu/get", {})) is not None:
            return answer
        if not self.menus:
            return web.json_response({"errcode": 46003, "errmsg": "menu no exist"})
        answer_body: dict[str, Any] = {"menu": self.menus[0]}
        if len(self.menus) > 1:
            answer_body["conditionalmenu"] = [{**m, "menuid": i + 1} for i, m in enumerate(self.menus[1:], 1)]
        return web.json_response(answer_body)

    async def menu_delete(self, request: web.Request) -> web.Response:
        if (answer := self._checked(request) or self._record("menu/delete", {})) is not None:
            return answer
        self.menus = []
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def tag_create(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if (answer := self._checked(request) or self._record("tags/create", body)) is not None:
            return answer
        name = str(body.get("tag", {}).get("name", ""))
        for tid, existing in self.tags.items():
            if existing == name:
                return web.json_response({"errcode": 45157, "errmsg": "duplicate tag name", "tag": {"id": tid}})
        tid = 100 + len(self.tags)
        self.tags[tid] = name
        return web.json_response({"tag": {"id": tid, "name": name}})

    async def tag_list(self, request: web.Request) -> web.Response:
        if (answer := self._checked(request) or self._record("tags/get", {})) is not None:
            return answer
        return web.json_response({"tags": [{"id": i, "name": n, "count": 0} for i, n in self.tags.items()]},
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def tag_members(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if (answer := self._checked(request) or self._record("tags/members/batchtagging", body)) is not None:
            return answer
        for openid in body.get("openid_list", []):
            self.tagged.setdefault(openid, set()).add(int(body.get("tagid", 0)))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def qrcode_create(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if (answer := self._checked(request) or self._record("qrcode/create", body)) is not None:
            return answer
        scene = body.get("action_info", {}).get("scene", {})
        scene_str = str(scene.get("scene_str", scene.get("scene_id", "")))
        if not scene_str or len(scene_str) > 64:
            return web.json_response({"errcode": 40097, "errmsg": "invalid args"})
        ticket = "gQ" + secrets.token_urlsafe(18)
        expire = body.get("expire_seconds")
        self.qrcodes[ticket] = {"scene": scene_str, "expire_seconds": expire, "action": body.get("action_name")}
        answer_body: dict[str, Any] = {"ticket": ticket, "url": f"http://weixin.qq.com/q/{ticket}"}
        if expire is not None:
            answer_body["expire_seconds"] = expire
        return web.json_response(answer_body)

    async def media_get(self, request: web.Request) -> web.Response:
        media_id = request.query.get("media_id", "")
        self.media_requests.append(media_id)
        if (answer := self._checked(request) or self._record("media/get", dict(request.query))) is not None:
            return answer
        if self.media_token_expired > 0:
            self.media_token_expired -= 1
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if media_id in self.media:
            return web.Response(body=self.media[media_id], content_type="image/jpeg")
        return web.Response(body=PNG, content_type="image/png")

    async def inbox(self, request: web.Request) -> web.Response:
        """What was sent, optionally to one user and after the first N of them."""
        touser = request.query.get("touser")
        items = [m for m in self.sent if touser is None or m.get("touser") == touser]
        after = int(request.query.get("after", "0") or 0)
        return web.json_response({"total": len(items), "items": items[after:]},
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def summary(self, request: web.Request) -> web.Response:
        """A plain-text page of what the stand-in has seen."""
        lines = ["微信接口本地替身（mingbai fake-wechat）", f"接口调用 {len(self.calls)} 次，"
                 f"access_token {self.token_requests} 次，发出消息 {len(self.sent)} 条", ""]
        for m in self.sent[-50:]:
            lines.append(f"→ {m.get('touser', '')}: {describe_message(m)}")
        if self.menus:
            lines += ["", "菜单：" + json.dumps(self.menus[0], ensure_ascii=False)]
        return web.Response(text="\n".join(lines))

    def texts_to(self, openid: str) -> list[str]:
        """The text contents sent to one user, in order."""
        return [m["text"]["content"] for m in self.sent if m.get("touser") == openid and m.get("msgtype") == "text"]


def describe_message(m: dict[str, Any]) -> str:
    """One sent message in a line: its text, the titles of news, or a template's id."""
    kind = m.get("msgtype")
    if kind == "text":
        return str(m.get("text", {}).get("content", ""))
    if kind == "news":
        return "[图文] " + "；".join(a.get("title", "") for a in m.get("news", {}).get("articles", []))
    if "template_id" in m:
        return f"[模板消息 {m['template_id']}] " + json.dumps(m.get("data", {}), ensure_ascii=False)
    return json.dumps(m, ensure_ascii=False)[:200]
