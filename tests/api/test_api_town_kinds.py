"""The mini-program API refuses town-level kinds (专题会议, 镇村干部培训) to a helper and says who logs them."""

from __future__ import annotations

import datetime as dt

from knowledge.wording.dates import today
from models.outreach import Activity, ActivityKind
from tests.api.conftest import Api

YESTERDAY = today() - dt.timedelta(days=1)


async def test_mini_program_api(api: Api) -> None:
    c = api.client
    day = YESTERDAY.isoformat()
    kinds = (await (await c.get("/api/v1/forms")).json())["kinds"]
    assert {k["code"]: k["staff_only"] for k in kinds} == {"publicity": False, "training": True, "meeting": True}
    h = await api.login("h1")
    r = await c.post("/api/v1/activities", headers=h, json={"kind": "meeting", "date": day, "theme": "法治政府建设"})
    body = await r.json()
    assert r.status == 403 and body["error"] == "town_kind" and "镇里的工作人员" in body["message"]
    r = await c.post("/api/v1/activities", headers=h, json={"kind": "publicity", "date": day,
                                                              "village_name": "江湾村", "participants": 9})
    assert r.status == 201
    own = (await r.json())["id"]
    r = await c.patch(f"/api/v1/activities/{own}", headers=h, json={"kind": "training", "village_id": None})
    assert r.status == 403 and (await r.json())["error"] == "town_kind"
    a = await api.login("a1")
    r = await c.post("/api/v1/activities", headers=a, json={"kind": "training", "date": day, "theme": "宪法",
                                                              "participants": 40})
    assert r.status == 201
    assert sorted(x.kind for x in await Activity.all()) == [ActivityKind.PUBLICITY, ActivityKind.TRAINING]


