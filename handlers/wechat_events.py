"""WeChat events: a scanned QR code with a scene (invite or village), subscribe, and menu clicks.

A parametric QR code sends `subscribe` with EventKey "qrscene_<scene>" to a new follower and `SCAN`
with EventKey "<scene>" to an existing one. Scenes: "invite:<邀请码>" binds the helper in one step;
"village:<id>" makes the follower's questions count for that village. Menu CLICKs carry the button's
key, which is the keyword it stands for (Message.text), so they reach the keyword handlers; keys with
a fixed answer in the menu file are answered here, and a key nobody handles gets a polite note
instead of being taken for a legal question.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from handlers.basic import welcome
from handlers.core import Context, Message, Router
from models.core import Role, Village, WeChatApp
from models.identities import remember
from models.invites import InviteError, redeem_invite

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time
    from handlers.menu import Menu

log = logging.getLogger("mingbai.handlers.events")

router = Router("wechat_events")
unclaimed_clicks = Router("unclaimed_clicks")  # placed just before the legal questions

INVITE, VILLAGE = "invite:", "village:"


class Platform(Protocol):
    """What handlers ask of the WeChat platform (`wechat_platform`, bot.wechat.platform), in the background."""

    def learn_unionid(self, openid: str) -> None:
        """Look up a follower's UnionID."""

    def on_bound(self, openid: str) -> None:
        """A person bound their openid: their UnionID and their role's menu."""


def scene_of(msg: Message) -> str:
    """The QR scene of a subscribe/SCAN event ('' for a plain subscribe)."""
    key = msg.event_key.strip()
    if msg.event == "subscribe":
        return key.removeprefix("qrscene_") if key.startswith("qrscene_") else ""
    return key if msg.event == "scan" else ""


def _has_scene(msg: Message, data: dict[str, Any]) -> bool:
    return bool(scene_of(msg))


def _learn(platform: Platform | None, openid: str) -> None:
    """Ask user/info for the UnionID in the background (never on the reply's path)."""
    if platform is not None:
        platform.learn_unionid(openid)


async def _bind_by_scan(msg: Message, ctx: Context, code: str, platform: Platform | None) -> str:
    try:
        user = await redeem_invite(code, msg.openid)
    except InviteError as exc:
        log.info("invite QR refused: %s", exc.code)
        if exc.code == "invalid_invite":
            return "这个二维码里的邀请码无效。请联系镇司法所核对，或发送“绑定 邀请码”。"
        return exc.message
    if platform is not None:
        platform.on_bound(msg.openid)  # UnionID and menu tag, in the background
    role = Role(user.role)
    hint = "回复“登记活动”记录普法工作，" if role == Role.HELPER else ""
    return f"绑定成功！{user.display_name}，您的身份是{role.label}。{hint}回复“帮助”查看全部功能。"


async def _village_scene(msg: Message, ctx: Context, raw_id: str) -> str:
    village = await Village.get_or_none(id=int(raw_id)) if raw_id.isdigit() else None
    if village is None:
        return "这个二维码已失效。您可以直接打字或发语音提问。"
    await remember(WeChatApp.OFFICIAL_ACCOUNT, msg.openid, village_id=village.id)
    return f"您好，{village.name}的乡亲！有法律问题直接打字或发语音问我，回复“帮助”查看可以做什么。"


@router.event("subscribe", "scan", _has_scene)
async def scanned(msg: Message, ctx: Context, settings: Settings, wechat_platform: Platform | None = None) -> str:
    """A QR code with a scene: bind with an invite, or note the village; new followers are welcomed too."""
    scene = scene_of(msg)
    if scene.startswith(INVITE):
        answer = await _bind_by_scan(msg, ctx, scene.removeprefix(INVITE), wechat_platform)
    elif scene.startswith(VILLAGE):
        _learn(wechat_platform, msg.openid)
        answer = await _village_scene(msg, ctx, scene.removeprefix(VILLAGE))
    else:
        answer = "您好！直接打字或发语音提问，回复“帮助”查看可以做什么。"
    if msg.event == "subscribe":
        return "欢迎关注！" + answer
    return answer


@router.event("subscribe")
async def subscribed(ctx: Context, settings: Settings, menu: Menu, wechat_platform: Platform | None = None) -> str:
    """A plain follow: the welcome, and the UnionID learnt in the background."""
    _learn(wechat_platform, ctx.openid)
    return str(await welcome(ctx, settings, menu))


def _fixed(msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
    menu = data.get("wechat_menu")
    answer = menu.reply_for(msg.event_key) if menu is not None else None
    return {"answer": answer} if answer else None


@router.event("click", _fixed)
async def fixed_answer(answer: str) -> str:
    """Menu buttons whose answer is fixed text in the menu file; others go on to the keyword handlers."""
    return answer


@unclaimed_clicks.event("click")
async def unclaimed(msg: Message) -> str:
    """A button whose key no handler took (a feature not switched on here)."""
    return "这个菜单功能暂未开通。回复“帮助”查看现在可以做什么。"
