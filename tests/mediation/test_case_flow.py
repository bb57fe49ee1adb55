"""The life-cycle graph: every allowed edge, every refused one, and the 30-day rules."""

from __future__ import annotations

from datetime import date

import pytest

from models.mediation import Status
from services.case_flow import (
    CASE_TYPES,
    TRANSITIONS,
    Action,
    TransitionRefused,
    allowed_actions,
    check_confirmation_window,
    confirmation_deadline,
    follow_up_due,
    format_case_number,
    mediation_due,
    next_status,
)

ALLOWED = sorted(TRANSITIONS.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value))
REFUSED = [(s, a) for s in Status for a in Action if (s, a) not in TRANSITIONS]


def test_fifteen_standard_types() -> None:
    assert len(CASE_TYPES) == 15 and CASE_TYPES[-1] == "其他"


@pytest.mark.parametrize(("edge", "target"), ALLOWED, ids=[f"{s}-{a}" for (s, a), _ in ALLOWED])
def test_allowed(edge: tuple[Status, Action], target: Status) -> None:
    status, action = edge
    assert next_status(status, action) is target
    assert action in allowed_actions(status)


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=[f"{s}-{a}" for s, a in REFUSED])
def test_refused(status: Status, action: Action) -> None:
    with pytest.raises(TransitionRefused, match="不能"):
        next_status(status, action)
    assert action not in allowed_actions(status)


def test_graph_shape() -> None:
    assert allowed_actions(Status.ARCHIVED) == []
    assert set(allowed_actions(Status.REGISTERED)) == {Action.ACCEPT, Action.DECLINE}
    # every status is reachable from registration, and every path can end in the archive
    reach, frontier = {Status.REGISTERED}, [Status.REGISTERED]
    while frontier:
        s = frontier.pop()
        for a in allowed_actions(s):
            t = next_status(s, a)
            if t not in reach:
                reach.add(t)
                frontier.append(t)
    assert reach == set(Status)
    for s in Status:
        seen, stack = {s}, [s]
        while stack:
            cur = stack.pop()
            for a in allowed_actions(cur):
                t = next_status(cur, a)
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        assert Status.ARCHIVED in seen, s


def test_confirmation_window_is_thirty_days() -> None:
    eff = date(2026, 3, 1)
    assert confirmation_deadline(eff) == date(2026, 3, 31)
    check_confirmation_window(eff, "written", date(2026, 3, 1))
    check_confirmation_window(eff, "written", date(2026, 3, 31))
    with pytest.raises(TransitionRefused, match="超过司法确认申请期限"):
        check_confirmation_window(eff, "written", date(2026, 4, 1))
    with pytest.raises(TransitionRefused, match="书面"):
        check_confirmation_window(eff, "oral", date(2026, 3, 2))
    with pytest.raises(TransitionRefused, match="早于"):
        check_confirmation_window(eff, "written", date(2026, 2, 28))


def test_due_dates() -> None:
    assert mediation_due(date(2026, 1, 31), 30) == date(2026, 3, 2)
    assert follow_up_due(date(2026, 1, 1), None, 30) == date(2026, 1, 31)
    assert follow_up_due(date(2026, 1, 1), date(2026, 1, 10), 30) == date(2026, 1, 10)
    assert format_case_number(2026, "江湾", 12) == "〔2026〕江湾调字第12号"
