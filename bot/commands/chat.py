"""mingbai chat: an interactive terminal chat through the real callback protocol."""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

from bot.config import Settings
from bot.wechat.client import WeChatSimulator, text_xml


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("chat", help="在终端里像微信用户一样聊天（连到运行中的服务）")
    p.add_argument("--url", help="微信回调地址（默认按配置为 http://地址:端口/wechat）")
    p.add_argument("--openid", default="", help="扮演的微信用户 openid（默认新建一个）")
    p.add_argument("--inbox", default="",
                   help="微信接口替身的 /_sent 地址，用来显示发给这个用户的客服消息"
                        "（默认：未配置微信密钥时用本地替身）")
    p.set_defaults(func=run)


def exchange(sim: WeChatSimulator, url: str, openid: str, text: str, msg_id: int) -> str:
    """Send one text message and return the reply's text."""
    req = sim.sign(text_xml(openid, text, msg_id))
    http = urllib.request.Request(req.url(url), data=req.body, method="POST",
                                  headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(http, timeout=10) as resp:
            body = resp.read().decode()
    except urllib.error.HTTPError as exc:
        return f"[服务器返回 {exc.code}: {exc.read().decode(errors='replace')}]"
    fields = sim.open_reply(body, req.query)
    if not fields:
        return "[服务器回复 success：答案稍后通过客服消息发送]"
    if fields.get("MsgType") == "news":
        return "[图文消息]"
    return fields.get("Content", "")


def _inbox(url: str, openid: str, seen: int) -> tuple[list[str], int]:
    """Customer-service messages the stand-in received for this user since the first `seen`."""
    from urllib.parse import urlencode

    from bot.wechat.fake import describe_message

    try:
        with urllib.request.urlopen(f"{url}?{urlencode({'touser': openid, 'after': seen})}", timeout=5) as resp:
            data = json.loads(resp.read())
    except (OSError, ValueError):
        return [], seen
    return [describe_message(m) for m in data["items"]], int(data["total"])


def _lines(interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from sys.stdin
        return
    while True:
        try:
            yield input("我> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Read lines from the terminal, print the bot's replies."""
    url = args.url or f"http://{settings.server.host}:{settings.server.port}/wechat"
    openid = args.openid or "chat-" + secrets.token_hex(6)
    w = settings.wechat
    sim = WeChatSimulator(w.token, w.appid, w.aes_key, "safe" if w.mode == "safe" else "plain")
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"已连接 {url}（用户 {openid}）。输入文字回车发送，Ctrl-D 退出。")
    ids = itertools.count(int(time.time() * 1000))
    inbox = args.inbox or (url.rsplit("/wechat", 1)[0] + "/fake-wechat/_sent" if not w.secret else "")
    seen = _inbox(inbox, openid, 0)[1] if inbox else 0
    for line in _lines(interactive):
        text = line.strip()
        if not text:
            continue
        try:
            reply = exchange(sim, url, openid, text, next(ids))
        except OSError as exc:
            print(f"连接失败：{exc}。服务器在运行吗？（make run）", file=sys.stderr)
            return 1
        print(f"明白> {reply}\n")
        waits = 40 if reply.startswith("[服务器回复 success") else 1  # a late answer comes within seconds
        for _ in range(waits if inbox else 0):
            arrived, seen = _inbox(inbox, openid, seen)
            for m in arrived:
                print(f"明白（客服消息）> {m}\n")
            if arrived:
                break
            time.sleep(0.25)
    return 0
