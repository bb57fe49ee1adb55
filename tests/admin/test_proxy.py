"""Behind a proxy: address and scheme from trusted proxies only; lockout per account; atomic limits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.proxy import client_address, parse_networks
from models.core import Role, Town
from tests.admin.conftest import PASSWORD, csrf_from, make_staff

pytestmark = pytest.mark.db


async def _post_login(client: Any, name: str, password: str, headers: dict[str, str]) -> Any:
    """One browser's login: a fresh cookie jar, the form's CSRF cookie sent back even when marked Secure."""
    client.session.cookie_jar.clear()
    page = await client.get("/admin/login", headers=headers)
    token = csrf_from(await page.text())
    return await client.post("/admin/login", data={"name": name, "password": password, "csrf_token": token},
                             headers={**headers, "Cookie": f"mingbai_csrf={token}"}, allow_redirects=False)


def test_client_address_is_taken_only_from_trusted_hops() -> None:
    nets = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert client_address("127.0.0.1", ["203.0.113.5"], nets) == "203.0.113.5"
    assert client_address("127.0.0.1", ["198.51.100.1, 203.0.113.5, 10.0.0.7"], nets) == "203.0.113.5"
    assert client_address("198.51.100.9", ["203.0.113.5"], nets) == "198.51.100.9"  # untrusted peer: ignored
    assert client_address("127.0.0.1", ["not-an-ip"], nets) == "127.0.0.1"
    with pytest.raises(ValueError):
        parse_networks("127.0.0.1, bogus")


async def test_lockout_of_one_account_does_not_lock_others_behind_one_address(
        make_settings: Any, make_client: Any, db: str) -> None:
    client = await make_client(make_settings(server={"trusted_proxies": "127.0.0.1"}))
    town = await Town.get(name="江湾镇")
    await make_staff("victim", Role.MEDIATOR, town)
    await make_staff("colleague", Role.MEDIATOR, town)
    office = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
    for _ in range(10):
        assert (await _post_login(client, "victim", "wrong-2026", office)).status == 401
    assert (await _post_login(client, "victim", PASSWORD, office)).status == 429  # that account is locked
    ok = await _post_login(client, "colleague", PASSWORD, office)  # same address, other account: fine
    assert ok.status == 302
    cookie = ok.headers.getall("Set-Cookie")
    assert any("mingbai_admin=" in c and "Secure" in c for c in cookie)  # HTTPS by the trusted proxy's word


async def test_forwarded_headers_from_untrusted_peers_are_ignored(make_settings: Any, make_client: Any,
                                                                  db: str) -> None:
    client = await make_client(make_settings())  # no trusted proxies
    town = await Town.get(name="江湾镇")
    await make_staff("hong", Role.MEDIATOR, town)
    ok = await _post_login(client, "hong", PASSWORD, {"X-Forwarded-Proto": "https"})
    assert ok.status == 302
    assert not any("Secure" in c for c in ok.headers.getall("Set-Cookie"))
    # forging a new X-Forwarded-For per try does not escape the per-address throttle
    statuses = [(await _post_login(client, f"user{i}", "wrong-2026", {"X-Forwarded-For": f"198.51.100.{i}"})).status
                for i in range(51)]
    assert statuses.count(429) == 1 and statuses[-1] == 429


async def test_concurrent_wrong_logins_are_counted_before_they_are_checked(make_settings: Any, make_client: Any,
                                                                           db: str) -> None:
    client = await make_client(make_settings())
    town = await Town.get(name="江湾镇")
    await make_staff("target", Role.MEDIATOR, town)
    page = await client.get("/admin/login")
    token = csrf_from(await page.text())
    responses = await asyncio.gather(*(
        client.post("/admin/login", data={"name": "target", "password": f"guess-{i}", "csrf_token": token},
                    allow_redirects=False) for i in range(40)))
    statuses = [r.status for r in responses]
    assert statuses.count(401) == 10 and statuses.count(429) == 30
