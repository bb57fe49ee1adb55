"""统计 2023 / 本年统计: the short report text for admins in chat."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from handlers.core import Context, Exact, Message, Regex, RoleIs, Router
from handlers.core.filters import normalize
from models.core import Role, Town
from queries.figures import Period
from queries.statistics import LOCAL_TZ, county_figures, town_figures
from reports.render.text import render_short
from reports.reporting import Targets

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time

router = Router("stats")
ADMINS = (Role.ADMIN, Role.COUNTY_ADMIN)
YEAR = r"^\s*(?:统计\s*(?P<a>\d{4})\s*年?|(?P<b>\d{4})\s*年?\s*统计)\s*$"
RELATIVE = {"统计": 0, "本年统计": 0, "今年统计": 0, "去年统计": -1}

router.menu_line("统计 2023：查看全年普法、法律明白人和调解的统计（管理员）", order=70, roles=ADMINS)


def _targets(settings: Settings) -> Targets:
    return Targets(settings.outreach.coverage_ratio, settings.outreach.helpers_per_village,
                   settings.mediation.due_days, settings.outreach.household_share)


async def short_report(year: int, ctx: Context, settings: Settings) -> str:
    """The short text for a year: the user's town, or every town for a county admin."""
    this_year = dt.datetime.now(LOCAL_TZ).year
    if not 2000 <= year <= this_year:
        return f"请发送“统计 年份”，年份在2000到{this_year}之间，例如“统计 {this_year - 1}”。"
    t = _targets(settings)
    if ctx.role is Role.COUNTY_ADMIN:
        c = await county_figures(Period.year(year), ratio=t.ratio, floor=t.floor, due_days=t.due_days)
        lines = [render_short(c.total).rstrip()]
        lines += [f"· {f.town}：活动{f.activities.events}次，纠纷{f.disputes.received}件" for f in c.towns]
        return "\n".join(lines) + "\n完整报告请在管理后台“统计”页下载。"
    town = await Town.get_or_none(id=ctx.town_id) if ctx.town_id else None
    if town is None:
        return "您的账号没有所属乡镇，无法统计。请联系管理员。"
    f = await town_figures(Period.year(year), town, ratio=t.ratio, floor=t.floor, due_days=t.due_days)
    return render_short(f).rstrip() + "\n完整报告请在管理后台“统计”页下载。"


@router.text(Regex(YEAR), RoleIs(*ADMINS))
async def stats_year(msg: Message, ctx: Context, settings: Settings, match: re.Match[str]) -> str:
    """统计 2023 / 2023年统计."""
    return await short_report(int(match.group("a") or match.group("b")), ctx, settings)


@router.text(Exact(*RELATIVE), RoleIs(*ADMINS))
async def stats_relative(msg: Message, ctx: Context, settings: Settings) -> str:
    """本年统计 / 去年统计 / 统计."""
    year = dt.datetime.now(LOCAL_TZ).year + RELATIVE.get(normalize(msg.text).rstrip("。.!！?？"), 0)
    return await short_report(year, ctx, settings)


@router.text(Regex(YEAR))
@router.text(Exact(*RELATIVE))
async def stats_refused(msg: Message) -> str:
    """Other roles."""
    return "统计只对管理员开放。如需了解本镇普法和调解情况，请联系司法所。"
