"""The console's own pages: home (with the overdue list), then the mediation and management pages."""

from __future__ import annotations

from aiohttp import web

from bot.admin import cases, people, points, roster, screening
from bot.admin.web import current_user, render, require_role, town_scope
from models.core import Role
from queries.case_lists import BoardFilter, board
from services.cases import today
from services.deadlines import deadlines


@require_role()
async def home(request: web.Request) -> web.StreamResponse:
    """The console's start page: overdue cases first (a mediator's own, an admin's whole town)."""
    user = current_user(request)
    assert user is not None
    day = today()
    mine = user.id if Role(user.role) is Role.MEDIATOR else None
    overdue = await board(town_scope(user), BoardFilter(overdue=True, mine_user_id=mine), day, limit=50)
    rows = [{"case": c, "deadlines": [d for d in deadlines(c, day) if d.overdue(day)]} for c in overdue]
    return await render(request, "home.html", {"overdue": rows})


async def redirect_home(request: web.Request) -> web.StreamResponse:
    """/ and /admin -> /admin/: the server's own address opens the console (its login page when logged out)."""
    raise web.HTTPFound("/admin/")


def setup(app: web.Application) -> None:
    """Register the console pages."""
    app.router.add_get("/", redirect_home, name="site_root")
    app.router.add_get("/admin", redirect_home, name="admin_root")
    app.router.add_get("/admin/", home, name="admin_home")
    cases.setup(app)
    people.setup(app)
    screening.setup(app)
    points.setup(app)
    roster.setup(app)
