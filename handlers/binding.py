"""绑定 <邀请码>: a helper, mediator or admin binds their WeChat; 解绑 <姓名或电话>: an admin detaches one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.core import Command, Context, Dispatcher, Exact, Message, RoleIs, Router
from models.core import Role, User, WeChatApp
from models.identities import IdentityError, is_link_code, issue_link_code, redeem_link_code
from models.invites import InviteError, redeem_invite, unbind

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time
    from handlers.wechat_events import Platform

router = Router("binding")

router.menu_line("法律明白人、调解员首次使用请发送“绑定 邀请码”", order=80, roles={Role.VILLAGER})
router.menu_line("绑定小程序：获取关联码，在小程序里用同一身份", order=82,
                 roles={Role.HELPER, Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN})
router.menu_line("解绑 姓名或电话：解除某人的微信绑定", order=85, roles={Role.ADMIN, Role.COUNTY_ADMIN})

MAX_FAILURES = 5  # wrong codes per openid per hour
FAILURE_WINDOW = 3600


async def _failures(dispatcher: Dispatcher, openid: str) -> int:
    record = await dispatcher.storage.get(f"bindfail:{openid}")
    return int(record["n"]) if record else 0


@router.text(Exact("绑定小程序", "关联小程序"))
async def link_miniprogram(ctx: Context) -> str:
    """A bound person gets a 6-digit code to enter in the mini-program (for accounts without UnionID)."""
    if ctx.user_id is None:
        return "请先用邀请码绑定身份（发送“绑定 邀请码”），再关联小程序。"
    user = await User.get_or_none(id=ctx.user_id)
    if user is None:
        return "没有找到您的身份，请联系镇司法所。"
    code = await issue_link_code(user, WeChatApp.MINI_PROGRAM)
    return f"您的小程序关联码：{code}\n请在10分钟内打开小程序，在“关联公众号身份”处输入。不要把关联码告诉别人。"


@router.text(Command("绑定", "绑定邀请码"))
async def bind(msg: Message, args: str, ctx: Context, dispatcher: Dispatcher,
               wechat_platform: Platform | None = None) -> str:
    """Spend an invite code, or a 6-digit link code from the mini-program; wrong guesses are limited per openid."""
    code = args.replace(" ", "")
    if not code:
        return "请发送“绑定 邀请码”，比如“绑定 AB3K7QXZ”。邀请码由镇司法所提供。"
    failures = await _failures(dispatcher, msg.openid)
    if failures >= MAX_FAILURES:
        return "邀请码输错次数太多，请一小时后再试，或联系镇司法所核对邀请码。"
    try:
        if is_link_code(code):
            user = await redeem_link_code(code, WeChatApp.OFFICIAL_ACCOUNT, msg.openid)
        else:
            user = await redeem_invite(code, msg.openid)
    except (InviteError, IdentityError) as exc:
        if exc.code in {"invalid_invite", "invalid_link_code"}:
            # Counted in the state storage (Redis in production): guessing codes is slow.
            await dispatcher.storage.set(f"bindfail:{msg.openid}", {"n": failures + 1}, FAILURE_WINDOW)
        return exc.message
    await dispatcher.storage.delete(f"bindfail:{msg.openid}")
    if wechat_platform is not None:
        wechat_platform.on_bound(msg.openid)  # UnionID and menu tag, in the background
    role = Role(user.role)
    hint = "回复“帮助”查看您可以做什么。"
    if role == Role.HELPER:
        hint = "回复“登记活动”记录普法工作，回复“帮助”查看全部功能。"
    return f"绑定成功！{user.display_name}，您的身份是{role.label}。{hint}"


@router.text(Command("解绑"), RoleIs(Role.ADMIN, Role.COUNTY_ADMIN))
async def unbind_person(args: str, ctx: Context, settings: Settings) -> str:
    """Detach someone's WeChat (admins only); they need a new invite code to bind again."""
    who = args.strip()
    if not who:
        return "请发送“解绑 姓名”或“解绑 电话”。"
    query = User.filter(phone=who) if who.isdigit() else User.filter(display_name=who)
    if ctx.role != Role.COUNTY_ADMIN:
        query = query.filter(town_id=ctx.town_id)
    people = await query.exclude(role=Role.VILLAGER.value)
    if not people:
        return f"没有找到“{who[:20]}”。请核对姓名或电话。"
    if len(people) > 1:
        return f"有{len(people)}位叫“{who[:20]}”的人员，请改用电话号码解绑。"
    if people[0].id == ctx.user_id:
        return "不能解绑自己的微信。"
    if not await unbind(people[0]):
        return f"{people[0].display_name}还没有绑定微信。"
    return f"已解除{people[0].display_name}的微信绑定。需要重新绑定时，请用“mingbai user add”生成新的邀请码。"


@router.text(Command("解绑"))
async def unbind_refused(ctx: Context) -> str:
    """Only admins unbind."""
    return "解绑需要由镇司法所管理员操作，请联系管理员。"
