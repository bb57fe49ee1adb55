"""The statistics page /admin/stats: figures for a period and village, charts, and the report downloads."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from bot import keys
from bot.admin import current_user, render, require_role, town_scope
from models.core import Role, Town, Village
from queries.figures import CountyFigures, Period, ReportFigures
from queries.mediation_figures import MediationTable, build, build_county
from queries.statistics import LOCAL_TZ
from reports.render import FORMATS, MEDIA_TYPES, ReportError, phrasing
from reports.render.text import listing, ranked, render_text, six_targets, warnings
from reports.reporting import ReportRequest, SharedFigures, Targets, file_name, report_bytes

VIEWERS = (Role.ADMIN, Role.COUNTY_ADMIN)
PARTS = {"": "全年", **{f"q{q}": f"第{'一二三四'[q - 1]}季度" for q in range(1, 5)},
         **{f"m{m}": f"{m}月" for m in range(1, 13)}}
COUNTY = "全县"
SHARED: web.AppKey[SharedFigures] = web.AppKey("stats_shared_figures", SharedFigures)


@dataclass(frozen=True)
class Query:
    """The page's choices: year, part of the year, town (county admins) and village."""

    year: int
    part: str
    town: str
    village: str

    def params(self, **extra: str) -> str:
        """The query string for links (charts, downloads)."""
        values = {"year": str(self.year), "part": self.part, "town": self.town, "village": self.village, **extra}
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def period(self) -> Period:
        """The chosen period."""
        if self.part.startswith("q"):
            return Period.quarter(self.year, int(self.part[1:]))
        if self.part.startswith("m"):
            return Period.month(self.year, int(self.part[1:]))
        return Period.year(self.year)


async def _query(request: web.Request) -> tuple[Query, ReportRequest]:
    """Parse and check the choices; a town admin is held to their own town."""
    user = current_user(request)
    assert user is not None
    now = dt.datetime.now(LOCAL_TZ).year
    q = request.query
    try:
        year = int(q.get("year", now))
    except ValueError:
        raise web.HTTPBadRequest() from None
    part = q.get("part", "")
    if not 2000 <= year <= now + 1 or part not in PARTS:
        raise web.HTTPBadRequest()
    scope = town_scope(user)
    if scope is None:  # county admin: any town, or the county
        town_name = q.get("town", COUNTY) or COUNTY
        if town_name != COUNTY and not await Town.exists(name=town_name):
            raise web.HTTPNotFound()
    else:
        town = await Town.get_or_none(id=scope)
        if town is None:
            raise web.HTTPForbidden()
        town_name = town.name
    village = q.get("village", "") if town_name != COUNTY else ""
    query = Query(year, part, town_name, village)
    req = ReportRequest(query.period, town=town_name if town_name != COUNTY else "", county=town_name == COUNTY,
                        village=village, county_name=COUNTY)
    return query, req


def _targets(request: web.Request) -> Targets:
    s = request.app[keys.SETTINGS]
    return Targets(s.outreach.coverage_ratio, s.outreach.helpers_per_village, s.mediation.due_days,
                   s.outreach.household_share)


async def _figures(request: web.Request, *, fresh: bool = False
                   ) -> tuple[Query, ReportRequest, ReportFigures | CountyFigures]:
    """The request's figures: the page counts afresh, its charts and downloads reuse that count."""
    query, req = await _query(request)
    try:
        figures = await request.app[SHARED].get(req, _targets(request), fresh=fresh)
    except ReportError:
        raise web.HTTPNotFound() from None
    return query, req, figures


