"""Trying it without WeChat: `make run` serves a stand-in for the WeChat API; the README's curl lines work."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.request
from typing import Any

from aiohttp.test_utils import TestServer

from bot.commands.chat import _inbox
from bot.wechat.fake import FakeWeChat
from tests.bot.test_cli import MINGBAI, embedded_server, env  # noqa: F401  (fixture)


def _post(url: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
    return data


def test_miniprogram_session_on_a_fresh_checkout(embedded_server) -> None:  # noqa: F811
    port, cwd = embedded_server
    base = f"http://127.0.0.1:{port}"
    session = _post(f"{base}/api/v1/auth/login", {"code": "my-wx-login-code"})  # README: any code logs in
    assert session["me"]["role"] == "villager" and session["token"]
    me = urllib.request.urlopen(urllib.request.Request(
        f"{base}/api/v1/me", headers={"Authorization": f"Bearer {session['token']}"}), timeout=10)
    assert json.loads(me.read())["bound"] is False
    e = {**env(cwd / "var"), "MINGBAI_SERVER_PORT": str(port)}
    (cwd / "villages.csv").write_text("村名,户数\n江湾村,300\n", encoding="utf-8")
    subprocess.run([*MINGBAI, "villages", "import", "villages.csv"], cwd=cwd, env=e, capture_output=True,
                   text=True, timeout=60, check=True)
    added = subprocess.run([*MINGBAI, "user", "add", "--role", "helper", "--name", "李明", "--village", "江湾村"],
                           cwd=cwd, env=e, capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    code = next(w for w in added.stdout.replace("：", " ").split() if len(w) == 8 and w.isalnum() and w.isupper())
    bound = _post(f"{base}/api/v1/auth/bind", {"invite_code": code}, session["token"])
    assert bound["bound"] and bound["display_name"] == "李明" and bound["role"] == "helper"
    pushed = subprocess.run([*MINGBAI, "wechat", "menu", "push"], cwd=cwd, env=e, capture_output=True, text=True,
                            timeout=60)
    assert pushed.returncode == 0 and "默认菜单已推送" in pushed.stdout, pushed.stderr
    shown = subprocess.run([*MINGBAI, "wechat", "menu", "show"], cwd=cwd, env=e, capture_output=True, text=True,
                           timeout=60)
    assert "申请调解" in shown.stdout
    page = urllib.request.urlopen(f"{base}/fake-wechat/", timeout=10).read().decode()
    assert "菜单" in page and "jscode2session" not in page


async def test_chat_shows_customer_service_messages_for_its_openid() -> None:
    fake = FakeWeChat()
    server = TestServer(fake.app())
    await server.start_server()
    try:
        inbox = str(server.make_url("/_sent"))
        seen = (await asyncio.to_thread(_inbox, inbox, "me", 0))[1]
        async with __import__("aiohttp").ClientSession() as s:
            for to, text in (("me", "您的调解申请已受理"), ("someone-else", "别人的消息")):
                await s.post(server.make_url("/cgi-bin/message/custom/send"), params={"access_token": "TOKEN1"},
                             json={"touser": to, "msgtype": "text", "text": {"content": text}})
        arrived, seen = await asyncio.to_thread(_inbox, inbox, "me", seen)
        assert arrived == ["您的调解申请已受理"] and seen == 1
        assert (await asyncio.to_thread(_inbox, inbox, "me", seen))[0] == []
    finally:
        await server.close()
