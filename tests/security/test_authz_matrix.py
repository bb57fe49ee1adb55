"""Authorization matrix: every route and every chat command × every role, with the expected allow/deny.

Roles: anonymous (no console session, no API token, an unbound WeChat openid), villager, helper,
mediator (not assigned to the case used), admin and county admin of town A (江湾镇), and the admin
of town B (河口镇), who must not see or change anything of town A. The API table has one more column,
"unbound": a mini-program session whose openid belongs to nobody.

Cell values:
- console: "200"/"400"/"403"/"404" (status), "302" (a redirect that is not the login page),
  "login" (302 to /admin/login?next=...), "csrf" (403 with the form-expired page: no session, so no token);
- API: the status code;
- chat: a fragment the reply must contain.
Every refused cell also checks that nothing in the database changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import keys
from bot.app import create_app
from bot.config import parse_settings
from knowledge.wording.dates import today
from models.core import User
from models.outreach import Activity, ActivityKind
from services import cases
from services.activities import create_activity
from tests.security.conftest import ROLES, World, fingerprint


def row(anonymous: str, villager: str, helper: str, mediator: str, admin: str, county_admin: str,
        other_admin: str) -> dict[str, str]:
    """One line of a table, by role."""
    return dict(zip(ROLES, (anonymous, villager, helper, mediator, admin, county_admin, other_admin), strict=True))


def same(value: str) -> dict[str, str]:
    """A public route: the same for everybody."""
    return dict.fromkeys(ROLES, value)


STAFF_PAGE = row("login", "403", "403", "200", "200", "200", "200")
ADMIN_PAGE = row("login", "403", "403", "403", "200", "200", "200")
TOWN_A_CASE = row("login", "403", "403", "200", "200", "200", "404")
TOWN_A_CASE_ACT = row("csrf", "403", "403", "403", "302", "302", "404")
TOWN_A_CASE_DOC = row("login", "403", "403", "403", "200", "200", "404")
TOWN_A_USER = row("login", "403", "403", "403", "200", "200", "404")
TOWN_A_USER_SAVE = row("csrf", "403", "403", "403", "302", "302", "404")
ADMIN_SAVE = row("csrf", "403", "403", "403", "302", "302", "302")
KB_SAVE = row("csrf", "403", "403", "403", "400", "400", "400")  # the empty form is refused with a message

# Every route of the app (HEAD mirrors GET). A new route without a line here fails test_every_route_has_a_line.
CONSOLE: dict[str, dict[str, str]] = {
    "GET /admin/login": row("200", "200", "200", "302", "302", "302", "302"),
    "POST /admin/login": row("401", "403", "403", "302", "302", "302", "302"),  # each logs in as themself
    "GET /": same("302"),
    "GET /admin": same("302"),
    "GET /admin/": STAFF_PAGE,
    "GET /admin/static": same("200"),
    "GET /admin/cases": STAFF_PAGE,
    "GET /admin/cases/mine": STAFF_PAGE,
    "GET /admin/cases/new": STAFF_PAGE,
    "POST /admin/cases/new": row("csrf", "403", "403", "302", "302", "302", "400"),  # town B: A's village refused
    "GET /admin/cases/{case_id}": TOWN_A_CASE,
    "POST /admin/cases/{case_id}/act/{action}": TOWN_A_CASE_ACT,  # archive; mediator is not assigned
    "POST /admin/cases/{case_id}/flags": TOWN_A_CASE_ACT,
    "GET /admin/cases/{case_id}/agreement.docx": TOWN_A_CASE_DOC,
    "GET /admin/cases/table": ADMIN_PAGE,
    "GET /admin/cases/table.xlsx": ADMIN_PAGE,
    "GET /admin/cases/{case_id}/dossier.zip": TOWN_A_CASE_DOC,
    "GET /admin/cases/{case_id}/papers/{kind}.docx": TOWN_A_CASE_DOC,
    "POST /admin/cases/{case_id}/parties": TOWN_A_CASE_ACT,
    "POST /admin/cases/{case_id}/parties/{party_id}": TOWN_A_CASE_ACT,
    "GET /admin/users": ADMIN_PAGE,
    "POST /admin/users": ADMIN_SAVE,  # town B's admin: the new person lands in town B whatever the form says
    "GET /admin/users/{user_id}": TOWN_A_USER,
    "POST /admin/users/{user_id}": TOWN_A_USER_SAVE,
    "GET /admin/villages": ADMIN_PAGE,
    "POST /admin/villages": ADMIN_SAVE,  # town B's admin: the village lands in town B
    "POST /admin/villages/{village_id}": TOWN_A_USER_SAVE,
    "GET /admin/screenings": STAFF_PAGE,
    "POST /admin/screenings": ADMIN_SAVE,  # town B's admin: A's village refused (a message, nothing saved)
    "POST /admin/screenings/{screening_id}/withdraw": TOWN_A_USER_SAVE,
    "GET /admin/kb": STAFF_PAGE,  # the knowledge base: staff read, admins edit (one base for every town)
    "GET /admin/kb/new": ADMIN_PAGE,
    "POST /admin/kb/new": KB_SAVE,
    "GET /admin/kb/inbox": STAFF_PAGE,
    "POST /admin/kb/inbox/phrasing": row("csrf", "403", "403", "403", "404", "404", "404"),  # no such question
    "GET /admin/kb/changes": STAFF_PAGE,
    "GET /admin/kb/export": STAFF_PAGE,
    "POST /admin/kb/import": row("csrf", "403", "403", "403", "302", "302", "302"),  # no file: a message
    "GET /admin/kb/entry/{entry_id}": STAFF_PAGE,
    "POST /admin/kb/entry/{entry_id}": KB_SAVE,
    # retired by the admin; the county admin and town B's admin then find it gone
    "POST /admin/kb/entry/{entry_id}/retire": row("csrf", "403", "403", "403", "302", "404", "404"),
    "GET /admin/points": ADMIN_PAGE,
    "GET /admin/points.xlsx": ADMIN_PAGE,
    "POST /admin/users/{user_id}/invite": TOWN_A_USER_SAVE,  # the helper has bound already: 302 with a note
    "POST /admin/invites": TOWN_A_USER_SAVE,  # the sheet of A's village (302: nobody left to invite); B: 404
    "GET /admin/stats": ADMIN_PAGE,
    "GET /admin/stats/chart/{name}.png": ADMIN_PAGE,
    "GET /admin/stats/download": ADMIN_PAGE,
    "GET /healthz": same("200"),
    "GET /metrics": same("200"),
    "GET /wechat": same("403"),  # unsigned URL check; signed chat is the chat matrix below
    "POST /wechat": same("403"),
    "POST /admin/logout": row("csrf", "302", "302", "302", "302", "302", "302"),  # last: it ends the session
}

KB_ENTRY = "lf-contract-term-extension"
KB_RETIRED = "lf-contract-no-takeback"
API_ROLES = (*ROLES, "unbound")


def api_row(anonymous: int, unbound: int, villager: int, helper: int, mediator: int, admin: int, county_admin: int,
            other_admin: int) -> dict[str, int]:
    """One line of the API table, by role."""
    values = (anonymous, villager, helper, mediator, admin, county_admin, other_admin, unbound)
    return dict(zip(API_ROLES, values, strict=True))


LOGGER_ONE = api_row(401, 403, 403, 200, 403, 200, 200, 404)  # helper's own entry; B's admin: not found
API: dict[str, dict[str, int]] = {
    "POST /api/v1/auth/login": api_row(200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/auth/bind": api_row(401, 400, 400, 400, 400, 400, 400, 400),  # a wrong code
    "POST /api/v1/auth/link": api_row(401, 400, 400, 400, 400, 400, 400, 400),  # a wrong link code
    "POST /api/v1/auth/link-code": api_row(401, 403, 200, 200, 200, 200, 200, 200),  # bound people only
    "GET /api/v1/me": api_row(401, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/villages": api_row(401, 403, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/forms": api_row(200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/activities": api_row(401, 403, 403, 200, 403, 200, 200, 200),
    "POST /api/v1/activities": api_row(401, 403, 403, 201, 403, 201, 201, 422),  # B: 江湾村 is not its village
    "GET /api/v1/activities/{id}": LOGGER_ONE,
    "PATCH /api/v1/activities/{id}": LOGGER_ONE,
    "DELETE /api/v1/activities/{id}": LOGGER_ONE,
    "POST /api/v1/activities/{id}/photos": api_row(401, 403, 403, 201, 403, 201, 201, 404),
    "GET /api/v1/activities/{id}/photos/{photo_id}": LOGGER_ONE,
    "POST /api/v1/cases": api_row(401, 201, 201, 201, 201, 201, 201, 400),  # B: A's village refused
    "GET /api/v1/cases": api_row(401, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/cases/{id}": api_row(401, 404, 200, 404, 404, 404, 404, 404),  # the applicant only
    "GET /api/v1/screenings": api_row(401, 403, 403, 200, 403, 200, 200, 200),
    "POST /api/v1/screenings": api_row(401, 403, 403, 201, 403, 201, 201, 422),  # B: 江湾村 is not its village
    "DELETE /api/v1/screenings/{id}": LOGGER_ONE,
    "GET /api/v1/openapi.json": api_row(200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/auth/logout": api_row(401, 200, 200, 200, 200, 200, 200, 200),  # last: it ends the session
}

DENY = {"login", "csrf", "400", "401", "403", "404", "422"}


def app_routes() -> set[str]:
    """'METHOD canonical' for every route of a freshly built app (HEAD left out: it mirrors GET)."""
    settings = parse_settings({"security": {"secret_key": "k" * 26}, "wechat": {"token": "t", "appid": "a"}},
                              source="<test>")
    app = create_app(settings)
    found = set()
    for route in app.router.routes():
        if route.method != "HEAD":
            assert route.resource is not None
            found.add(f"{route.method} {route.resource.canonical}")
    return found


def test_every_route_has_a_line() -> None:
    routes = app_routes()
    tables = set(CONSOLE) | set(API)
    assert routes - tables == set(), f"routes without an authorization line: {sorted(routes - tables)}"
    assert tables - routes == set(), f"lines for routes that no longer exist: {sorted(tables - routes)}"


def _cookie(session: tuple[str, str] | None, login_csrf: str = "") -> dict[str, str]:
    parts = []
    if session:
        parts.append(f"mingbai_admin={session[0]}")
    if login_csrf:
        parts.append(f"mingbai_csrf={login_csrf}")
    return {"Cookie": "; ".join(parts)} if parts else {}


def _console_request(w: World, key: str, role: str, csrf: str,
                     screening_id: int = 0) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, form) exercising a route as `role` would use it."""
    method, template = key.split(" ", 1)
    helper = w.people["helper"]
    path = (template.replace("{case_id}", str(w.agreed_case.id if "docx" in template else w.case.id))
            .replace("{screening_id}", str(screening_id)).replace("{entry_id}/retire", KB_RETIRED + "/retire")
            .replace("{entry_id}", KB_ENTRY)
            .replace("{action}", "archive").replace("{user_id}", str(helper.id))
            .replace("{village_id}", str(w.village2.id)).replace("{name}", "months").replace("{kind}", "rights")
            .replace("{party_id}", str(w.party_id)))
    if template == "/admin/static":
        path = "/admin/static/admin.css"
    if template == "/admin/stats/download":
        path += "?format=xlsx"
    forms: dict[str, dict[str, Any]] = {
        "/admin/login": {"name": w.people[role].display_name if role != "anonymous" else "无名氏",
                         "password": "mima2026ok"},
        "/admin/cases/new": {"case_type": "邻里", "source": "主动调解", "village": str(w.village.id),
                             "a_name": "孙甲", "r_name": "孙乙",
                             "summary": f"{role}登记：两家因宅基地边界争吵。"},
        f"/admin/cases/{w.case.id}/act/archive": {},
        f"/admin/cases/{w.case.id}/flags": {"escalated": "1"},
        f"/admin/cases/{w.case.id}/parties": {"side": "third", "kind": "person", "name": "孙丙"},
        f"/admin/cases/{w.case.id}/parties/{w.party_id}": {"side": "respondent", "kind": "person", "name": "李四",
                                                         "phone": "13987654321"},
        "/admin/users": {"display_name": f"新人{role}", "role": "helper", "town": str(w.town.id)},
        f"/admin/users/{helper.id}": {"display_name": helper.display_name, "role": "helper", "town": str(w.town.id),
                                      "village": str(w.village.id), "phone": "13800000000", "active": "1"},
        "/admin/villages": {"name": f"新村{role}", "households": "10", "town": str(w.town.id)},
        f"/admin/villages/{w.village2.id}": {"name": "石桥村", "households": "45"},
        "/admin/invites": {"village": str(w.village.id)},
        f"/admin/users/{helper.id}/invite": {},
        "/admin/logout": {},
        "/admin/screenings": {"date": "2026-03-05", "level": "village", "village": str(w.village.id), "found": "1",
                              "scope": f"{role}排查"},
        f"/admin/screenings/{screening_id}/withdraw": {},
        "/admin/kb/new": {}, "/admin/kb/inbox/phrasing": {}, "/admin/kb/import": {},
        f"/admin/kb/entry/{KB_ENTRY}": {}, f"/admin/kb/entry/{KB_RETIRED}/retire": {},
    }
    if method == "GET" or template.startswith("/wechat"):
        return method, path, None
    form = dict(forms[path])
    if csrf:
        form["csrf_token"] = csrf
    return method, path, form


