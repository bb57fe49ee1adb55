"""The web console at /admin: server-rendered pages for mediators and admins.

How to add a console page from another module (e.g. the statistics page, `bot/admin/stats.py`)::

    from aiohttp import web
    from bot.admin import ADMIN_ROLES, render, require_role, town_scope, current_user
    from models.core import Role

    @require_role(Role.ADMIN, Role.COUNTY_ADMIN)      # no session -> login page; other roles -> 403 page
    async def stats_page(request: web.Request) -> web.StreamResponse:
        user = current_user(request)                   # models.core.User, never None inside require_role
        town_id = town_scope(user)                     # None = every town (county admin), else the user's town
        return await render(request, "stats/index.html", {"rows": ...})

    def setup(app: web.Application) -> None:
        app.router.add_get("/admin/stats", stats_page, name="admin_stats")

call `stats.setup(app)` in `bot.app.create_app` right after `admin.setup(app)`, and give it its link in
the console's navigation there (`CONSOLE_NAV`: `NavItem("统计", "/admin/stats", ADMIN_ROLES)`).

Templates live under `bot/admin/templates/` (put yours in a subfolder, e.g. `stats/index.html`) and
extend the layout::

    {% extends "base.html" %}
    {% block title %}统计{% endblock %}
    {% block content %} ... {% endblock %}

`base.html` provides the blocks `title`, `nav` (the top navigation; default: `CONSOLE_NAV`'s links for the role),
`content` and `scripts` (no inline script: the CSP allows only 'self'). The layout's variables,
available in every template: `user`, `role`, `nav`, `town`, `studio_name`, `csrf_token`, `flashes`, `path`.
Filters: `dt` (datetime as Asia/Shanghai 'YYYY-MM-DD HH:MM'), `d` (date). Shared CSS classes in
`static/admin.css`: `card`, `table` (wrap in `<div class="table-wrap">`), `btn`, `btn-primary`, `muted`,
`badge`, `filters`, `grid`.

Every non-GET request under /admin must carry the session's CSRF token: put
`<input type="hidden" name="csrf_token" value="{{ csrf_token }}">` in each form (or send the
`X-CSRF-Token` header); the middleware refuses anything else with a 403 page. Errors under /admin
(403/404/500) render the friendly `error.html`; raise `web.HTTPForbidden()` / `web.HTTPNotFound()`.

Session helpers (`bot.admin.session`): `create_session`, `load_session`, `end_session`,
`end_user_sessions`; sessions are server-side in Redis (cookie `mingbai_admin`, HttpOnly,
SameSite=Lax, path /admin). Passwords: `bot.admin.passwords.hash_password / verify_password`
(hashlib.scrypt). `flash(request, text)` shows a one-time message on the next page.
"""

from __future__ import annotations

from aiohttp import web

from bot.admin.web import (
    ADMIN_ROLES,
    STAFF_ROLES,
    NavItem,
    current_session,
    current_user,
    error_page,
    flash,
    render,
    require_role,
    town_scope,
)

__all__ = [
    "ADMIN_ROLES",
    "STAFF_ROLES",
    "NavItem",
    "current_session",
    "current_user",
    "error_page",
    "flash",
    "render",
    "require_role",
    "setup",
    "town_scope",
]


def setup(app: web.Application) -> None:
    """Mount the console: templates, the /admin middleware, static files and every console page."""
    from bot.admin import auth, pages
    from bot.admin import web as admin_web

    admin_web.setup_templates(app)
    app.middlewares.append(admin_web.admin_middleware)
    app.router.add_static("/admin/static", admin_web.STATIC_DIR, name="admin_static")
    auth.setup(app)
    pages.setup(app)
