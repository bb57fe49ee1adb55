"""The mini-program API: login, me, bind, activities of one's own, photos, JSON errors."""

from __future__ import annotations

import datetime as dt

from aiohttp import FormData, web

from knowledge.wording.dates import today
from models.core import Role, User
from models.outreach import Activity, ActivityChange, ActivityPhoto
from services.invites import create_invite

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def body(**over):
    return {"kind": "publicity", "date": (today() - dt.timedelta(days=1)).isoformat(), "village_name": "江湾村",
            "form": "法治公开课", "six_target": "乡村", "theme": "民法典", "participants": 45, "materials": 120,
            **over}


async def test_login_me_and_errors(api) -> None:
    c = api.client
    r = await c.post("/api/v1/auth/login", json={"code": "nope"})
    assert r.status == 401 and (await r.json())["error"] == "login_failed"
    r = await c.get("/api/v1/me")
    assert r.status == 401 and "登录" in (await r.json())["message"]
    h = await api.login("h1")
    me = await (await c.get("/api/v1/me", headers=h)).json()
    assert me["bound"] and me["role"] == "helper" and me["village"]["name"] == "江湾村" and me["is_core"]
    r = await c.get("/api/v1/nowhere", headers=h)
    assert r.status == 404 and (await r.json())["error"] == "not_found"
    assert (await c.post("/api/v1/auth/logout", headers=h)).status == 200
    assert (await c.get("/api/v1/me", headers=h)).status == 401


async def test_login_when_wechat_is_down(api, make_settings, make_client) -> None:
    client = await make_client(make_settings(wechat={"api_base_url": "http://127.0.0.1:9"}))
    r = await client.post("/api/v1/auth/login", json={"code": "x"})
    assert r.status == 502 and (await r.json())["error"] == "wechat_unavailable"


async def test_bind_through_api(api) -> None:
    person = await User.create(role=Role.HELPER, display_name="赵强", town=api.town)
    code = await create_invite(person, 7)
    h = await api.login("newbie")
    r = await api.client.post("/api/v1/activities", json=body(), headers=h)
    assert r.status == 403 and (await r.json())["error"] == "not_bound"
    r = await api.client.post("/api/v1/auth/bind", json={"invite_code": "WRONG"}, headers=h)
    assert r.status == 400 and "邀请码" in (await r.json())["message"]
    r = await api.client.post("/api/v1/auth/bind", json={"invite_code": code}, headers=h)
    assert r.status == 200 and (await r.json())["display_name"] == "赵强"
    assert (await api.client.post("/api/v1/activities", json=body(), headers=h)).status == 201


async def test_activity_crud_with_photo(api) -> None:
    c, h = api.client, await api.login("h1")
    r = await c.post("/api/v1/activities", json=body(), headers=h)
    assert r.status == 201, await r.text()
    a = await r.json()
    assert a["village_name"] == "江湾村" and a["participants"] == 45 and a["kind_label"] == "普法宣传活动"
    listing = await (await c.get("/api/v1/activities", headers=h)).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == a["id"]
    r = await c.patch(f"/api/v1/activities/{a['id']}", json={"participants": 50}, headers=h)
    assert r.status == 200 and (await r.json())["participants"] == 50
    form = FormData()
    form.add_field("file", PNG, filename="p.png", content_type="image/png")
    r = await c.post(f"/api/v1/activities/{a['id']}/photos", data=form, headers=h)
    assert r.status == 201, await r.text()
    photo = await r.json()
    r = await c.get(f"/api/v1/activities/{a['id']}/photos/{photo['id']}", headers=h)
    assert r.status == 200 and await r.read() == PNG
    big = FormData()
    big.add_field("file", PNG + b"\x00" * 5000, filename="big.png", content_type="image/png")
    r = await c.post(f"/api/v1/activities/{a['id']}/photos", data=big, headers=h)
    assert r.status == 413 and (await r.json())["error"] == "too_large"
    fake = FormData()
    fake.add_field("file", b"MZ not an image", filename="x.png", content_type="image/png")
    assert (await c.post(f"/api/v1/activities/{a['id']}/photos", data=fake, headers=h)).status == 415
    assert await ActivityPhoto.all().count() == 1
    r = await c.delete(f"/api/v1/activities/{a['id']}", headers=h)
    assert r.status == 200 and (await r.json())["withdrawn"]
    r = await c.patch(f"/api/v1/activities/{a['id']}", json={"participants": 51}, headers=h)
    assert r.status == 409
    actions = [x.action for x in await ActivityChange.filter(activity_id=a["id"]).order_by("id")]
    assert actions == ["create", "update", "photo", "withdraw"]


