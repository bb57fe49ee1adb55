"""Submitted reports: the text and figures of a 述法报告 section as sent up, frozen, and what has changed since."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from tortoise.exceptions import IntegrityError

from models.submitted_tables import SubmittedReport

# Figures a clerk recognises, in the order the report gives them; other changed figures are named by key.
LABELS = {
    "activities.meetings": "法治建设专题会议（次）",
    "activities.trainings": "镇村干部普法培训（次）",
    "activities.events": "法治宣传教育活动（次）",
    "activities.participants": "覆盖群众（人次）",
    "activities.materials": "发放普法资料（份）",
    "activities.consultations": "现场法律咨询（人次）",
    "helpers.helpers": "法律明白人（人）",
    "helpers.core": "法律明白人骨干（人）",
    "screenings.times": "矛盾纠纷排查（次）",
    "screenings.found": "排查发现矛盾纠纷（件）",
    "disputes.received": "登记矛盾纠纷（件）",
    "disputes.accepted": "受理（件）",
    "disputes.agreed": "调解成功（件）",
    "disputes.amount": "调解协议金额（元）",
    "questions.asked": "群众法律咨询（次）",
}


class AlreadySubmitted(Exception):
    """This report was submitted before; the message says when."""


def scope_key(town: str, county: bool, village: str, county_name: str = "全县") -> str:
    """The identity of what a report speaks for."""
    if county:
        return f"county:{county_name}"
    return f"town:{town}" + (f"/村:{village}" if village else "")


def flatten(figures: Any) -> dict[str, float]:
    """Every number of a figures tree (dataclasses, dicts of counts) under a dotted key; `previous` left out."""
    out: dict[str, float] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            out[prefix] = value
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name not in {"previous", "period"}:
                    walk(f"{prefix}.{f.name}" if prefix else f.name, getattr(value, f.name))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)

    walk("", figures)
    return out


def changes(frozen: dict[str, float], now: dict[str, float]) -> list[str]:
    """'法治宣传教育活动（次）：报送时35，现在36' for each figure that differs, the known ones first."""
    keys = [k for k in LABELS if k in frozen or k in now]
    keys += sorted(k for k in set(frozen) | set(now) if k not in LABELS)
    lines = []
    for k in keys:
        before, after = frozen.get(k, 0), now.get(k, 0)
        if before != after:
            lines.append(f"{LABELS.get(k, k)}：报送时{_n(before)}，现在{_n(after)}")
    return lines


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


async def submit(scope: str, first: dt.date, last: dt.date, text: str, figures: Any, by: str) -> SubmittedReport:
    """Freeze a report; AlreadySubmitted if this scope and period were submitted before."""
    try:
        return await SubmittedReport.create(scope=scope, period_start=first, period_last=last, text=text,
                                            figures=flatten(figures), submitted_by=by[:64])
    except IntegrityError:
        old = await SubmittedReport.get(scope=scope, period_start=first, period_last=last)
        raise AlreadySubmitted(f"这份报告已于{old.submitted_at:%Y年%-m月%-d日}报送，不能再改；"
                               "要看现在的数字请加 --current。") from None


async def find(scope: str, first: dt.date, last: dt.date) -> SubmittedReport | None:
    """The submitted report of this scope and period, if any."""
    return await SubmittedReport.get_or_none(scope=scope, period_start=first, period_last=last)
