"""Console pages for 矛盾纠纷排查: the town's screenings by year and village, overdue villages, new entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from bot import keys
from bot.admin.web import (
    ADMIN_ROLES,
    STAFF_ROLES,
    current_user,
    flash,
    form_data,
    render,
    require_role,
    town_scope,
)
from models.core import Town, Village
from models.parsing import today
from models.screening import (
    MAX_FOUND,
    Screening,
    ScreeningError,
    ScreeningSource,
    create_screening,
    overdue_villages,
    screening_figures,
    withdraw_screening,
)

PAGE = "/admin/screenings"
PAGE_SIZE = 50


def _int(value: Any, default: int | None = None) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and len(text) <= 9 else default


async def _town_ids(scope: int | None) -> list[int] | None:
    return None if scope is None else [scope]


@require_role(*STAFF_ROLES)
async def screenings_page(request: web.Request) -> web.StreamResponse:
    """Screenings of a year (and village), their figures, the villages overdue in their cycle."""
    actor = current_user(request)
    assert actor is not None
    scope = town_scope(actor)
    day = today()
    year = _int(request.query.get("year"), day.year) or day.year
    year = min(max(year, 2000), day.year)
    village_id = _int(request.query.get("village"))
    page = max(_int(request.query.get("page"), 1) or 1, 1)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    query = Screening.filter(date__gte=start, date__lte=end)
    if scope is not None:
        query = query.filter(town_id=scope)
    if village_id:
        query = query.filter(village_id=village_id)
    total = await query.count()
    rows = await query.order_by("-date", "-id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE) \
        .prefetch_related("village", "town")
    figures = await screening_figures(await _town_ids(scope), start, end, village_id=village_id)
    cycle = request.config_dict[keys.SETTINGS].outreach.screening_cycle_days
    towns = await (Town.all() if scope is None else Town.filter(id=scope)).order_by("id")
    overdue = {t.name: [o.describe(day) for o in await overdue_villages(t.id, day, cycle)] for t in towns}
    villages = await (Village.all() if scope is None else Village.filter(town_id=scope)).order_by("town_id", "name")
    return await render(request, "screening/list.html", {
        "rows": rows, "total": total, "page": page, "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        "year": year, "years": list(range(day.year, day.year - 6, -1)), "village_id": village_id,
        "villages": villages, "figures": figures, "overdue": overdue, "cycle": cycle, "today": day,
        "can_write": actor.role in ADMIN_ROLES, "max_found": MAX_FOUND, "towns": towns,
    })


@require_role(*ADMIN_ROLES)
async def create(request: web.Request) -> web.StreamResponse:
    """Log a screening from the console (town staff), through the same service as chat and the API."""
    actor = current_user(request)
    assert actor is not None
    form = await form_data(request)  # control characters dropped
    scope = town_scope(actor)
    level = "town" if form.get("level") == "town" else "village"
    village = await Village.get_or_none(id=_int(form.get("village")) or 0) if level == "village" else None
    town_id = scope if scope is not None else (village.town_id if village else _int(form.get("town")))  # type: ignore[attr-defined]
    try:
        date = dt.date.fromisoformat(str(form.get("date", "")).strip())
    except ValueError:
        await flash(request, "未保存：请填写排查日期。")
        raise web.HTTPFound(PAGE) from None
    counts = {k: _int(form.get(k), 0 if k != "found" else None) for k in ("found", "resolved", "registered")}
    if any(v is None for v in counts.values()):
        await flash(request, "未保存：件数请填不小于0的整数。")
        raise web.HTTPFound(PAGE)
    values = {"date": date, "level": level, "village_id": village.id if village else None, **counts,
              **{k: str(form.get(k, "")) for k in ("organiser", "scope", "measures", "note")}}
    if not town_id or (village is not None and scope is not None and village.town_id != scope):  # type: ignore[attr-defined]
        await flash(request, "未保存：请选择本镇的村。")
        raise web.HTTPFound(PAGE)
    try:
        saved = await create_screening(town_id, actor, values, source=ScreeningSource.CONSOLE, today=today())
    except ScreeningError as exc:
        await flash(request, f"未保存：{exc.message}")
        raise web.HTTPFound(PAGE) from None
    await flash(request, f"已保存排查记录，编号{saved.id}。")
    raise web.HTTPFound(f"{PAGE}?year={date.year}")


@require_role(*ADMIN_ROLES)
async def withdraw(request: web.Request) -> web.StreamResponse:
    """Withdraw a screening of the admin's town."""
    actor = current_user(request)
    assert actor is not None
    scope = town_scope(actor)
    found = await Screening.get_or_none(id=_int(request.match_info["screening_id"]) or 0)
    if found is None or (scope is not None and found.town_id != scope):
        raise web.HTTPNotFound()
    try:
        await withdraw_screening(found)
        await flash(request, f"已撤回编号{found.id}的排查记录。")
    except ScreeningError as exc:
        await flash(request, exc.message)
    raise web.HTTPFound(f"{PAGE}?year={found.date.year}")


def setup(app: web.Application) -> None:
    """Register the 排查 pages."""
    app.router.add_get(PAGE, screenings_page, name="admin_screenings")
    app.router.add_post(PAGE, create, name="admin_screening_create")
    app.router.add_post(PAGE + "/{screening_id:\\d+}/withdraw", withdraw, name="admin_screening_withdraw")