def _tiles(f: ReportFigures) -> list[tuple[str, str, str]]:
    """(label, value, year-over-year) for the figure tiles."""
    a, h, d, p = f.activities, f.helpers, f.disputes, f.previous

    def yoy(cur: int, prev: int | None, unit: str = "次") -> str:
        return phrasing.change(cur, prev, unit) if p is not None else ""

    return [
        ("法治建设专题会议", f"{a.meetings}次", yoy(a.meetings, p.activities.meetings if p else None)),
        ("普法专题培训", f"{a.trainings}次", yoy(a.trainings, p.activities.trainings if p else None)),
        ("法治宣传教育活动", f"{a.events}次", yoy(a.events, p.activities.events if p else None)),
        ("覆盖群众", f"{phrasing.approx(a.participants)}人次", ""),
        ("发放普法资料", f"{phrasing.approx(a.materials)}份", f"精确数 {a.materials}"),
        ("现场法律咨询", f"{phrasing.approx(a.consultations)}人次", ""),
        ("法律明白人", f"{h.helpers}人", ""),
        ("骨干", f"{h.core}人", "每{}户一名骨干：{}".format(
            h.ratio, "已实现" if h.all_meet_ratio else f"{len(h.below_ratio)}个村未达到")),
        ("矛盾纠纷登记", f"{d.received}件", yoy(d.received, p.disputes.received if p else None, "件")),
        ("调解成功", f"{d.agreed}件", f"成功率 {phrasing.percent(d.success_rate)}"
         + (f"（{d.agreed}÷结案{d.concluded}件，含终止）" if d.concluded else "")),
        ("协议涉及金额", phrasing.money(d.amount), ""),
        ("上交", f"{d.escalated}件",
         "矛盾不上交" if d.escalation_free else f"已记录是否上交 {d.escalation_recorded}/{d.closed}件"),
        ("防止民转刑", f"{d.prevented_criminal}件", ""),
        ("矛盾纠纷排查", f"{f.screenings.times}次",
         f"发现纠纷 {f.screenings.found}件，排查中化解 {f.screenings.resolved}件"),
        ("平均办结天数", "—" if d.avg_days_to_close is None else f"{d.avg_days_to_close}天", f"超期 {d.overdue}件"),
        ("司法确认", f"{d.judicial_confirmed}/{d.judicial_applied}件", "确认有效/申请"),
        ("履行回访", f"{d.followups}次", f"已履行 {d.followups_performed}件"),
        ("群众提问", f"{phrasing.approx(f.questions.asked)}次", f"未能解答 {f.questions.unanswered}次"),
    ]


async def _studio(req: ReportRequest) -> MediationTable:
    """The 人民调解工作统计表 figures of the page's period, town (and village) or county."""
    first, last = req.period.start, req.period.end - dt.timedelta(days=1)
    if req.county:
        return (await build_county(first, last, req.county_name)).combined
    town = await Town.get(name=req.town)
    village = await Village.get_or_none(town_id=town.id, name=req.village) if req.village else None
    if req.village and village is None:
        raise web.HTTPNotFound()
    return await build(town.id, first, last, village.id if village else None)


def studio_figures(t: MediationTable) -> list[tuple[str, str]]:
    """(label, value) of the studio's statistics, as the mediation table counts them."""
    v = t.total.values
    s = t.screening

    def pair(key: str) -> str:
        return f"{v[key + '（件）']}件 {v[key + '（人）']}人"

    return [
        ("受理纠纷", f"{v['受理']}件"),
        ("调解成功", f"{v['调解成功']}件"),
        ("调解不成", f"{v['调解不成']}件"),
        ("终止调解", f"{v['终止调解']}件"),
        ("调解成功率", t.success_rate),
        ("调解协议", f"书面{v['书面协议']}件，口头{v['口头协议']}件"),
        ("协议涉及金额", phrasing.money(float(v["协议金额（元）"]))),
        ("司法确认", f"申请{v['申请司法确认']}件，确认有效{v['确认有效']}件"),
        ("预防纠纷", f"{v['预防纠纷（件）']}件"),
        ("防止民间纠纷转化为刑事案件", pair("防止民转刑")),
        ("防止群体性上访", pair("防止群体性上访")),
        ("防止群体性械斗", pair("防止群体性械斗")),
        ("防止因民间纠纷引起自杀", pair("防止自杀")),
        ("上交", f"{v['上交']}件"),
        ("排查次数", f"{s.times}次（村级{s.village_times}次、镇级{s.town_times}次）"),
        ("排查发现纠纷", f"{s.found}件"),
        ("排查中化解", f"{s.resolved}件"),
        ("排查后登记调解", f"{s.registered}件"),
    ]


