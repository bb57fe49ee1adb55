"""Console page of the yearly 积分 of 法律明白人: per helper and per village, with the xlsx download."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from bot import keys
from bot.admin.web import ADMIN_ROLES, current_user, render, require_role, town_scope
from models.core import Town
from models.helper_work import PointRules, PointsTable, points_table
from models.parsing import today
from models.points_sheet import write_points

PAGE = "/admin/points"


async def _table(request: web.Request) -> tuple[Town | None, PointsTable | None, int, list[Town]]:
    actor = current_user(request)
    assert actor is not None
    scope = town_scope(actor)
    towns = await (Town.all() if scope is None else Town.filter(id=scope)).order_by("id")
    raw = request.query.get("year", "")
    year = int(raw) if raw.isdecimal() and len(raw) == 4 else today().year
    year = min(max(year, 2000), today().year)
    raw_town = request.query.get("town", "")
    town = next((t for t in towns if str(t.id) == raw_town), towns[0] if towns else None)
    if town is None:
        return None, None, year, towns
    p = request.config_dict[keys.SETTINGS].points
    rules = PointRules(p.activity, p.screening, p.dispute_found, p.referral, p.training)
    return town, await points_table(town.id, year, rules), year, towns


@require_role(*ADMIN_ROLES)
async def points_page(request: web.Request) -> web.StreamResponse:
    """The table of a year and town."""
    town, table, year, towns = await _table(request)
    return await render(request, "points.html", {
        "town": town, "table": table, "year": year, "towns": towns,
        "years": list(range(today().year, today().year - 6, -1)),
    })


@require_role(*ADMIN_ROLES)
async def points_xlsx(request: web.Request) -> web.StreamResponse:
    """The same table as an xlsx download."""
    town, table, year, _ = await _table(request)
    if town is None or table is None:
        raise web.HTTPNotFound()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.xlsx"
        write_points(table, path, town.name)
        data = path.read_bytes()
    name = f"points-{year}.xlsx"
    return web.Response(body=data, headers={"Content-Disposition": f'attachment; filename="{name}"'},
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def setup(app: web.Application) -> None:
    """Register the 积分 pages."""
    app.router.add_get(PAGE, points_page, name="admin_points")
    app.router.add_get(PAGE + ".xlsx", points_xlsx, name="admin_points_xlsx")