def _verdict(status: int, location: str, body: str) -> str:
    if status == 302 and location.startswith("/admin/login?next="):
        return "login"
    if status == 403 and "表单已过期" in body:
        return "csrf"
    return str(status)


async def _fresh_screening(w: World, scope: str) -> Any:
    from models.screening_tables import ScreeningSource
    from services.screening import create_screening

    values = {"date": dt.date.today() - dt.timedelta(days=1), "village_id": w.village.id, "found": 1, "scope": scope}
    return await create_screening(w.town.id, w.people["helper"], values, source=ScreeningSource.API,
                                  today=dt.date.today())


async def test_console_and_public_routes(world: World) -> None:
    w = world
    client = w.client
    wrong: list[str] = []
    screening = await _fresh_screening(w, "console")
    for role in ROLES:
        session = await w.console_session(role) if role != "anonymous" else None
        csrf = session[1] if session else ""
        for key, expected_by_role in CONSOLE.items():
            expected = expected_by_role[role]
            method, path, form = _console_request(w, key, role, csrf, screening.id)
            headers = _cookie(session)
            if key == "POST /admin/login":  # logging in: the login form's double-submit token, no session
                headers, form = _cookie(None, "logintoken123"), {**(form or {}), "csrf_token": "logintoken123"}
            before = await fingerprint() if expected in DENY else None
            client.session.cookie_jar.clear()
            resp = await client.request(method, path, data=form, headers=headers, allow_redirects=False)
            got = _verdict(resp.status, resp.headers.get("Location", ""), await resp.text(errors="replace"))
            if got != expected:
                wrong.append(f"{key} as {role}: expected {expected}, got {got}")
            if before is not None and before != await fingerprint():
                wrong.append(f"{key} as {role}: refused but the database changed")
    assert not wrong, "\n".join(wrong)
    # Town B's admin added a person and a village: both landed in town B, never in town A.
    assert (await User.get(display_name="新人other_admin")).town_id == w.other_town.id  # type: ignore[attr-defined]
    from models.core import Village

    assert (await Village.get(name="新村other_admin")).town_id == w.other_town.id  # type: ignore[attr-defined]
    # After logout the old cookie is dead.
    session = await w.console_session("admin")
    await client.post("/admin/logout", data={"csrf_token": session[1]}, headers=_cookie(session),
                      allow_redirects=False)
    client.session.cookie_jar.clear()
    resp = await client.get("/admin/", headers=_cookie(session), allow_redirects=False)
    assert _verdict(resp.status, resp.headers.get("Location", ""), "") == "login"


