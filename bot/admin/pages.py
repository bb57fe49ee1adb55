"""The console's own pages: home, then the mediation and management pages."""

from __future__ import annotations

from aiohttp import web

from bot.admin import cases, people
from bot.admin.web import render, require_role


@require_role()
async def home(request: web.Request) -> web.StreamResponse:
    """The console's start page."""
    return await render(request, "home.html")


async def redirect_home(request: web.Request) -> web.StreamResponse:
    """/admin -> /admin/."""
    raise web.HTTPFound("/admin/")


def setup(app: web.Application) -> None:
    """Register the console pages."""
    app.router.add_get("/admin", redirect_home, name="admin_root")
    app.router.add_get("/admin/", home, name="admin_home")
    cases.setup(app)
    people.setup(app)
