"""Help menu, welcome, '更多', unknown message types, and the fallback for other text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.core import Context, Exact, FSMContext, Message, Router
from handlers.core.paging import Pager
from handlers.menu import Menu

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time

router = Router("basic")
fallback_router = Router("fallback")

router.menu_line("直接打字或发语音提问，比如“彩礼能要回来吗”“欠钱不还怎么办”", order=10)
router.menu_line("回复“取消”可以随时退出正在填写的表单", order=90)

HELP_WORDS = ("帮助", "菜单", "help", "?", "？", "功能", "你好", "您好", "在吗")


@router.event("subscribe")
async def welcome(ctx: Context, settings: Settings, menu: Menu) -> str:
    """A new follower gets a welcome and the menu."""
    return "欢迎关注！\n" + menu.text(settings.town.name, ctx.role)


@router.event("unsubscribe")
async def goodbye(msg: Message) -> None:
    """Nobody sees a reply to unsubscribe."""
    return None


@router.text(Exact(*HELP_WORDS))
async def help_menu(ctx: Context, settings: Settings, menu: Menu) -> str:
    """帮助 / 菜单 lists what the bot can do for this user."""
    return menu.text(settings.town.name, ctx.role)


@router.text(Exact("取消", "退出"))
async def cancel(state: FSMContext) -> str:
    """Leave any form."""
    if await state.get_state() is None:
        return "当前没有正在填写的内容。回复“帮助”查看可以做什么。"
    await state.clear()
    return "已取消，填写的内容没有保存。"


@router.text(Exact("更多", "继续"))
async def more(state: FSMContext, pager: Pager) -> str:
    """The next page of the last long reply."""
    page = await pager.next_page(state)
    return page or "没有更多内容了。回复“帮助”查看可以做什么。"


@fallback_router.message("image", "video", "shortvideo")
async def media(msg: Message) -> str:
    """Pictures and videos outside a form."""
    return "收到您的图片/视频。目前我只能看懂文字和语音，请用文字或语音说说您的问题。"


@fallback_router.message("location")
async def location(msg: Message) -> str:
    """A location pin."""
    return "收到您的位置。需要调解可以回复“申请调解”，也可以直接打字说明您的问题。"


@fallback_router.message("link", "file")
async def link(msg: Message) -> str:
    """A link or file."""
    return "收到链接。我暂时打不开链接和文件，请用文字或语音说说您的问题。"


@fallback_router.message("voice")
async def voice_without_text(msg: Message) -> str:
    """A voice message WeChat could not recognise."""
    return "没听清您的语音，请再说一遍，或者直接打字。"


@fallback_router.event()
async def other_event(msg: Message) -> None:
    """Other events (menu view, location report ...) need no reply."""
    return None


@fallback_router.text()
async def echo(msg: Message, settings: Settings) -> str:
    """Text nothing else understood."""
    return (
        f"收到：“{msg.text[:60]}”。\n暂时没有找到合适的回答。您可以换个说法，"
        f"或拨打12348公共法律服务热线，也可以找本村的法律明白人或{settings.town.studio_name}。回复“帮助”查看菜单。"
    )


@fallback_router.any()
async def anything_else(msg: Message) -> str:
    """Any other message type."""
    return "这类消息我暂时看不懂，请用文字或语音说说您的问题。回复“帮助”查看菜单。"
