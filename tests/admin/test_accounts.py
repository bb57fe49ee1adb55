"""Logins are their own unique field: renames across towns affect no one's login, refusals name no one."""

from __future__ import annotations

from typing import Any

import pytest

from models.core import Role, Town, User
from tests.admin.conftest import PASSWORD, csrf_from, login, make_staff

pytestmark = pytest.mark.db


async def test_renaming_users_across_towns_affects_no_login(console: Any, make_client: Any,
                                                            make_settings: Any) -> None:
    client, town = console
    other = await Town.create(name="河口镇", studio_name="河口调解室", case_prefix="河口")
    mine = await make_staff("王所长", Role.ADMIN, town)
    theirs = await make_staff("河口刘所长", Role.ADMIN, other)
    page = await (await login(client, "王所长")).text()
    token = csrf_from(page)
    # rename oneself to the other town's admin: the display name is free, the login stays one's own
    await client.post(f"/admin/users/{mine.id}", data={"csrf_token": token, "display_name": "河口刘所长",
                                                         "role": "admin"})
    assert (await User.get(id=mine.id)).display_name == "河口刘所长"
    # taking the other admin's login is refused without saying whose or where it is
    r = await client.post(f"/admin/users/{mine.id}", data={"csrf_token": token, "display_name": "河口刘所长",
                                                             "role": "admin", "login": "河口刘所长"})
    text = await r.text()
    assert "已被使用" in text and "河口镇" not in text and "河口调解室" not in text
    assert (await User.get(id=mine.id)).login == "王所长"
    # renaming a person of another town is not possible at all
    r = await client.post(f"/admin/users/{theirs.id}", data={"csrf_token": token, "display_name": "X",
                                                               "role": "admin"})
    assert r.status == 404
    # a new password for the renamed self (this logs oneself out) changes nobody else's login
    await client.post(f"/admin/users/{mine.id}", data={"csrf_token": token, "display_name": "河口刘所长",
                                                         "role": "admin", "password": "takeover2026"})
    assert (await login(client, "王所长", "takeover2026")).status == 200
    # the other town's admin still logs in with their own login and password
    other_client = await make_client(make_settings())
    r = await login(other_client, "河口刘所长", PASSWORD)
    assert r.status == 200 and "退出" in await r.text()
    theirs = await User.get(id=theirs.id)
    assert (theirs.login, theirs.display_name) == ("河口刘所长", "河口刘所长")


async def test_two_people_of_one_name_log_in_apart(console: Any, make_client: Any, make_settings: Any) -> None:
    client, town = console
    await User.create(display_name="王芳", login="wangfang1", role=Role.MEDIATOR, town=town,
                      password_hash=(await make_staff("tmp", Role.MEDIATOR, town)).password_hash)
    await User.create(display_name="王芳", login="wangfang2", role=Role.MEDIATOR, town=town, password_hash="")
    r = await login(client, "wangfang1")
    assert r.status == 200 and "退出" in await r.text()
    r = await login(await make_client(make_settings()), "王芳")  # the display name is no login
    assert r.status == 401


async def test_a_village_name_is_one_village_of_its_town(console: Any) -> None:
    from models.core import Village

    client, town = console
    await make_staff("王所长", Role.ADMIN, town)
    token = csrf_from(await (await login(client, "王所长")).text())
    r = await client.post("/admin/villages", data={"csrf_token": token, "name": "江湾村", "households": "300"})
    assert "已保存：江湾村" in await r.text()
    other = await Village.create(town=town, name="河口村", households=100)
    r = await client.post(f"/admin/villages/{other.id}", data={"csrf_token": token, "name": "江湾村",
                                                               "households": "120"})
    assert "未保存：已有“江湾村”" in await r.text()
    assert (await Village.get(id=other.id)).name == "河口村"
    assert await Village.filter(town=town, name="江湾村").count() == 1
