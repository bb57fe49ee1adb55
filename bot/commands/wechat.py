"""mingbai wechat menu push|show, mingbai wechat qr village, and mingbai fake-wechat (the local stand-in)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

import models
from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `wechat` and `fake-wechat`."""
    p = sub.add_parser("wechat", help="公众号平台：菜单推送与查看、村二维码")
    wsub = p.add_subparsers(dest="wechat_command", required=True)
    menu = wsub.add_parser("menu", help="自定义菜单")
    menu.add_argument("action", choices=["push", "show"], help="push：按菜单文件创建菜单；show：读出微信上的菜单")
    menu.add_argument("--file", default="",
                      help="菜单文件（默认 [wechat] menu_file，未设则用自带的 bot/wechat/menu.toml）")
    menu.set_defaults(func=run_menu)
    qr = wsub.add_parser("qr", help="带参数二维码")
    qr.add_argument("kind", choices=["village"], help="village：各村的永久二维码（扫码提问计入该村）")
    qr.add_argument("--village", default="", help="只生成这个村的")
    qr.add_argument("-o", "--output", default="village-qr", help="存放二维码图片的文件夹")
    qr.set_defaults(func=run_qr)
    fake = sub.add_parser("fake-wechat", help="本地的微信接口替身（试用小程序登录、客服消息、菜单、二维码）")
    fake.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    fake.add_argument("--port", type=int, default=8081, help="端口（默认 8081）")
    fake.set_defaults(func=run_fake)


def _api_settings(settings: Settings) -> Settings:
    """Without real credentials the commands talk to the stand-in on the running server (`make run`)."""
    from bot.wechat.platform import with_stand_in

    return with_stand_in(settings, settings.server.host, settings.server.port)


async def _with_api(settings: Settings, work: Callable[[Any, Settings], Awaitable[int]]) -> int:
    from bot.redis_store import make_clients
    from bot.wechat.api import WeChatApi

    settings = _api_settings(settings)
    aio, sync = make_clients(settings.redis.url)
    w = settings.wechat
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=w.api_timeout_seconds)) as http, \
                models.database(settings.database.url):
            return await work(WeChatApi(w.appid, w.secret, w.api_base_url, aio, http), settings)
    finally:
        await aio.aclose()
        sync.close()


def _run_with_api(settings: Settings, work: Callable[[Any, Settings], Awaitable[int]]) -> int:
    """Run a command's work against the WeChat API; a WeChat error is one Chinese line and exit code 1."""
    from bot.wechat.api import WeChatApiError

    try:
        return asyncio.run(_with_api(settings, work))
    except WeChatApiError as exc:
        print(f"微信接口出错：{exc.description}", file=sys.stderr)
        return 1


def run_menu(args: argparse.Namespace, settings: Settings) -> int:
    """Push the menu file, or show the menu WeChat has."""
    from bot.wechat.custom_menu import MenuError, load_menu, push_menu

    try:
        menu = load_menu(args.file or settings.wechat.menu_file)
    except MenuError as exc:
        print(f"菜单文件有误：{exc}", file=sys.stderr)
        return 2

    async def work(api: Any, s: Settings) -> int:
        if args.action == "show":
            print(json.dumps(await api.call("menu/get", method="GET"), ensure_ascii=False, indent=2))
            return 0
        for line in await push_menu(api, menu, s.miniprogram.appid):
            print(line)
        return 0

    return _run_with_api(settings, work)


def run_qr(args: argparse.Namespace, settings: Settings) -> int:
    """Permanent QR codes per village: a villager who follows through one has their questions counted for it."""
    from bot.wechat.qrcodes import village_qr_png
    from models.core import Town, Village

    async def work(api: Any, s: Settings) -> int:
        town = await Town.get_or_none(name=s.town.name)
        villages = await Village.filter(town=town).order_by("name") if town else []
        if args.village:
            villages = [v for v in villages if v.name in {args.village, args.village + "村"}]
        if not villages:
            print("没有找到村，请先用 mingbai villages import 导入村名单。", file=sys.stderr)
            return 1
        images = {f"{v.name}.png": await village_qr_png(api, v) for v in villages}
        out = Path(args.output)
        await asyncio.to_thread(_write_all, out, images)
        print(f"已生成{len(villages)}个村的二维码：{out}/")
        return 0

    return _run_with_api(settings, work)


def _write_all(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def run_fake(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the stand-in for the WeChat API and print every call it gets."""
    from aiohttp import web

    from bot.wechat.fake import FakeWeChat, describe_message

    def show(path: str, body: dict[str, Any]) -> None:
        line = f"{path} → {body['touser']}：{describe_message(body)}" if "touser" in body else path
        print(line, flush=True)

    fake = FakeWeChat(accept_any_code=True, on_call=show)
    print(f"微信接口替身：http://{args.host}:{args.port}（设 [wechat] api_base_url 为此地址；"
          f"GET /_sent 看发出的消息）", flush=True)
    web.run_app(fake.app(), host=args.host, port=args.port, print=None, access_log=None)
    return 0


async def write_invite_sheets(settings: Settings, town_id: int, folder: str, days: int, *, renew: bool = False,
                              village: str = "") -> int:
    """Issue codes for the unbound helpers (database already open) and write a sheet per village."""
    from bot.redis_store import make_clients
    from bot.wechat.api import WeChatApi
    from bot.wechat.invite_sheets import issue_sheets
    from models.core import Town, Village

    town = await Town.get(id=town_id)
    village_id = None
    if village:
        v = await Village.get_or_none(town_id=town_id, name=village) or \
            await Village.get_or_none(town_id=town_id, name=village + "村")
        if v is None:
            print(f"本镇没有“{village}”。", file=sys.stderr)
            return 1
        village_id = v.id
    s = _api_settings(settings)
    w = s.wechat
    aio, sync = make_clients(s.redis.url)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=w.api_timeout_seconds)) as http:
            api = WeChatApi(w.appid, w.secret, w.api_base_url, aio, http)
            sheets = await issue_sheets(api, town_id, town.name, days=days, renew=renew, village_id=village_id)
    finally:
        await aio.aclose()
        sync.close()
    out = Path(folder)
    await asyncio.to_thread(_write_all, out, {f"{name}邀请码.docx": data for name, data in sheets.files.items()})
    if sheets.skipped_live:
        print(f"{sheets.skipped_live}人已有未过期的邀请码，未重新生成"
              "（全部重新生成：mingbai helpers invites --renew）。")
    if not sheets.issued:
        print("没有需要生成邀请码的人员（都已绑定微信或已有邀请码）。")
        return 0
    assert sheets.expires is not None
    print(f"已为{sheets.issued}名未绑定微信的人员生成邀请码（{sheets.expires:%Y-%m-%d}前有效），"
          f"按村打印单{len(sheets.files)}份：{out}/")
    if sheets.qr_problem:
        print(f"二维码未生成（{sheets.qr_problem}）：打印单上只有邀请码，请本人发送“绑定 邀请码”。", file=sys.stderr)
    return 0
