"""Console forms without, stale or foreign CSRF tokens are refused and change nothing; dead sessions stay dead."""

from __future__ import annotations

import re
from typing import Any

from tests.security.conftest import PASSWORD, World, fingerprint
from tests.security.test_authz_matrix import _console_request, _cookie, app_routes

EXPIRED = "表单已过期或来源不明"


def admin_posts() -> list[str]:
    """Every POST route of the console (login has its own test below)."""
    return sorted(k for k in app_routes() if k.startswith("POST /admin/") and k != "POST /admin/login")


async def _post(w: World, path: str, form: dict[str, Any] | None, headers: dict[str, str]) -> tuple[int, str]:
    w.client.session.cookie_jar.clear()
    resp = await w.client.post(path, data=form or {}, headers=headers, allow_redirects=False)
    return resp.status, str(await resp.text())


async def test_every_console_form_needs_its_sessions_token(world: World) -> None:
    w = world
    old = await w.console_session("admin")  # a session of the same person, ended below: its token is stale
    await _post(w, "/admin/logout", {"csrf_token": old[1]}, _cookie(old))
    session = await w.console_session("admin")
    foreign = await w.console_session("county_admin")  # a live token, but another person's
    tried = 0
    for key in admin_posts():
        _, path, form = _console_request(w, key, "admin", "")
        assert form is not None and "csrf_token" not in form
        attempts = {
            "no token": (form, _cookie(session)),
            "empty token": ({**form, "csrf_token": ""}, _cookie(session)),
            "stale token": ({**form, "csrf_token": old[1]}, _cookie(session)),
            "another session's token": ({**form, "csrf_token": foreign[1]}, _cookie(session)),
            "wrong header": (form, {**_cookie(session), "X-CSRF-Token": "x" * 32}),
            "token in the query only": (form, _cookie(session)),
            "right token, no session": ({**form, "csrf_token": session[1]}, {}),
        }
        for what, (data, headers) in attempts.items():
            before = await fingerprint()
            target = f"{path}?csrf_token={session[1]}" if what == "token in the query only" else path
            status, body = await _post(w, target, data, headers)
            assert status == 403 and EXPIRED in body, (key, what, status)
            assert await fingerprint() == before, (key, what)
            tried += 1
    assert tried == 7 * len(admin_posts()) and len(admin_posts()) >= 8


async def test_the_right_token_is_accepted(world: World) -> None:
    """The control: the same village form with the session's own token is saved."""
    w = world
    session = await w.console_session("admin")
    status, _ = await _post(w, "/admin/villages", {"name": "新建村", "households": "5", "csrf_token": session[1]},
                            _cookie(session))
    assert status == 302
    status, _ = await _post(w, "/admin/villages", {"name": "新建村二", "households": "5"},
                            {**_cookie(session), "X-CSRF-Token": session[1]})
    assert status == 302
    from models.core import Village

    assert await Village.filter(name__in=["新建村", "新建村二"], town_id=w.town.id).count() == 2


async def test_login_form_needs_its_double_submit_token(world: World) -> None:
    w = world
    name = w.people["admin"].display_name
    cases = [
        ({"name": name, "password": PASSWORD}, {}),  # no token at all
        ({"name": name, "password": PASSWORD, "csrf_token": "abc"}, {}),  # a token but no cookie
        ({"name": name, "password": PASSWORD, "csrf_token": "abc"}, _cookie(None, "xyz")),  # mismatch
    ]
    for form, headers in cases:
        status, body = await _post(w, "/admin/login", form, headers)
        assert status == 403 and EXPIRED in body
        assert "mingbai_admin" not in str(w.client.session.cookie_jar.filter_cookies(w.client.make_url("/admin/")))


