"""One count of the figures serves a page, its charts and its downloads."""

from __future__ import annotations

from typing import Any

import pytest

from queries.figures import Period, ReportFigures
from reports import reporting
from reports.reporting import ReportRequest, SharedFigures, Targets


async def test_page_counts_afresh_and_its_charts_reuse_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[ReportRequest] = []

    async def gather(req: ReportRequest, targets: Targets) -> Any:
        calls.append(req)
        return ReportFigures(town=req.town, period=req.period)

    monkeypatch.setattr(reporting, "gather", gather)
    now = [100.0]
    shared = SharedFigures(ttl=60, clock=lambda: now[0])
    req, other = ReportRequest(Period.year(2023), town="江湾镇"), ReportRequest(Period.year(2024), town="江湾镇")
    page = await shared.get(req, Targets(), fresh=True)
    assert await shared.get(req, Targets()) is page  # the charts and downloads of that page
    assert len(calls) == 1
    await shared.get(other, Targets())  # another period is counted for itself
    assert len(calls) == 2
    assert await shared.get(req, Targets(), fresh=True) is not page  # a reload of the page counts again
    now[0] += 61
    await shared.get(other, Targets())  # kept too long: counted again
    assert len(calls) == 4