async def _page(w: World, role: str, path: str) -> str:
    session = await w.console_session(role)
    w.client.session.cookie_jar.clear()
    resp = await w.client.get(path, headers=_cookie(session), allow_redirects=False)
    assert resp.status == 200, (role, path, resp.status)
    return str(await resp.text())


async def test_console_lists_are_town_scoped(world: World) -> None:
    w = world
    a_case, b_case = w.case.display_number, w.other_case.display_number
    for path in ("/admin/cases", "/admin/cases?status=&type=&village=" + str(w.village.id), "/admin/"):
        other = await _page(w, "other_admin", path)
        assert a_case not in other and w.agreed_case.display_number not in other
    board_b = await _page(w, "other_admin", "/admin/cases")
    assert b_case in board_b
    board_a = await _page(w, "admin", "/admin/cases")
    assert a_case in board_a and b_case not in board_a
    board_county = await _page(w, "county_admin", "/admin/cases")
    assert a_case in board_county and b_case in board_county
    users_b = await _page(w, "other_admin", "/admin/users")
    assert "河口赵" in users_b and "李明" not in users_b and "王所长" not in users_b
    users_a = await _page(w, "admin", "/admin/users")
    assert "李明" in users_a and "河口赵" not in users_a
    villages_b = await _page(w, "other_admin", "/admin/villages")
    assert "河口村" in villages_b and "江湾村" not in villages_b and "石桥村" not in villages_b
    new_form_b = await _page(w, "other_admin", "/admin/cases/new")
    assert "河口村" in new_form_b and "江湾村" not in new_form_b
    # The statistics page holds a town admin to their own town, whatever the query says.
    stats_b = await _page(w, "other_admin", "/admin/stats?town=江湾镇")
    assert "河口镇" in stats_b and "江湾镇" not in stats_b.replace("town=江湾镇", "")
    # A mediator not assigned to a case sees its parties masked; only while the case waits for 受理 do they
    # see the applicant's name and phone, to call them before deciding (never the ID or the other side).
    case_page = await _page(w, "mediator", f"/admin/cases/{w.case.id}")
    assert "张小三" in case_page and "13812341234" in case_page
    assert "110101199003071233" not in case_page and "13987654321" not in case_page
    agreed_page = await _page(w, "mediator", f"/admin/cases/{w.agreed_case.id}")
    assert "赵大" not in agreed_page and "13812341234" not in agreed_page
    assert "张小三" in await _page(w, "admin", f"/admin/cases/{w.case.id}")