async def _login(w: World, name: str, password: str = PASSWORD) -> str:
    """Log in through the real form; the session cookie's value."""
    w.client.session.cookie_jar.clear()
    page = await w.client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert token
    resp = await w.client.post("/admin/login", data={"name": name, "password": password, "csrf_token": token[1]},
                               allow_redirects=False)
    assert resp.status == 302, await resp.text()
    cookie = resp.cookies["mingbai_admin"].value
    w.client.session.cookie_jar.clear()
    return str(cookie)


async def _csrf_of(w: World, cookie: str) -> str:
    w.client.session.cookie_jar.clear()
    page = await w.client.get("/admin/", headers={"Cookie": f"mingbai_admin={cookie}"})
    m = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert m
    return m[1]


async def _get(w: World, cookie: str, path: str = "/admin/") -> tuple[int, str]:
    w.client.session.cookie_jar.clear()
    resp = await w.client.get(path, headers={"Cookie": f"mingbai_admin={cookie}"}, allow_redirects=False)
    return resp.status, resp.headers.get("Location", "")


async def test_session_from_before_logout_is_refused(world: World) -> None:
    w = world
    cookie = await _login(w, "王所长")
    csrf = await _csrf_of(w, cookie)
    assert (await _get(w, cookie))[0] == 200
    status, _ = await _post(w, "/admin/logout", {"csrf_token": csrf}, {"Cookie": f"mingbai_admin={cookie}"})
    assert status == 302
    status, location = await _get(w, cookie)
    assert status == 302 and location.startswith("/admin/login?next=")
    before = await fingerprint()
    status, body = await _post(w, "/admin/villages", {"name": "旧会话村", "households": "1", "csrf_token": csrf},
                               {"Cookie": f"mingbai_admin={cookie}"})
    assert status == 403 and EXPIRED in body
    assert await fingerprint() == before


async def test_password_change_deactivation_and_demotion_end_sessions(world: World) -> None:
    w = world
    admin = await _login(w, "王所长")
    admin_csrf = await _csrf_of(w, admin)
    mediator = await _login(w, "洪调解")
    mediator_csrf = await _csrf_of(w, mediator)
    m = w.people["mediator"]
    base = {"display_name": m.display_name, "role": "mediator", "town": str(w.town.id), "phone": "13800000000",
            "active": "1", "csrf_token": admin_csrf}
    # A new password: the mediator's session made with the old one is gone.
    status, _ = await _post(w, f"/admin/users/{m.id}", {**base, "password": "xinmima2026"},
                            {"Cookie": f"mingbai_admin={admin}"})
    assert status == 302
    status, location = await _get(w, mediator)
    assert status == 302 and location.startswith("/admin/login?next=")
    status, body = await _post(w, "/admin/cases/new", {"csrf_token": mediator_csrf},
                               {"Cookie": f"mingbai_admin={mediator}"})
    assert status == 403 and EXPIRED in body
    # The old password no longer works, the new one does.
    w.client.session.cookie_jar.clear()
    page = await w.client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert token
    resp = await w.client.post("/admin/login", data={"name": "洪调解", "password": PASSWORD, "csrf_token": token[1]},
                               allow_redirects=False)
    assert resp.status == 401
    mediator = await _login(w, "洪调解", "xinmima2026")
    # Deactivated: the live session is refused at once.
    status, _ = await _post(w, f"/admin/users/{m.id}", {**base, "active": "0"}, {"Cookie": f"mingbai_admin={admin}"})
    assert status == 302
    status, location = await _get(w, mediator)
    assert status == 302 and location.startswith("/admin/login?next=")
    # Demoted while logged in (the session survives a role change): staff pages now say 403.
    status, _ = await _post(w, f"/admin/users/{m.id}", base, {"Cookie": f"mingbai_admin={admin}"})
    assert status == 302
    mediator = await _login(w, "洪调解", "xinmima2026")
    status, _ = await _post(w, f"/admin/users/{m.id}", {**base, "role": "helper"},
                            {"Cookie": f"mingbai_admin={admin}"})
    assert status == 302
    assert (await _get(w, mediator, "/admin/cases"))[0] == 403
