"""Mini-program intake: POST/GET /api/v1/cases for the caller's own cases only."""

from __future__ import annotations

from typing import Any

from models.mediation import Case, Party, Source
from tests.api.conftest import Api, api  # noqa: F401 - the fixture

NEW = {"case_type": "邻里", "applicant_name": "张小三", "applicant_phone": "13812341234", "other_name": "李四",
       "summary": "李四家的排水沟把雨水引到我家院子，说了几次都不改。"}


async def test_villager_applies_and_follows(api: Api) -> None:  # noqa: F811
    me = await api.login("villager-api-1")
    village = next(iter(api.villages.values()))
    resp = await api.client.post("/api/v1/cases", json={**NEW, "village_id": village.id}, headers=me)
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    # A registration gets a registration number; the 调字号 waits for 受理.
    assert "登字第1号" in created["reg_number"] and created["number"] is None
    assert created["status"] == "registered" and created["next_step"]
    assert "张小三" not in str(created)
    case = await Case.get(id=created["id"])
    assert case.applicant_openid == "villager-api-1" and case.source == Source.APPLIED
    assert {p.name for p in await Party.filter(case=case)} == {"张小三", "李四"}
    listed = await (await api.client.get("/api/v1/cases", headers=me)).json()
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    one = await api.client.get(f"/api/v1/cases/{created['id']}", headers=me)
    assert one.status == 200 and (await one.json())["reg_number"] == created["reg_number"]
    other = await api.login("villager-api-2")
    assert (await api.client.get(f"/api/v1/cases/{created['id']}", headers=other)).status == 404
    assert (await (await api.client.get("/api/v1/cases", headers=other)).json())["items"] == []
    assert (await api.client.get("/api/v1/cases")).status == 401


async def test_intake_refusals(api: Api) -> None:  # noqa: F811
    me = await api.login("villager-api-3")
    village = next(iter(api.villages.values()))
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({**NEW, "village_id": village.id, "case_type": "打架"}, 400, "case_type"),
        ({**NEW, "village_id": 999999}, 400, "village_id"),
        ({**NEW, "village_id": village.id, "applicant_phone": "123"}, 400, "applicant_phone"),
        ({**NEW, "village_id": village.id, "summary": "吵架"}, 400, "summary"),
        ({**NEW, "village_id": village.id, "source": "主动调解"}, 403, "source"),
    ]
    for payload, status, field in cases:
        resp = await api.client.post("/api/v1/cases", json=payload, headers=me)
        assert resp.status == status, (payload, await resp.text())
        assert (await resp.json()).get("field") == field
    assert await Case.all().count() == 0


async def test_helper_reports_initiative_case(api: Api) -> None:  # noqa: F811
    helper = await api.login(api.helper.openid)
    village = next(iter(api.villages.values()))
    payload = {**NEW, "village_id": village.id, "source": "主动调解", "applicant_phone": ""}
    resp = await api.client.post("/api/v1/cases", json=payload, headers=helper)
    assert resp.status == 201, await resp.text()
    case = await Case.get()
    assert case.source == Source.INITIATIVE and case.reporter_openid == api.helper.openid
    assert case.registered_by_id == api.helper.id  # type: ignore[attr-defined]