async def _fresh_activity(w: World, theme: str) -> Activity:
    values = {"kind": ActivityKind.PUBLICITY, "date": dt.date.today() - dt.timedelta(days=1),
              "village_id": w.village.id, "theme": theme, "participants": 10}
    return await create_activity(w.town.id, w.people["helper"], values)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def _api_call(w: World, key: str, role: str) -> tuple[str, str, dict[str, Any]]:
    method, template = key.split(" ", 1)
    activity_id = w.activity.id
    if key == "DELETE /api/v1/activities/{id}":
        activity_id = (await _fresh_activity(w, f"撤回用{role}")).id
    if key == "DELETE /api/v1/screenings/{id}":
        activity_id = (await _fresh_screening(w, f"撤回用{role}")).id
    path = (template.replace("{id}", str(w.case.id if "/cases/" in template else activity_id))
            .replace("{photo_id}", str(w.photo.id)))
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    kwargs: dict[str, Any] = {}
    if key == "POST /api/v1/auth/login":
        code = f"code-{role}"
        w.fake.sessions[code] = w.openid(role) if role not in {"anonymous", "unbound"} else f"o-new-{role}"
        kwargs["json"] = {"code": code}
    elif key == "POST /api/v1/auth/bind":
        kwargs["json"] = {"invite_code": "WRONG999"}
    elif key == "POST /api/v1/auth/link":
        kwargs["json"] = {"code": "000000"}
    elif key == "POST /api/v1/activities":
        kwargs["json"] = {"kind": "publicity", "date": yesterday, "village_name": "江湾村", "theme": f"api{role}"}
    elif key == "POST /api/v1/screenings":
        kwargs["json"] = {"date": yesterday, "village_name": "江湾村", "found": 2, "scope": f"api{role}"}
    elif key == "PATCH /api/v1/activities/{id}":
        kwargs["json"] = {"participants": 40 + API_ROLES.index(role)}
    elif key == "POST /api/v1/activities/{id}/photos":
        from aiohttp import FormData

        data = FormData()
        data.add_field("file", PNG, filename="a.png", content_type="image/png")
        kwargs["data"] = data
    elif key == "POST /api/v1/cases":
        kwargs["json"] = {"case_type": "邻里", "village_id": w.village.id, "applicant_name": "周甲",
                          "applicant_phone": "13800001111", "other_name": "周乙",
                          "summary": f"{role}：两家因为排水沟的事情吵了起来。"}
    return method, path, kwargs