BROKEN_MULTIPART = (  # a part header with a control character: aiohttp refuses it while reading the parts
    b'--b\r\nContent-Disposition: form-data; name="\x0bfile"\r\n\r\nx\r\n--b--\r\n'
)


async def test_a_broken_multipart_upload_is_a_clear_400(api) -> None:
    c, h = api.client, await api.login("h1")
    a = await (await c.post("/api/v1/activities", json=body(), headers=h)).json()
    r = await c.post(f"/api/v1/activities/{a['id']}/photos", data=BROKEN_MULTIPART,
                     headers={**h, "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status == 400 and (await r.json())["error"] == "invalid"
    assert await ActivityPhoto.all().count() == 0


async def test_validation_and_permissions(api) -> None:
    c, h1, h2 = api.client, await api.login("h1"), await api.login("h2")
    cases = [
        (body(date=(today() + dt.timedelta(days=3)).isoformat()), 422, "未来"),
        (body(participants=-1), 400, "participants"),
        (body(participants=999999), 400, "participants"),
        (body(village_name="火星村"), 422, "村"),
        (body(form="跳广场舞"), 422, "活动形式"),
        (body(date="2026-02-30"), 400, "date"),
        (body(extra=1), 400, "extra"),
        ({"kind": "publicity"}, 400, "date"),
    ]
    for payload, status, word in cases:
        r = await c.post("/api/v1/activities", json=payload, headers=h1)
        data = await r.json()
        assert r.status == status, (payload, data)
        assert word in data["message"] + data.get("field", ""), data
    r = await c.post("/api/v1/activities", data="not json", headers={**h1, "Content-Type": "application/json"})
    assert r.status == 400 and (await r.json())["error"] == "invalid_json"
    assert await Activity.all().count() == 0
    a = await (await c.post("/api/v1/activities", json=body(), headers=h1)).json()
    assert (await c.patch(f"/api/v1/activities/{a['id']}", json={"participants": 1}, headers=h2)).status == 404
    assert (await c.delete(f"/api/v1/activities/{a['id']}", headers=h2)).status == 404
    assert (await c.get("/api/v1/activities", headers=h2)).status == 200
    villager = await api.login("villager-x")
    r = await c.post("/api/v1/activities", json=body(), headers=villager)
    assert r.status == 403
    admin = await api.login("a1")
    r = await c.patch(f"/api/v1/activities/{a['id']}", json={"participants": 7}, headers=admin)
    assert r.status == 200 and (await r.json())["participants"] == 7
    await Activity.filter(id=a["id"]).update(created_at=a_old())
    r = await c.patch(f"/api/v1/activities/{a['id']}", json={"participants": 8}, headers=h1)
    assert r.status == 403 and (await r.json())["error"] == "edit_window_closed"


def a_old() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=8)


async def test_openapi_matches_routes(api) -> None:
    doc = await (await api.client.get("/api/v1/openapi.json")).json()
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    app = next(r._app for r in api.client.app.router.resources()  # the /api/v1 sub-application
               if isinstance(r, web.PrefixedSubAppResource) and r.canonical == "/api/v1")
    served = {(r.method, r.resource.canonical) for r in app.router.routes()  # type: ignore[union-attr]
              if r.method != "HEAD" and not r.resource.canonical.endswith("openapi.json")}  # type: ignore[union-attr]
    assert documented == served
    forms = await (await api.client.get("/api/v1/forms")).json()
    assert "法治公开课" in forms["forms"] and len(forms["kinds"]) == 3
