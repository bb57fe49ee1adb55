"""A 法律明白人's own record in chat: trainings attended, disputes reported, legal-aid referrals, 我的积分."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from handlers.core import Context, Regex, RoleIs, Router
from models.core import Role, User
from models.helper_work import HelperWorkError, PointRules, ReferralKind, points_table, record_referral, record_training
from models.parsing import ParseError, parse_date, today

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time

router = Router("helper_work")

HELPERS = (Role.HELPER,)
TRAINING_EXAMPLE = "参加培训 11月20日 民法典婚姻家庭编 3小时"
router.menu_line(f"登记参加的培训：{TRAINING_EXAMPLE}", order=35, roles={Role.HELPER})
router.menu_line("报告纠纷 / 推荐法律援助：比如“报告纠纷 今天 两户因排水吵架”，记入您的积分", order=36,
                 roles={Role.HELPER})
router.menu_line("我的积分：查看今年的积分", order=37, roles={Role.HELPER})

_HOURS = re.compile(r"^(\d+(?:\.\d)?)\s*(?:个)?(?:小时|学时|课时|h)$")
_HOUR_WORDS = {"半天": Decimal(4), "一天": Decimal(8), "全天": Decimal(8), "两天": Decimal(16)}


def parse_hours(text: str) -> Decimal:
    """'3小时', '1.5学时', '半天' -> hours; ParseError otherwise."""
    t = text.strip()
    if t in _HOUR_WORDS:
        return _HOUR_WORDS[t]
    m = _HOURS.match(t)
    try:
        if m:
            return Decimal(m.group(1))
    except InvalidOperation:
        pass
    raise ParseError(f"没看懂学时“{t[:10]}”，请写“3小时”或“半天”。")


@router.text(Regex(r"^参加(?:了)?培训\s+(\S+)\s+(.+?)\s+(\S+)$"), RoleIs(*HELPERS))
async def training(match: re.Match[str], ctx: Context) -> str:
    """参加培训 日期 主题 学时: a training the helper attended."""
    user = await User.get_or_none(id=ctx.user_id) if ctx.user_id else None
    if user is None:
        return "请先绑定。"
    try:
        day = parse_date(match.group(1))
        saved = await record_training(user, day, match.group(2), parse_hours(match.group(3)), today=today())
    except (ParseError, HelperWorkError) as exc:
        return f"{exc}\n格式：{TRAINING_EXAMPLE}"
    return f"已登记参加培训（编号{saved.id}）：{day:%-m月%-d日} {saved.theme} {saved.hours}小时。"


@router.text(Regex(r"^(报告纠纷|推荐法律援助|转介法律援助)\s+(\S+)\s+(.{2,200})$"), RoleIs(*HELPERS))
async def referral(match: re.Match[str], ctx: Context) -> str:
    """报告纠纷 / 推荐法律援助 日期 事由: credited to the helper; names and numbers in the text are masked."""
    if ctx.user_id is None:
        return "请先绑定。"
    kind = ReferralKind.DISPUTE if match.group(1) == "报告纠纷" else ReferralKind.LEGAL_AID
    try:
        saved = await record_referral(ctx.user_id, kind, parse_date(match.group(2)), match.group(3), today=today())
    except (ParseError, HelperWorkError) as exc:
        return str(exc)
    tail = "当事人可以发送“申请调解”，或到镇调解工作室当面申请。" if kind is ReferralKind.DISPUTE else \
        "可以请当事人拨打12348公共法律服务热线，或到县法律援助中心申请。"
    return f"已记下（编号{saved.id}，{kind.label}）。{tail}"


@router.text(Regex(r"^我的积分\s*(\d{4})?\s*年?$"), RoleIs(*HELPERS))
async def my_points(match: re.Match[str], ctx: Context, settings: Settings) -> str:
    """The helper's 积分 of a year, with what earned it."""
    year = int(match.group(1) or today().year)
    if not 2000 <= year <= today().year or ctx.town_id is None:
        return "请写今年或往年的年份，比如“我的积分 2026”。"
    p = settings.points
    table = await points_table(ctx.town_id, year, PointRules(p.activity, p.screening, p.dispute_found,
                                                             p.referral, p.training))
    me = next((h for h in table.helpers if h.user_id == ctx.user_id), None)
    if me is None:
        return f"{year}年的积分表里没有您。"
    rank = table.helpers.index(me) + 1
    return (f"您{year}年的积分：{me.points}分（全镇第{rank}名，共{len(table.helpers)}人）。\n"
            f"普法活动{me.activities}次、排查{me.screenings}次、发现或报告纠纷{me.disputes_found}件、"
            f"推荐法律援助{me.referrals}人次、参加培训{me.trainings}次。")
