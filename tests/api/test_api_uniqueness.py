"""The API saves an activity once: concurrent identical posts, and retries carrying an Idempotency-Key."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from models.outreach import Activity
from tests.api.conftest import Api

pytestmark = pytest.mark.db
DAY = dt.date(2025, 5, 12)


async def test_twenty_concurrent_identical_api_posts_leave_one_row(api: Api) -> None:
    h = await api.login("h1")
    body = {"kind": "publicity", "date": DAY.isoformat(), "village_name": "江湾村", "form": "法治公开课",
            "theme": "民法典", "participants": 45, "materials": 120}
    responses = await asyncio.gather(*(api.client.post("/api/v1/activities", json=body, headers=h)
                                       for _ in range(20)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [201] + [409] * 19
    row = await Activity.get()
    for r in responses:
        data = await r.json()
        assert data.get("id", data.get("existing_id")) == row.id
        if r.status == 409:
            assert data["error"] == "duplicate" and f"编号{row.id}" in data["message"]
    assert await Activity.all().count() == 1


async def test_a_retried_submission_with_its_key_gets_the_first_answer(api: Api) -> None:
    h = await api.login("h1")
    body = {"kind": "publicity", "date": DAY.isoformat(), "village_name": "江湾村", "theme": "宪法",
            "participants": 12}
    first, *retries = await asyncio.gather(*(
        api.client.post("/api/v1/activities", json=body, headers={**h, "Idempotency-Key": "sub-1"})
        for _ in range(5)))
    ids = {(await r.json())["id"] for r in (first, *retries)}
    assert {r.status for r in (first, *retries)} == {201} and len(ids) == 1
    # the same key with other figures names the first submission, not a new one
    r = await api.client.post("/api/v1/activities", json={**body, "participants": 13},
                              headers={**h, "Idempotency-Key": "sub-1"})
    assert r.status == 201 and (await r.json())["id"] in ids
    assert await Activity.all().count() == 1


async def test_concurrent_invite_guesses_are_counted_before_they_are_checked(api: Api) -> None:
    h = await api.login("guesser")
    responses = await asyncio.gather(*(
        api.client.post("/api/v1/auth/bind", json={"invite_code": f"WRONG{i:03d}"}, headers=h) for i in range(60)))
    statuses = [r.status for r in responses]
    assert statuses.count(400) == 5 and statuses.count(429) == 55