async def _api_headers(w: World, role: str) -> dict[str, str]:
    if role == "unbound":
        from tests.security.conftest import SESSION_PREFIX

        token = "unbound-token-0123456789"
        await w.client.app[keys.REDIS].set(SESSION_PREFIX + token, '{"openid": "o-unbound"}', ex=3600)
        return {"Authorization": f"Bearer {token}"}
    return await w.api_headers(role)


async def test_api_routes(world: World) -> None:
    w = world
    wrong: list[str] = []
    for role in API_ROLES:
        for key, expected_by_role in API.items():
            expected = expected_by_role[role]
            method, path, kwargs = await _api_call(w, key, role)
            headers = await _api_headers(w, role)
            before = await fingerprint() if expected >= 400 else None
            resp = await w.client.request(method, path, headers=headers, **kwargs)
            if resp.status != expected:
                wrong.append(f"{key} as {role}: expected {expected}, got {resp.status} {await resp.text()}")
            if before is not None and before != await fingerprint():
                wrong.append(f"{key} as {role}: refused but the database changed")
        w.api_tokens.pop(role, None)  # logged out
    assert not wrong, "\n".join(wrong)


async def test_api_lists_are_own_and_town_scoped(world: World) -> None:
    w = world
    villages = await (await w.client.get("/api/v1/villages", headers=await w.api_headers("other_admin"))).json()
    assert [v["name"] for v in villages["items"]] == ["河口村"]
    mine = await (await w.client.get("/api/v1/activities", headers=await w.api_headers("other_admin"))).json()
    assert mine["total"] == 0  # not town A's, not even town B's helper's: only one's own entries
    cases_seen = await (await w.client.get("/api/v1/cases", headers=await w.api_headers("admin"))).json()
    assert cases_seen["items"] == []  # an admin's mini-program lists only cases they applied for
    own = await (await w.client.get("/api/v1/cases", headers=await w.api_headers("villager"))).json()
    assert [c["reg_number"] for c in own["items"]] == [w.case.reg_number]
    # An admin of town A may not reach town B's entry through the API either.
    resp = await w.client.get(f"/api/v1/activities/{w.other_activity.id}", headers=await w.api_headers("admin"))
    assert resp.status == 404


