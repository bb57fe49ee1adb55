"""Console login, sessions, CSRF refusal, role refusal, error pages."""

from __future__ import annotations

from typing import Any

from bot.admin.passwords import hash_password, password_problem, verify_password
from models.core import Role
from tests.admin.conftest import PASSWORD, csrf_from, login, make_staff


def test_password_hash_roundtrip() -> None:
    stored = hash_password("abc12345")
    assert stored.startswith("scrypt$")
    assert verify_password("abc12345", stored)
    assert not verify_password("abc12346", stored)
    assert not verify_password("x", "")
    assert not verify_password("x", "garbage$1")
    assert password_problem("short1") and password_problem("12345678") and password_problem("abc12345") is None


async def test_the_servers_own_address_opens_the_console_login(console: Any) -> None:
    client, _ = console
    page = await client.get("/")
    assert page.status == 200 and page.url.path == "/admin/login"
    assert "登录" in await page.text()


async def test_login_logout_and_cookie_flags(console: Any) -> None:
    client, town = console
    await make_staff("洪调解", Role.MEDIATOR, town)
    resp = await client.get("/admin/", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"].startswith("/admin/login?next=")
    page = await client.get("/admin/login")
    token = csrf_from(await page.text())
    resp = await client.post("/admin/login", data={"name": "洪调解", "password": PASSWORD, "csrf_token": token},
                             allow_redirects=False)
    assert resp.status == 302
    cookie = resp.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookie if c.startswith("mingbai_admin="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    home = await client.get("/admin/")
    assert home.status == 200 and "洪调解" in await home.text()
    token = csrf_from(await home.text())
    out = await client.post("/admin/logout", data={"csrf_token": token}, allow_redirects=False)
    assert out.status == 302
    again = await client.get("/admin/", allow_redirects=False)
    assert again.status == 302


async def test_wrong_password_and_unknown_name(console: Any) -> None:
    client, town = console
    await make_staff("洪调解", Role.MEDIATOR, town)
    resp = await login(client, "洪调解", "wrongpass1")
    assert resp.status == 401 and "账号或密码不对" in await resp.text()
    resp = await login(client, "没这个人", PASSWORD)
    assert resp.status == 401


async def test_login_without_csrf_is_refused(console: Any) -> None:
    client, town = console
    await make_staff("洪调解", Role.MEDIATOR, town)
    resp = await client.post("/admin/login", data={"name": "洪调解", "password": PASSWORD})
    assert resp.status == 403 and "表单已过期" in await resp.text()


async def test_a_form_aiohttp_cannot_read_is_a_clear_400(console: Any) -> None:
    client, _ = console
    broken = b'--b\r\nContent-Disposition: form-data; name="\x0bname"\r\n\r\nx\r\n--b--\r\n'
    resp = await client.post("/admin/login", data=broken, headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert resp.status == 400 and "格式不对" in await resp.text()


async def test_post_with_wrong_csrf_is_refused(console: Any) -> None:
    client, town = console
    await make_staff("洪调解", Role.MEDIATOR, town)
    await login(client, "洪调解")
    resp = await client.post("/admin/logout", data={"csrf_token": "forged"})
    assert resp.status == 403
    still = await client.get("/admin/", allow_redirects=False)
    assert still.status == 200


async def test_villager_and_helper_are_refused(console: Any) -> None:
    client, town = console
    await make_staff("张村民", Role.VILLAGER, town)
    resp = await login(client, "张村民")
    assert resp.status == 403 and "不能使用调解工作台" in await resp.text()
    assert (await client.get("/admin/", allow_redirects=False)).status == 302


async def test_demoted_session_is_refused(console: Any) -> None:
    client, town = console
    user = await make_staff("洪调解", Role.MEDIATOR, town)
    await login(client, "洪调解")
    assert (await client.get("/admin/")).status == 200
    user.role = Role.VILLAGER
    await user.save()
    resp = await client.get("/admin/")
    assert resp.status == 403 and "没有权限" in await resp.text()


async def test_friendly_404_and_headers(console: Any) -> None:
    client, _town = console
    resp = await client.get("/admin/no-such-page")
    assert resp.status == 404 and "页面不存在" in await resp.text()
    assert resp.headers["X-Frame-Options"] == "DENY"
    css = await client.get("/admin/static/admin.css")
    assert css.status == 200


async def test_unsafe_next_is_ignored(console: Any) -> None:
    client, town = console
    await make_staff("洪调解", Role.MEDIATOR, town)
    page = await client.get("/admin/login?next=//evil.example/")
    token = csrf_from(await page.text())
    resp = await client.post("/admin/login", data={"name": "洪调解", "password": PASSWORD, "csrf_token": token,
                                                   "next": "//evil.example/"}, allow_redirects=False)
    assert resp.headers["Location"] == "/admin/"


async def test_friendly_500(console: Any, monkeypatch: Any) -> None:
    client, town = console
    await make_staff("洪调解", Role.MEDIATOR, town)
    await login(client, "洪调解")

    async def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("bot.admin.cases.board", boom)
    resp = await client.get("/admin/cases")
    assert resp.status == 500 and "系统出了点问题" in await resp.text() and "database on fire" not in await resp.text()


async def test_login_attempts_are_limited(console: Any) -> None:
    client, town = console
    await make_staff("洪调解", Role.MEDIATOR, town)
    for _ in range(10):
        assert (await login(client, "洪调解", "wrongpass1")).status == 401
    resp = await login(client, "洪调解", PASSWORD)
    assert resp.status == 429 and "15分钟" in await resp.text()
    await make_staff("周调解", Role.MEDIATOR, town)
    assert (await login(client, "周调解", PASSWORD)).status == 200  # another name is not locked out


async def test_every_navigation_link_opens_for_whoever_sees_it(console: Any) -> None:
    import re

    client, town = console
    seen: dict[Role, list[str]] = {}
    for role, name in ((Role.MEDIATOR, "洪调解"), (Role.ADMIN, "司法所老王")):
        await make_staff(name, role, town)
        home = await login(client, name)
        nav = re.search(r'<nav class="nav">(.*?)</nav>', await home.text(), re.S)
        assert nav is not None
        seen[role] = re.findall(r'href="([^"]+)"', nav.group(1))
        for path in seen[role]:
            assert (await client.get(path)).status == 200, (role, path)
        await client.post("/admin/logout", data={"csrf_token": csrf_from(await home.text())})
    assert "/admin/kb" in seen[Role.MEDIATOR] and "/admin/users" not in seen[Role.MEDIATOR]
    assert set(seen[Role.MEDIATOR]) < set(seen[Role.ADMIN]) and "/admin/stats" in seen[Role.ADMIN]
