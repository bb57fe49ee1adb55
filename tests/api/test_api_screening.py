"""The mini-program's 排查 endpoints: log, not twice, list, withdraw, clear refusals."""

from __future__ import annotations

import asyncio

from models.screening_tables import Screening


def body(**over):
    return {"date": "2026-03-05", "village_name": "江湾村", "scope": "全村", "found": 3, "resolved": 2,
            "registered": 1, **over}


async def test_log_list_and_withdraw(api) -> None:
    c = api.client
    h = await api.login("h1")
    r = await c.post("/api/v1/screenings", json=body(), headers=h)
    assert r.status == 201, await r.text()
    item = await r.json()
    assert (item["village_name"], item["found"], item["level"], item["organiser"]) == ("江湾村", 3, "village", "李明")
    listed = await (await c.get("/api/v1/screenings", headers=h)).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == item["id"]
    other = await api.login("h2")
    assert (await (await c.get("/api/v1/screenings", headers=other)).json())["total"] == 0
    assert (await c.delete(f"/api/v1/screenings/{item['id']}", headers=other)).status == 404
    admin = await api.login("a1")
    assert (await (await c.get("/api/v1/screenings", headers=admin)).json())["total"] == 1
    r = await c.delete(f"/api/v1/screenings/{item['id']}", headers=h)
    assert r.status == 200 and (await r.json())["withdrawn"]


async def test_twenty_identical_posts_leave_one_row(api) -> None:
    h = await api.login("h1")
    responses = await asyncio.gather(*(api.client.post("/api/v1/screenings", json=body(), headers=h)
                                       for _ in range(20)))
    statuses = sorted(r.status for r in responses)
    assert statuses.count(201) == 1 and statuses.count(409) == 19
    assert await Screening.all().count() == 1
    conflict = await next(r for r in responses if r.status == 409).json()
    assert "已经登记过" in conflict["message"]


async def test_bad_input_is_refused_in_chinese(api) -> None:
    c = api.client
    h = await api.login("h1")
    cases = [
        (body(date="2099-01-01"), 422, "未来"),
        (body(date="2026-02-30"), 400, "日期"),
        (body(found=1, resolved=1, registered=1), 422, "不能超过"),
        (body(village_name="火星村"), 422, "没有"),
        (body(level="town", village_name=None), 403, "工作人员"),
    ]
    for payload, status, words in cases:
        payload = {k: v for k, v in payload.items() if v is not None}
        r = await c.post("/api/v1/screenings", json=payload, headers=h)
        assert r.status == status, (payload, await r.text())
        assert words in (await r.json())["message"]
    assert await Screening.all().count() == 0
    villager = await api.login("v-somebody")
    assert (await c.post("/api/v1/screenings", json=body(), headers=villager)).status == 403