@require_role(*VIEWERS)
async def stats_page(request: web.Request) -> web.StreamResponse:
    """The figures, charts and downloads for the chosen period, town and village."""
    _, studio_req = await _query(request)
    (query, req, figures), studio = await asyncio.gather(_figures(request, fresh=True), _studio(studio_req))
    f = figures.total if isinstance(figures, CountyFigures) else figures
    towns = [t.town for t in figures.towns] if isinstance(figures, CountyFigures) else []
    user = current_user(request)
    assert user is not None
    county_admin = town_scope(user) is None
    villages: list[str] = []
    if not req.county:
        town = await Town.get(name=req.town)
        names = await Village.filter(town_id=town.id).order_by("name").values_list("name", flat=True)
        villages = [str(n) for n in names]
    context: dict[str, Any] = {
        "q": query,
        "f": f,
        "county": figures if isinstance(figures, CountyFigures) else None,
        "towns": towns,
        "all_towns": [str(n) for n in await Town.all().order_by("id").values_list("name", flat=True)]
        if county_admin else [],
        "county_admin": county_admin,
        "villages": villages,
        "years": list(range(dt.datetime.now(LOCAL_TZ).year, 2019, -1)),
        "parts": PARTS,
        "tiles": _tiles(f),
        "studio": studio_figures(studio),
        "text": render_text(f),
        "warnings": warnings(f),
        "forms": ranked(f.activities.by_form),
        "targets": six_targets(f.activities.by_target),
        "types": ranked(f.disputes.by_type),
        "sources": ranked(f.disputes.by_source),
        "topics": listing(f.questions.by_topic, "次", 10),
        "chart_qs": query.params(),
        "downloads": [(fmt, {"text": "文字", "md": "Markdown", "docx": "Word", "xlsx": "Excel"}[fmt],
                       "/admin/stats/download?" + query.params(format=fmt)) for fmt in FORMATS],
    }
    return await render(request, "stats/index.html", context)


@require_role(*VIEWERS)
async def chart(request: web.Request) -> web.StreamResponse:
    """A chart as PNG, drawn in memory: events by month, or disputes by type."""
    from reports.render import charts

    name = request.match_info["name"]
    draw = {"months": charts.events_by_month, "types": charts.disputes_by_type}.get(name)
    if draw is None:
        raise web.HTTPNotFound()
    _, _, figures = await _figures(request)
    f = figures.total if isinstance(figures, CountyFigures) else figures
    try:
        png = draw(f)
    except ReportError as exc:
        return web.Response(text=str(exc), status=503)
    return web.Response(body=png, content_type="image/png")


@require_role(*VIEWERS)
async def download(request: web.Request) -> web.StreamResponse:
    """The report in a format, as an attachment."""
    fmt = request.query.get("format", "text")
    if fmt not in FORMATS:
        raise web.HTTPBadRequest()
    _, req, figures = await _figures(request)
    try:
        data = await report_bytes(req, _targets(request), fmt, figures)
    except ReportError:
        raise web.HTTPNotFound() from None
    name = file_name(req, fmt)
    return web.Response(body=data, headers={
        "Content-Type": MEDIA_TYPES[fmt],
        "Content-Disposition": f"attachment; filename=\"report.{name.rsplit('.', 1)[1]}\"; "
                               f"filename*=UTF-8''{quote(name)}",
    })


def setup(app: web.Application) -> None:
    """Mount /admin/stats."""
    app[SHARED] = SharedFigures()
    app.router.add_get("/admin/stats", stats_page, name="admin_stats")
    app.router.add_get("/admin/stats/chart/{name}.png", chart, name="admin_stats_chart")
    app.router.add_get("/admin/stats/download", download, name="admin_stats_download")