NOT_LOGGER = "只有绑定的法律明白人和管理员才能登记活动"
LOGGERS = {"helper", "admin", "county_admin", "other_admin"}


def chat_row(allowed: set[str], yes: str, no: str, **special: str) -> dict[str, str]:
    """Who gets `yes`, who gets `no`, and any role with its own reply."""
    return {r: special.get(r, yes if r in allowed else no) for r in ROLES}


def _text(w: World, role: str, template: str) -> str:
    return template.format(case=w.case.display_number, activity=w.activity.id, n=40 + ROLES.index(role))


REFUSALS = (NOT_LOGGER, "“登记纠纷”供法律明白人使用", "统计只对管理员开放", "解绑需要由镇司法所管理员操作",
            "没有找到编号", "没有找到“李明”", "本镇没有叫“江湾村”的村", "邀请码不对", "没有找到这个案件",
            "没有找到您申请的案件")


def chat_table() -> list[tuple[str, dict[str, str], list[str]]]:
    """(command template, expected reply fragment by role, follow-up messages)."""
    everyone = set(ROLES)
    reporters = {"helper", "mediator", "admin", "county_admin", "other_admin"}
    admins = {"admin", "county_admin", "other_admin"}
    year = today().year
    return [
        ("申请调解", chat_row(everyone, "申请人民调解（免费）", ""), ["取消"]),
        ("登记纠纷", chat_row(reporters, "登记您发现的矛盾纠纷", "“登记纠纷”供法律明白人使用"), ["取消"]),
        ("查询 {case}", chat_row({"villager"}, "状态：", "没有找到这个案件"), []),
        ("我的案件", chat_row({"villager"}, "您的案件", "没有找到您申请的案件"), []),
        ("登记活动", chat_row(LOGGERS, "开始登记活动", NOT_LOGGER), ["取消"]),
        ("活动 昨天 江湾村 法治公开课 45人 资料120份 主题民法典{n}",
         chat_row(LOGGERS, "请核对", NOT_LOGGER, other_admin="本镇没有叫“江湾村”的村"), ["确认", "取消"]),
        ("我的记录", chat_row(LOGGERS, "您最近登记的活动|您还没有登记过活动", NOT_LOGGER), []),
        ("修改 {activity} 人数 {n}", chat_row(LOGGERS, "已更正", NOT_LOGGER, other_admin="没有找到编号"), []),
        ("撤回 {fresh}", chat_row(LOGGERS, "已撤回", NOT_LOGGER, other_admin="没有找到编号"), []),
        ("绑定 WRONG999", chat_row(everyone, "邀请码不对", ""), []),
        ("解绑 李明", chat_row({"admin", "county_admin"}, "已解除李明的微信绑定", "解绑需要由镇司法所管理员操作",
                             other_admin="没有找到“李明”"), []),
        (f"统计 {year - 1}", chat_row(admins, f"{year - 1}", "统计只对管理员开放"), []),
        ("本年统计", chat_row(admins, f"{year}", "统计只对管理员开放"), []),
    ]


