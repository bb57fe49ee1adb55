"""The trigger-kept tallies give the same figures as the full recomputation from the records.

Random histories of writes, corrections, withdrawals, imports (bulk inserts), bulk updates and deletions
(of records, of a village, of a whole town) across month and year boundaries; after each, every period
is counted both ways. Runs on SQLite, and on PostgreSQL with MINGBAI_TEST_DB=postgres.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.connection import connections

from models.core import Town, Village
from models.mediation import Agreement, Case, FollowUp, JudicialConfirmation
from models.outreach import Activity, ActivityKind
from models.questions import QuestionLog
from models.tallies import rebuild_sql
from queries import statistics as stats
from queries.figures import Period

TZ = ZoneInfo("Asia/Shanghai")
PERIODS = [Period.year(2023), Period.year(2024), Period.quarter(2023, 1), Period.quarter(2023, 4),
           Period.month(2023, 1), Period.month(2023, 12), Period.month(2024, 1)]
# Days and instants on both sides of the boundaries the periods have (local midnight of 1 Jan etc.).
DAYS = st.sampled_from([dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2023, 1, 31), dt.date(2023, 3, 31),
                        dt.date(2023, 4, 1), dt.date(2023, 9, 30), dt.date(2023, 12, 31), dt.date(2024, 1, 1),
                        dt.date(2024, 2, 29)])
INSTANTS = st.builds(
    lambda day, minute: dt.datetime.combine(day, dt.time(), TZ) + dt.timedelta(minutes=minute),
    DAYS, st.sampled_from([0, 1, 60 * 7 + 59, 60 * 8, 60 * 23 + 59]))
COUNTS = st.integers(0, 500)
STATUSES = st.sampled_from(["registered", "accepted", "mediating", "declined", "failed", "terminated", "archived",
                            "agreed"])
OPTIONAL_DAY = st.none() | DAYS

activity = st.fixed_dictionaries({
    "town": st.integers(0, 1), "village": st.sampled_from([None, 0, 1]),
    "kind": st.sampled_from(list(ActivityKind)), "date": DAYS,
    "form": st.sampled_from(["", "法治公开课", "入户走访"]), "six_target": st.sampled_from(["", "乡村", "学校"]),
    "participants": COUNTS, "materials": COUNTS, "consultations": COUNTS, "withdrawn": st.booleans(),
})
case = st.fixed_dictionaries({
    "town": st.integers(0, 1), "village": st.sampled_from([None, 0, 1]), "village_name": st.sampled_from(["", "外村"]),
    "registered_at": INSTANTS, "case_type": st.sampled_from(["邻里", "合同"]),
    "source": st.sampled_from(["申请调解", "主动调解"]), "status": STATUSES, "accepted_on": OPTIONAL_DAY,
    "closed_on": OPTIONAL_DAY, "due_on": OPTIONAL_DAY, "fail_routes": st.sampled_from(["", "诉讼"]),
    "escalated": st.booleans(), "prevented_criminal": st.booleans(), "risk_escalation": st.booleans(),
    "escalation_recorded": st.booleans(), "referred_by": st.sampled_from(["", "信访"]),
})
op = st.one_of(
    st.tuples(st.just("activity"), activity),
    st.tuples(st.just("import"), st.lists(activity, min_size=1, max_size=4)),
    st.tuples(st.just("correct"), st.integers(0, 50), activity),
    st.tuples(st.just("withdraw"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("bulk_update"), st.integers(0, 1), COUNTS),
    st.tuples(st.just("delete_activity"), st.integers(0, 50)),
    st.tuples(st.just("case"), case),
    st.tuples(st.just("update_case"), st.integers(0, 50), case),
    st.tuples(st.just("delete_case"), st.integers(0, 50)),
    st.tuples(st.just("agreement"), st.integers(0, 50), st.none() | st.integers(0, 90000)),
    st.tuples(st.just("delete_agreement"), st.integers(0, 50)),
    st.tuples(st.just("follow_up"), st.integers(0, 50), st.sampled_from(["yes", "partly", "no"])),
    st.tuples(st.just("delete_follow_up"), st.integers(0, 50)),
    st.tuples(st.just("confirmation"), st.integers(0, 50), st.sampled_from(["pending", "confirmed", "rejected"])),
    st.tuples(st.just("question"), st.integers(0, 1), INSTANTS, st.sampled_from(["", "婚姻"]),
              st.sampled_from(["high", "low"])),
    st.tuples(st.just("delete_question"), st.integers(0, 50)),
    st.tuples(st.just("delete_village"), st.integers(0, 1)),
)


class World:
    """The towns and villages of one example, and the records made so far."""

    def __init__(self, towns: list[Town], villages: list[list[Village]]) -> None:
        self.towns, self.villages, self.seq = towns, villages, 0

    def place(self, spec: dict[str, Any]) -> dict[str, Any]:
        town = self.towns[spec["town"]]
        village = None if spec["village"] is None else self.villages[spec["town"]][spec["village"]]
        return {"town_id": town.id, "village_id": village.id if village else None}

    def activity(self, spec: dict[str, Any]) -> Activity:
        self.seq += 1
        fields = {k: v for k, v in spec.items() if k not in ("town", "village")}
        return Activity(**self.place(spec), **fields, natural_key=f"k{self.seq}", theme="民法典")

    def case_fields(self, spec: dict[str, Any]) -> dict[str, Any]:
        fields = {k: v for k, v in spec.items() if k not in ("town", "village")}
        return {**self.place(spec), **fields}


async def _pick(model: Any, i: int) -> Any:
    rows = await model.all().order_by("id")
    return rows[i % len(rows)] if rows else None


async def _apply(w: World, step: tuple[Any, ...]) -> None:
    kind = step[0]
    if kind == "activity":
        await w.activity(step[1]).save()
    elif kind == "import":
        await Activity.bulk_create([w.activity(s) for s in step[1]])
    elif kind == "correct" and (a := await _pick(Activity, step[1])):
        for k, v in {**w.place(step[2]), **{k: v for k, v in step[2].items() if k not in ("town", "village")}}.items():
            setattr(a, k, v)
        await a.save()
    elif kind == "withdraw" and (a := await _pick(Activity, step[1])):
        a.withdrawn = step[2]
        await a.save(update_fields=["withdrawn"])
    elif kind == "bulk_update":
        await Activity.filter(town_id=w.towns[step[1]].id).update(participants=step[2])
    elif kind == "delete_activity" and (a := await _pick(Activity, step[1])):
        await a.delete()
    elif kind == "case":
        w.seq += 1
        await Case.create(number=f"n{w.seq}", year=2023, seq=w.seq, **w.case_fields(step[1]))
    elif kind == "update_case" and (c := await _pick(Case, step[1])):
        await Case.filter(id=c.id).update(**w.case_fields(step[2]))
    elif kind == "delete_case" and (c := await _pick(Case, step[1])):
        await c.delete()
    elif kind == "agreement" and (c := await _pick(Case, step[1])):
        amount = None if step[2] is None else Decimal(step[2]) / 100
        if await Agreement.exists(case_id=c.id):
            await Agreement.filter(case_id=c.id).update(amount=amount)
        else:
            await Agreement.create(case_id=c.id, terms="按约履行", amount=amount, effective_on=dt.date(2023, 5, 1))
    elif kind == "delete_agreement" and (ag := await _pick(Agreement, step[1])):
        await ag.delete()
    elif kind == "follow_up" and (c := await _pick(Case, step[1])):
        await FollowUp.create(case_id=c.id, visited_on=dt.date(2023, 6, 1), performed=step[2], satisfied=True)
    elif kind == "delete_follow_up" and (fu := await _pick(FollowUp, step[1])):
        await fu.delete()
    elif kind == "confirmation" and (c := await _pick(Case, step[1])):
        await JudicialConfirmation.filter(case_id=c.id).delete()
        await JudicialConfirmation.create(case_id=c.id, applied_on=dt.date(2023, 6, 1), result=step[2])
    elif kind == "question":
        await QuestionLog.create(town_id=w.towns[step[1]].id, asker="h", question="问", topic=step[3], band=step[4],
                                 created_at=step[2])
    elif kind == "delete_question" and (q := await _pick(QuestionLog, step[1])):
        await q.delete()
    elif kind == "delete_village":  # its records keep their counts under the town (village_id set to NULL)
        old = w.villages[step[1]][0]
        await Village.filter(id=old.id).delete()
        w.seq += 1
        w.villages[step[1]][0] = await Village.create(town_id=old.town_id, name=f"新{w.seq}村")


def _plain(figures: Any) -> Any:
    data = dataclasses.asdict(figures)
    data["disputes"]["amount"] = round(data["disputes"]["amount"], 2)
    if data.get("previous"):
        data["previous"]["disputes"]["amount"] = round(data["previous"]["disputes"]["amount"], 2)
    return data


async def _tally_snapshot() -> list[list[tuple[Any, ...]]]:
    conn = connections.get("default")
    out = []
    for table in ("tally_activity", "tally_case", "tally_question"):
        rows = await conn.execute_query_dict(f"SELECT * FROM {table}")
        out.append(sorted(tuple(str(round(float(v), 2)) if k == "amount" else str(v) for k, v in sorted(r.items()))
                          for r in rows))
    return out


async def _tally_rows() -> int:
    conn = connections.get("default")
    total = 0
    for table in ("tally_activity", "tally_case", "tally_question"):
        total += int((await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])
    return total


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(op, min_size=1, max_size=20))
async def test_tallies_agree_with_the_records(db: Any, steps: list[tuple[Any, ...]]) -> None:
    towns = [await Town.create(name="江湾镇"), await Town.create(name="白沙镇")]
    villages = [[await Village.create(town=t, name=f"{t.name[:2]}{i}村") for i in range(2)] for t in towns]
    w = World(towns, villages)
    try:
        for step in steps:
            await _apply(w, step)
        for period in PERIODS:
            assert stats.uses_tallies(period, stats.Scope())
            fast = await stats.figures(period, towns, due_days=20)
            slow = await stats.figures(period, towns, due_days=20, source="records")
            assert {t: _plain(f) for t, f in fast.items()} == {t: _plain(f) for t, f in slow.items()}, period
        # the xlsx's grouped activity sheet, read from the tallies, has the groups of the records
        fast = await stats.report_detail(PERIODS[0], towns, max_rows=0)
        slow = await stats.report_detail(PERIODS[0], towns, max_rows=0, source="records")
        assert fast.activities == slow.activities
        for row in (*fast.disputes, *slow.disputes):
            row.amount = round(row.amount, 2)
        assert fast.disputes == slow.disputes
        # the rebuild (what the migration does for existing records) gives the rows the triggers kept
        kept = await _tally_snapshot()
        conn = connections.get("default")
        for sql in rebuild_sql(conn.capabilities.dialect == "postgres"):
            await conn.execute_script(sql)
        assert await _tally_snapshot() == kept
    finally:
        await Town.filter(id__in=[t.id for t in towns]).delete()
    assert await _tally_rows() == 0  # deleting the towns took every contribution away again
