"""The 公众号's custom menu: read from a TOML file, checked against WeChat's limits, pushed with the API.

CLICK keys are the keywords the buttons stand for, so a click is handled like typing the keyword.
Role-specific menus are WeChat's 个性化菜单: a conditional menu per user tag, and the tag given to the
people of that role who have bound their WeChat.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from models.core import Role

TYPES = {"click", "view", "miniprogram"}
TAG_ROLES = {"法律明白人": (Role.HELPER,), "人民调解员": (Role.MEDIATOR,)}


class MenuError(Exception):
    """A menu file WeChat would refuse; the message names the button."""


@dataclass
class Menu:
    """The default menu and the conditional (per tag) menus, as written in the file."""

    buttons: list[dict[str, Any]]
    conditional: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    source: str = ""

    def reply_for(self, key: str) -> str | None:
        """The fixed answer of a CLICK key, if the file gives one."""
        return self._replies().get(key)

    def _replies(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for button in _walk([self.buttons, *(b for _, b in self.conditional)]):
            if button.get("reply"):
                found.setdefault(str(button["key"]), str(button["reply"]))
        return found

    def keys(self) -> set[str]:
        """Every CLICK key of every menu."""
        return {str(b["key"]) for b in _walk([self.buttons, *(b for _, b in self.conditional)])
                if b.get("type") == "click"}

    def wechat_json(self, buttons: list[dict[str, Any]], miniprogram_appid: str) -> dict[str, Any]:
        """The body of menu/create (or addconditional, without its matchrule)."""
        return {"button": [_render(b, miniprogram_appid) for b in buttons]}


def _walk(menus: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    for buttons in menus:
        for b in buttons:
            out.append(b)
            out.extend(b.get("sub_button", []))
    return out


def _render(button: dict[str, Any], mp_appid: str) -> dict[str, Any]:
    if button.get("sub_button"):
        return {"name": button["name"], "sub_button": [_render(s, mp_appid) for s in button["sub_button"]]}
    kind = button["type"]
    if kind == "click":
        return {"type": "click", "name": button["name"], "key": button["key"]}
    if kind == "miniprogram" and mp_appid:
        return {"type": "miniprogram", "name": button["name"], "url": button["url"], "appid": mp_appid,
                "pagepath": button["pagepath"]}
    return {"type": "view", "name": button["name"], "url": button["url"]}  # no mini-program: its web page


def _check_button(b: Any, where: str, top: bool) -> None:
    if not isinstance(b, dict):
        raise MenuError(f"{where}：应为一个按钮（表）")
    name = str(b.get("name", ""))
    limit = 16 if top else 60
    if not name or len(name.encode()) > limit:
        raise MenuError(f"{where}：name 不能为空，最多{limit // 3}个汉字（{name!r}）")
    subs = b.get("sub_button")
    if subs is not None:
        if not top:
            raise MenuError(f"{where}（{name}）：子菜单下不能再有子菜单")
        if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
            raise MenuError(f"{where}（{name}）：子菜单要有1到5个")
        for i, s in enumerate(subs, 1):
            _check_button(s, f"{where}（{name}）第{i}个子菜单", top=False)
        return
    kind = b.get("type")
    if kind not in TYPES:
        raise MenuError(f"{where}（{name}）：type 要是 click、view 或 miniprogram，不是 {kind!r}")
    if kind == "click" and not (isinstance(b.get("key"), str) and 0 < len(b["key"].encode()) <= 128):
        raise MenuError(f"{where}（{name}）：click 按钮要有 key（它代表的关键词，最多128字节）")
    if kind in {"view", "miniprogram"} and not str(b.get("url", "")).startswith(("http://", "https://")):
        raise MenuError(f"{where}（{name}）：{kind} 按钮要有以 http(s):// 开头的 url")
    if kind == "miniprogram" and not b.get("pagepath"):
        raise MenuError(f"{where}（{name}）：miniprogram 按钮要有 pagepath")


def _check_menu(buttons: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise MenuError(f"{where}：一级菜单要有1到3个")
    for i, b in enumerate(buttons, 1):
        _check_button(b, f"{where}第{i}个菜单", top=True)
    return buttons


def parse_menu(data: dict[str, Any], source: str = "<menu>") -> Menu:
    """Check a parsed menu file; MenuError names what WeChat would refuse."""
    buttons = _check_menu(data.get("button"), "默认菜单")
    conditional = []
    for i, c in enumerate(data.get("conditional", []), 1):
        tag = str(c.get("tag", "")) if isinstance(c, dict) else ""
        if tag not in TAG_ROLES:
            raise MenuError(f"第{i}个个性化菜单：tag 要是 {'、'.join(TAG_ROLES)} 之一，不是 {tag!r}")
        conditional.append((tag, _check_menu(c.get("button"), f"个性化菜单“{tag}”")))
    return Menu(buttons, conditional, source)


def load_menu(path: str = "") -> Menu:
    """The menu file named in [wechat] menu_file, or the one shipped with mingbai."""
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise MenuError(f"{path}：读不到菜单文件（{exc.strerror}）") from None
        source = path
    else:
        text = resources.files("bot.wechat").joinpath("menu.toml").read_text(encoding="utf-8")
        source = "bot/wechat/menu.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MenuError(f"{source}：不是合法的 TOML（{exc}）") from None
    try:
        return parse_menu(data, source)
    except MenuError as exc:
        raise MenuError(f"{source}：{exc}") from None


async def push_menu(api: Any, menu: Menu, miniprogram_appid: str) -> list[str]:
    """Create the default menu, then each conditional menu for its tag (tagging the bound people of its role).

    Returns what was done, line by line, in Chinese. An account without 个性化菜单 (not 认证) gets the
    default menu and a line saying so.
    """
    from bot.wechat.api import WeChatApiError
    from models.core import User

    await api.call("menu/create", menu.wechat_json(menu.buttons, miniprogram_appid))
    done = [f"默认菜单已推送（{len(menu.buttons)}个一级菜单）"]
    for tag, buttons in menu.conditional:
        try:
            openids = await User.filter(role__in=[r.value for r in TAG_ROLES[tag]], active=True,
                                        openid__not_isnull=True).values_list("openid", flat=True)
            tag_id = await tag_members(api, tag, [str(o) for o in openids])
            body = {**menu.wechat_json(buttons, miniprogram_appid), "matchrule": {"tag_id": str(tag_id)}}
            await api.call("menu/addconditional", body)
            done.append(f"个性化菜单“{tag}”已推送，{len(openids)}人已打标签")
        except WeChatApiError as exc:
            done.append(f"个性化菜单“{tag}”未推送：{exc.description}")
    return done


async def tag_members(api: Any, tag: str, openids: list[str]) -> int:
    """Give these followers the user tag (created if missing); returns the tag's id."""
    tag_id = await _tag_id(api, tag)
    for i in range(0, len(openids), 50):  # WeChat tags at most 50 openids a call
        await api.call("tags/members/batchtagging", {"openid_list": openids[i:i + 50], "tagid": tag_id})
    return tag_id


async def _tag_id(api: Any, name: str) -> int:
    tags = (await api.call("tags/get", method="GET")).get("tags", [])
    for t in tags:
        if t.get("name") == name:
            return int(t["id"])
    return int((await api.call("tags/create", {"tag": {"name": name}}))["tag"]["id"])