async def test_chat_commands(world: World) -> None:
    w = world
    wrong: list[str] = []
    saved_by: dict[str, int] = {}
    for template, expected_by_role, follow_ups in chat_table():
        for role in ROLES:
            expected = expected_by_role[role]
            fresh = ""
            if "{fresh}" in template:
                fresh = str((await _fresh_activity(w, f"撤回{role}")).id)
            text = _text(w, role, template.replace("{fresh}", fresh))
            before = await fingerprint() if expected in REFUSALS else None
            before_count = await Activity.all().count()
            reply = await w.say(role, text)
            if not any(part in reply for part in expected.split("|")):
                wrong.append(f"{text} as {role}: expected “{expected}”, got “{reply[:80]}”")
            for follow in follow_ups:
                await w.say(role, follow)
            if before is not None and before != await fingerprint():
                wrong.append(f"{text} as {role}: refused but the database changed")
            if template.startswith("活动 ") and role in LOGGERS - {"other_admin"}:
                saved_by[role] = await Activity.all().count() - before_count
            if template == "解绑 李明" and role in {"admin", "county_admin"}:
                helper = await User.get(id=w.people["helper"].id)
                assert helper.openid is None
                helper.openid = "o-helper"
                await helper.save()
    assert not wrong, "\n".join(wrong)
    assert saved_by == {"helper": 1, "admin": 1, "county_admin": 1}


async def test_chat_stats_are_town_scoped(world: World) -> None:
    w = world
    year = today().year
    own = await w.say("other_admin", "本年统计")
    assert "河口镇" in own and "江湾镇" not in own
    a = await w.say("admin", "本年统计")
    assert "江湾镇" in a and "河口镇" not in a
    county = await w.say("county_admin", f"统计 {year}")
    assert "江湾镇" in county and "河口镇" in county


async def test_chat_lookup_of_another_towns_case(world: World) -> None:
    w = world
    # The other town's case number, asked from town A's staff: nothing, as for anyone but its applicant.
    for role in ("admin", "county_admin", "mediator"):
        assert "没有找到这个案件" in await w.say(role, f"查询 {w.other_case.display_number}")
    # A case in town A is found by number only by the openid that applied for it.
    found = await cases.find_own_case(w.case.display_number, "o-villager")
    assert found is not None and found.id == w.case.id
