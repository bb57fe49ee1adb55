"""Statistics for the report and the dashboard: read queries aggregated in SQL (SQLite and PostgreSQL).

Every query groups by town, so one pass serves a town, a village or the whole county. Periods are
local dates (Asia/Shanghai); a case belongs to the period in which it was registered, and its outcome
is what has become of it since. Coverage is a snapshot of the active helpers today.

Whole months of towns and the county are read from the trigger-kept tallies (models.tallies); the
queries over the records stay as the reference (source="records") and serve villages and partial months.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.connection import connections

from models.core import Town
from models.tallies import OUTCOME, Dialect
from queries.figures import (
    KIND_EVENT,
    KIND_MEETING,
    KIND_TRAINING,
    OUTCOME_AGREED,
    OUTCOME_FAILED,
    OUTCOME_ONGOING,
    OUTCOME_REJECTED,
    OUTCOME_TERMINATED,
    ActivityRow,
    CountyFigures,
    DisputeRow,
    Period,
    ReportDetail,
    ReportFigures,
    VillageCoverage,
    sum_figures,
)
from queries.screening_figures import figures_by_town

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
KIND_CODES = {"publicity": KIND_EVENT, "training": KIND_TRAINING, "meeting": KIND_MEETING}
# Above this the detail sheets are grouped (town x month x kind, town x month x outcome): a town's year is far
# below it (hundreds of cases, a few thousand entries), a county's is not, and a sheet of 20,000 rows alone
# takes openpyxl several seconds to write.
MAX_DETAIL_ROWS = 5_000
SOURCE_LABELS = {"申请调解": "申请调解", "主动调解": "主动调解", "接受委托移送": "接受委托移送"}

# What became of a case, from its status and its records (an archived case keeps its agreement row,
# its fail_routes (§26) or neither): one of the report's outcome words. The tallies' triggers use the same CASE.
_OUTCOME = OUTCOME
_OUTCOME_ATTRS = {OUTCOME_AGREED: "agreed", OUTCOME_FAILED: "failed", OUTCOME_TERMINATED: "terminated",
                  OUTCOME_REJECTED: "rejected", OUTCOME_ONGOING: "in_progress"}
_LINKED = {"followups": "followups", "followups_done": "followups_performed", "jc_applied": "judicial_applied",
           "jc_confirmed": "judicial_confirmed"}


# A case's current agreement: one a later mediation replaced stays in the file but is not counted.
_AGREEMENT_JOIN = "LEFT JOIN mediation_agreement ag ON ag.case_id = c.id AND ag.superseded_at IS NULL"


@dataclass(frozen=True)
class Scope:
    """Which records: some towns (None = all), optionally one village."""

    town_ids: tuple[int, ...] | None = None
    village_id: int | None = None


class Params:
    """The values of one statement, each written into the SQL as the placeholder `add` returns: numbered, in
    the dialect's style chosen once (`?1` on SQLite, `$1` on PostgreSQL), so the driver binds them by number
    and the text is never rewritten. `more()` copies the values for a statement that adds its own."""

    def __init__(self, mark: str, values: Sequence[Any] = ()) -> None:
        self.mark = mark
        self.values = list(values)

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"{self.mark}{len(self.values)}"

    def more(self) -> Params:
        return Params(self.mark, self.values)


class _Db:
    """Dialect differences: placeholders, month and day arithmetic."""

    def __init__(self) -> None:
        self.conn = connections.get("default")
        self.pg = self.conn.capabilities.dialect == "postgres"

    def params(self) -> Params:
        return Params("$" if self.pg else "?")

    def month(self, col: str) -> str:
        return f"to_char({col}, 'YYYY-MM')" if self.pg else f"strftime('%Y-%m', {col})"

    def instant(self, col: str) -> str:
        """A timestamp column comparable with `bound()` values (SQLite keeps text with an offset)."""
        return col if self.pg else f"datetime({col})"

    def bound(self, value: dt.datetime) -> Any:
        return value if self.pg else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def days(self, later: str, earlier: str) -> str:
        return f"({later} - {earlier})" if self.pg else f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    async def rows(self, sql: str, params: Params) -> list[dict[str, Any]]:
        return list(await self.conn.execute_query_dict(sql, params.values))


def _where(scope: Scope, alias: str, params: Params, village_col: str = "village_id") -> str:
    parts = []
    if scope.town_ids is not None:
        parts.append(f"{alias}.town_id IN ({','.join(params.add(t) for t in scope.town_ids) or 'NULL'})")
    if scope.village_id is not None:
        parts.append(f"{alias}.{village_col} = {params.add(scope.village_id)}")
    return "".join(f" AND {p}" for p in parts)


def _utc_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.start, dt.time(), LOCAL_TZ).astimezone(dt.UTC)
    end = dt.datetime.combine(period.end, dt.time(), LOCAL_TZ).astimezone(dt.UTC)
    return start, end


def _n(value: Any) -> int:
    return int(value or 0)


def _kind_totals(f: ReportFigures, kind: str, n: int, p: int, m: int, c: int) -> None:
    a = f.activities
    if kind == "publicity":
        a.events, a.participants, a.materials, a.consultations = n, p, m, c
    elif kind == "training":
        a.trainings, a.training_participants = n, p
    elif kind == "meeting":
        a.meetings = n


def _add_activities(out: dict[int, ReportFigures], totals: list[dict[str, Any]],
                    groups: dict[str, list[dict[str, Any]]]) -> None:
    """Add per-town kind totals and per-town groups (by_form, ...), from the records or the tallies."""
    for r in totals:
        if r["t"] in out:
            _kind_totals(out[r["t"]], r["k"], _n(r["n"]), _n(r["p"]), _n(r["m"]), _n(r["c"]))
    for attr, rows in groups.items():
        for r in rows:
            if r["t"] in out and r["g"] and _n(r["n"]):
                key = _day(r["g"])[:7] if attr == "by_month" else str(r["g"])  # a month: 'YYYY-MM'
                getattr(out[r["t"]].activities, attr)[key] = _n(r["n"])


async def _activities(db: _Db, period: Period, scope: Scope, out: dict[int, ReportFigures], full: bool) -> None:
    params = db.params()
    base = (f"FROM outreach_activity a WHERE a.date >= {params.add(period.start)} AND a.date < {params.add(period.end)}"
            f" AND NOT a.withdrawn{_where(scope, 'a', params)}")
    totals = db.rows(
        "SELECT a.town_id AS t, a.kind AS k, COUNT(*) AS n, SUM(a.participants) AS p, SUM(a.materials) AS m, "
        f"SUM(a.consultations) AS c {base} GROUP BY a.town_id, a.kind", params,
    )
    if not full:
        _add_activities(out, await totals, {})
        return
    pub = f"{base} AND a.kind = 'publicity'"
    groups = {
        "by_form": ("a.form", ""),
        "by_target": ("a.six_target", ""),
        "by_month": (db.month("a.date"), ""),
        "by_village": ("COALESCE(v.name, '')", " LEFT JOIN village v ON v.id = a.village_id"),
    }
    queries = []
    for expr, join in groups.values():
        sql = f"SELECT a.town_id AS t, {expr} AS g, COUNT(*) AS n {pub} GROUP BY a.town_id, {expr}"
        queries.append(db.rows(sql.replace("FROM outreach_activity a", "FROM outreach_activity a" + join, 1), params))
    # On PostgreSQL the queries run side by side on the pool's connections (SQLite takes them in turn).
    total_rows, *group_rows = await asyncio.gather(totals, *queries)
    _add_activities(out, total_rows, dict(zip(groups, group_rows, strict=True)))


def _add_outcomes(out: dict[int, ReportFigures], rows: list[dict[str, Any]]) -> None:
    """Add rows of (town, outcome) sums, from the records or the tallies, to the towns' dispute figures."""
    closed_days: dict[int, tuple[int, int]] = {}
    for r in rows:
        f = out.get(r["t"])
        if f is None:
            continue
        d, n = f.disputes, _n(r["n"])
        d.received += n
        d.accepted += _n(r["accepted"])
        d.amount += float(r["amount"] or 0)
        d.overdue += _n(r.get("overdue"))
        d.escalated += _n(r["escalated"])
        d.prevented_criminal += _n(r["prevented"])
        d.risk_flagged += _n(r["risk"])
        d.closed += _n(r["closed"])
        d.escalation_recorded += _n(r["esc_recorded"])
        d.from_petition += _n(r["petition"])
        for column, name in _LINKED.items():  # the tallies carry them; the records count them apart
            if column in r:
                setattr(d, name, getattr(d, name) + _n(r[column]))
        total, count = closed_days.get(r["t"], (0, 0))
        closed_days[r["t"]] = (total + _n(r["closed_days"]), count + _n(r["closed_n"]))
        outcome = _OUTCOME_ATTRS.get(r["o"])
        if outcome:
            setattr(d, outcome, getattr(d, outcome) + n)
    for t, (total, count) in closed_days.items():
        out[t].disputes.avg_days_to_close = round(total / count, 1) if count else None


async def _disputes(
    db: _Db, period: Period, scope: Scope, out: dict[int, ReportFigures], full: bool, due_days: int
) -> None:
    start, end = _utc_bounds(period)
    params = db.params()
    reg = db.instant("c.registered_at")
    base = (f"FROM mediation_case c {_AGREEMENT_JOIN} WHERE {reg} >= {params.add(db.bound(start))} "
            f"AND {reg} < {params.add(db.bound(end))}{_where(scope, 'c', params)}")
    if not full:
        for r in await db.rows(f"SELECT c.town_id AS t, COUNT(*) AS n {base} GROUP BY c.town_id", params):
            if r["t"] in out:
                out[r["t"]].disputes.received = _n(r["n"])
        return
    asof = min(dt.datetime.now(LOCAL_TZ).date(), period.last_day)
    days = db.days("c.closed_on", "c.accepted_on")
    closed = f"c.closed_on IS NOT NULL AND c.accepted_on IS NOT NULL AND ({_OUTCOME}) <> '{OUTCOME_REJECTED}'"
    late = params.more()
    sql = f"""SELECT c.town_id AS t, {_OUTCOME} AS o, COUNT(*) AS n,
        SUM(CASE WHEN c.accepted_on IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
        SUM(COALESCE(ag.amount, 0)) AS amount,
        SUM(CASE WHEN {closed} THEN {days} ELSE 0 END) AS closed_days,
        SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) AS closed_n,
        SUM(CASE WHEN (c.closed_on IS NULL AND c.due_on < {late.add(asof)})
            OR ({closed} AND {days} > {late.add(due_days)}) THEN 1 ELSE 0 END) AS overdue,
        SUM(CASE WHEN c.escalated THEN 1 ELSE 0 END) AS escalated,
        SUM(CASE WHEN c.prevented_criminal THEN 1 ELSE 0 END) AS prevented,
        SUM(CASE WHEN c.risk_escalation THEN 1 ELSE 0 END) AS risk,
        SUM(CASE WHEN c.closed_on IS NOT NULL THEN 1 ELSE 0 END) AS closed,
        SUM(CASE WHEN c.closed_on IS NOT NULL AND (c.escalation_recorded OR c.escalated) THEN 1 ELSE 0 END)
            AS esc_recorded,
        SUM(CASE WHEN c.referred_by = '信访' THEN 1 ELSE 0 END) AS petition
        {base} GROUP BY c.town_id, {_OUTCOME}"""
    _add_outcomes(out, await db.rows(sql, late))
    groups = {
        "by_type": ("c.case_type", ""),
        "by_source": ("c.source", ""),
        "by_village": ("COALESCE(v.name, c.village_name, '')", " LEFT JOIN village v ON v.id = c.village_id"),
    }
    for attr, (expr, join) in groups.items():
        sql = f"SELECT c.town_id AS t, {expr} AS g, COUNT(*) AS n {base} GROUP BY c.town_id, {expr}"
        if join:
            sql = sql.replace("FROM mediation_case c", "FROM mediation_case c" + join, 1)
        for r in await db.rows(sql, params):
            if r["t"] in out and r["g"]:
                getattr(out[r["t"]].disputes, attr)[str(r["g"])] = _n(r["n"])
    sql = f"""SELECT c.town_id AS t, COUNT(fu.id) AS visits,
        COUNT(DISTINCT CASE WHEN fu.performed = 'yes' THEN fu.case_id END) AS done
        {base.replace(_AGREEMENT_JOIN, "JOIN mediation_follow_up fu ON fu.case_id = c.id")}
        GROUP BY c.town_id"""
    for r in await db.rows(sql, params):
        if r["t"] in out:
            out[r["t"]].disputes.followups += _n(r["visits"])
            out[r["t"]].disputes.followups_performed += _n(r["done"])
    sql = f"""SELECT c.town_id AS t, COUNT(*) AS applied,
        SUM(CASE WHEN jc.result = 'confirmed' THEN 1 ELSE 0 END) AS confirmed
        {base.replace(_AGREEMENT_JOIN, "JOIN mediation_confirmation jc ON jc.case_id = c.id")}
        GROUP BY c.town_id"""
    for r in await db.rows(sql, params):
        if r["t"] in out:
            out[r["t"]].disputes.judicial_applied += _n(r["applied"])
            out[r["t"]].disputes.judicial_confirmed += _n(r["confirmed"])


def _add_questions(out: dict[int, ReportFigures], rows: list[dict[str, Any]]) -> None:
    """Add per-town, per-topic question counts, from the log or the tallies."""
    for r in rows:
        f = out.get(r["t"])
        if f is None or not _n(r["n"]):
            continue
        q = f.questions
        q.asked += _n(r["n"])
        q.unanswered += _n(r["low"])
        if r["topic"]:
            q.by_topic[r["topic"]] = q.by_topic.get(r["topic"], 0) + _n(r["n"])


async def _questions(db: _Db, period: Period, scope: Scope, out: dict[int, ReportFigures]) -> None:
    """Villagers' questions (the anonymised log); band 'low' means no answer could be given.

    A question has a village when its asker followed through that village's QR code.
    """
    start, end = _utc_bounds(period)
    params = db.params()
    at = db.instant("q.created_at")
    where = f"WHERE {at} >= {params.add(db.bound(start))} AND {at} < {params.add(db.bound(end))}"
    where += _where(scope, "q", params)
    sql = f"""SELECT q.town_id AS t, q.topic AS topic, COUNT(*) AS n,
        SUM(CASE WHEN q.band = 'low' THEN 1 ELSE 0 END) AS low
        FROM question_log q {where} GROUP BY q.town_id, q.topic"""
    _add_questions(out, await db.rows(sql, params))
    await _question_villages(db, period, scope, out)


async def _question_villages(db: _Db, period: Period, scope: Scope, out: dict[int, ReportFigures]) -> None:
    """Questions of askers who came through a village's QR code, per village (few: read from the log)."""
    start, end = _utc_bounds(period)
    params = db.params()
    at = db.instant("q.created_at")
    where = f"WHERE {at} >= {params.add(db.bound(start))} AND {at} < {params.add(db.bound(end))}"
    where += _where(scope, "q", params)
    sql = f"""SELECT q.town_id AS t, v.name AS g, COUNT(*) AS n
        FROM question_log q JOIN village v ON v.id = q.village_id {where} GROUP BY q.town_id, v.name"""
    for r in await db.rows(sql, params):
        if r["t"] in out:
            out[r["t"]].questions.by_village[str(r["g"])] = _n(r["n"])


def uses_tallies(period: Period, scope: Scope) -> bool:
    """Whole months of a town or the county come from the tallies; a village or a part of a month is counted
    from the records (a village's records are few and indexed; the tallies keep no village per dimension)."""
    return scope.village_id is None and period.start.day == 1 and period.end.day == 1


async def _activities_tally(db: _Db, period: Period, scope: Scope, out: dict[int, ReportFigures], full: bool
                            ) -> None:
    params = db.params()
    base = (f"FROM tally_activity t WHERE t.month >= {params.add(period.start)} AND t.month < {params.add(period.end)}"
            f"{_where(scope, 't', params)}")
    totals = db.rows(
        "SELECT t.town_id AS t, t.kind AS k, SUM(t.n) AS n, SUM(t.participants) AS p, SUM(t.materials) AS m, "
        f"SUM(t.consultations) AS c {base} AND t.dim = '' GROUP BY t.town_id, t.kind", params)
    if not full:
        _add_activities(out, await totals, {})
        return
    pub = f"{base} AND t.kind = 'publicity'"
    groups = {
        "by_form": ("t.value", "", "form"),
        "by_target": ("t.value", "", "target"),
        "by_month": ("t.month", "", ""),
        "by_village": ("COALESCE(v.name, '')", " LEFT JOIN village v ON v.id = t.village_id", ""),
    }
    queries = []
    for expr, join, dim in groups.values():
        sql = f"SELECT t.town_id AS t, {expr} AS g, SUM(t.n) AS n {pub} AND t.dim = '{dim}' GROUP BY t.town_id, {expr}"
        queries.append(db.rows(sql.replace("FROM tally_activity t", "FROM tally_activity t" + join, 1), params))
    total_rows, *group_rows = await asyncio.gather(totals, *queries)
    _add_activities(out, total_rows, dict(zip(groups, group_rows, strict=True)))



async def _disputes_tally(
    db: _Db, period: Period, scope: Scope, out: dict[int, ReportFigures], full: bool, due_days: int
) -> None:
    params = db.params()
    base = (f"FROM tally_case t WHERE t.month >= {params.add(period.start)} AND t.month < {params.add(period.end)}"
            f"{_where(scope, 't', params)}")
    if not full:
        for r in await db.rows(f"SELECT t.town_id AS t, SUM(t.n) AS n {base} AND t.dim = 'outcome' "
                               "GROUP BY t.town_id", params):
            if r["t"] in out:
                out[r["t"]].disputes.received = _n(r["n"])
        return
    asof = min(dt.datetime.now(LOCAL_TZ).date(), period.last_day)
    sums = ", ".join(f"SUM(t.{c}) AS {c}" for c in ("n", "accepted", "amount", "closed_n", "closed_days",
                                                     "escalated", "prevented", "risk", "followups",
                                                     "followups_done", "jc_applied", "jc_confirmed", "closed",
                                                     "esc_recorded", "petition"))
    outcome = db.rows(f"SELECT t.town_id AS t, t.value AS o, {sums} {base} AND t.dim = 'outcome' "
                      "GROUP BY t.town_id, t.value", params)
    late = params.more()
    overdue = db.rows(
        f"SELECT t.town_id AS t, SUM(t.n) AS n {base} AND ((t.dim = 'due' AND t.value < {late.add(asof.isoformat())}) "
        f"OR (t.dim = 'days' AND CAST(t.value AS INTEGER) > {late.add(due_days)})) GROUP BY t.town_id", late)
    groups = {
        "by_type": ("t.value", "", "type"),
        "by_source": ("t.value", "", "source"),
        "by_village": ("COALESCE(v.name, t.value)", " LEFT JOIN village v ON v.id = t.village_id", "village"),
    }
    queries = [db.rows(f"SELECT t.town_id AS t, {expr} AS g, SUM(t.n) AS n "
                       f"{base.replace('t WHERE', 't' + join + ' WHERE', 1)} AND t.dim = '{dim}' "
                       f"GROUP BY t.town_id, {expr}", params)
               for expr, join, dim in groups.values()]
    outcome_rows, overdue_rows, *group_rows = await asyncio.gather(outcome, overdue, *queries)
    _add_outcomes(out, outcome_rows)
    for r in overdue_rows:
        if r["t"] in out:
            out[r["t"]].disputes.overdue = _n(r["n"])
    for attr, rows in zip(groups, group_rows, strict=True):
        for r in rows:
            if r["t"] in out and r["g"] and _n(r["n"]):
                target = getattr(out[r["t"]].disputes, attr)
                target[str(r["g"])] = target.get(str(r["g"]), 0) + _n(r["n"])


async def _questions_tally(db: _Db, period: Period, scope: Scope, out: dict[int, ReportFigures]) -> None:
    params = db.params()
    sql = (f"SELECT t.town_id AS t, t.topic AS topic, SUM(t.n) AS n, SUM(t.low) AS low FROM tally_question t "
           f"WHERE t.month >= {params.add(period.start)} AND t.month < {params.add(period.end)}"
           f"{_where(scope, 't', params)} GROUP BY t.town_id, t.topic")
    _add_questions(out, await db.rows(sql, params))
    await _question_villages(db, period, scope, out)


# Helpers in service at the period's end: joined by then (or before records began) and not yet left, so a
# past year's figure stays as it was when people join or leave later (models.helper_tables.HelperProfile).
def _roster(params: Params, day: dt.date) -> str:
    return f"""SELECT u.id AS id, u.town_id AS town_id, u.village_id AS village_id, u.is_core AS is_core,
    COALESCE(hp.households, 0) AS covered
    FROM "user" u LEFT JOIN helper_profile hp ON hp.user_id = u.id
    WHERE u.role = 'helper' AND (u.active OR hp.left_on IS NOT NULL)
      AND (hp.joined_on IS NULL OR hp.joined_on < {params.add(day)})
      AND (hp.left_on IS NULL OR hp.left_on >= {params.add(day)})"""


async def _helpers(db: _Db, scope: Scope, out: dict[int, ReportFigures], ratio: int, floor: int,
                   period: Period, share: float = 0.5) -> None:
    params = db.params()
    roster = _roster(params, period.end)
    where = _where(scope, "v", params, village_col="id")
    sql = f"""SELECT v.town_id AS t, v.name AS name, v.households AS hh, COUNT(u.id) AS helpers,
        SUM(CASE WHEN u.is_core THEN 1 ELSE 0 END) AS core, SUM(u.covered) AS covered
        FROM village v LEFT JOIN ({roster}) u ON u.village_id = v.id
        WHERE 1 = 1{where} GROUP BY v.town_id, v.id, v.name, v.households ORDER BY v.name"""
    for r in await db.rows(sql, params):
        f = out.get(r["t"])
        if f is None:
            continue
        h = f.helpers
        h.villages.append(VillageCoverage(r["name"], _n(r["hh"]), _n(r["helpers"]), _n(r["core"]), ratio, floor,
                                          f.town, covered=_n(r["covered"]), share=share))
        h.helpers += _n(r["helpers"])
        h.core += _n(r["core"])
    if scope.village_id is None:  # helpers registered without a village count for the town
        params = db.params()
        sql = f"""SELECT u.town_id AS t, COUNT(*) AS n, SUM(CASE WHEN u.is_core THEN 1 ELSE 0 END) AS core
            FROM ({_roster(params, period.end)}) u WHERE u.village_id IS NULL{_where(scope, 'u', params)}
            GROUP BY u.town_id"""
        for r in await db.rows(sql, params):
            if r["t"] in out:
                out[r["t"]].helpers.helpers += _n(r["n"])
                out[r["t"]].helpers.core += _n(r["core"])


async def _screenings(period: Period, scope: Scope, out: dict[int, ReportFigures]) -> None:
    """矛盾纠纷排查 of the period per town (queries.screening_figures)."""
    for tid, f in (await figures_by_town(scope.town_ids, period.start, period.end, scope.village_id)).items():
        if tid in out:
            out[tid].screenings = f


async def figures(
    period: Period,
    towns: Sequence[Town],
    *,
    village_id: int | None = None,
    village_name: str | None = None,
    ratio: int = 10,
    floor: int = 3,
    due_days: int = 30,
    compare: bool = True,
    source: str = "auto",
    share: float = 0.5,
) -> dict[int, ReportFigures]:
    """The figures of each town for a period (and optionally one village), with last year's totals.

    source "auto" reads whole months of towns from the tallies (models.tallies) and anything else from the
    records; "records" always recomputes from the records (the reference the tallies are tested against).
    """
    db = _Db()
    scope = Scope(tuple(t.id for t in towns), village_id)
    out = {t.id: ReportFigures(town=t.name, period=period, village=village_name) for t in towns}
    for f in out.values():
        f.helpers.ratio, f.helpers.floor, f.helpers.share = ratio, floor, share
    prev_period = period.previous_year()
    prev = {t.id: ReportFigures(town=t.name, period=prev_period, village=village_name) for t in towns}
    tally, tally_prev = (source == "auto" and uses_tallies(p, scope) for p in (period, prev_period))
    work = [
        (_activities_tally if tally else _activities)(db, period, scope, out, full=True),
        (_disputes_tally if tally else _disputes)(db, period, scope, out, full=True, due_days=due_days),
        _helpers(db, scope, out, ratio, floor, period, share),
        (_questions_tally if tally else _questions)(db, period, scope, out),
        _screenings(period, scope, out),
    ]
    if compare:
        work += [(_activities_tally if tally_prev else _activities)(db, prev_period, scope, prev, full=False),
                 (_disputes_tally if tally_prev else _disputes)(db, prev_period, scope, prev, full=False,
                                                                due_days=due_days)]
    await asyncio.gather(*work)
    if compare:
        for tid, p in prev.items():
            if p.has_data:
                out[tid].previous = p
    return out


async def town_figures(
    period: Period, town: Town, *, village_id: int | None = None, village_name: str | None = None,
    ratio: int = 10, floor: int = 3, due_days: int = 30, compare: bool = True, source: str = "auto",
    share: float = 0.5,
) -> ReportFigures:
    """One town's figures, optionally for one of its villages."""
    per_town = await figures(period, [town], village_id=village_id, village_name=village_name, ratio=ratio,
                             floor=floor, due_days=due_days, compare=compare, source=source, share=share)
    return per_town[town.id]


async def county_figures(
    period: Period, county: str = "全县", *, ratio: int = 10, floor: int = 3, due_days: int = 30,
    compare: bool = True, source: str = "auto", share: float = 0.5,
) -> CountyFigures:
    """Every town side by side and the county totals."""
    towns = await Town.all().order_by("id")
    per_town = await figures(period, towns, ratio=ratio, floor=floor, due_days=due_days, compare=compare,
                             source=source, share=share)
    parts = [per_town[t.id] for t in towns]
    return CountyFigures(county, period, parts, sum_figures(parts, county, period))


def _day(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, dt.datetime):
        return value.astimezone(LOCAL_TZ).date().isoformat()
    return str(value.isoformat())


def _local_day(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(LOCAL_TZ).date().isoformat()
    return _day(value)


async def report_detail(
    period: Period, towns: Sequence[Town], *, village_id: int | None = None, max_rows: int = MAX_DETAIL_ROWS,
    source: str = "auto",
) -> ReportDetail:
    """The rows behind the figures: activities (grouped when there are many) and disputes without personal data."""
    db = _Db()
    scope = Scope(tuple(t.id for t in towns), village_id)
    names = {t.id: t.name for t in towns}
    params = db.params()
    base = (
        "FROM outreach_activity a LEFT JOIN village v ON v.id = a.village_id "
        f"WHERE a.date >= {params.add(period.start)} AND a.date < {params.add(period.end)} AND NOT a.withdrawn"
        f"{_where(scope, 'a', params)}"
    )
    tally = source == "auto" and uses_tallies(period, scope)
    tparams = db.params()
    tbase = (f"FROM tally_activity t LEFT JOIN village v ON v.id = t.village_id WHERE t.month >= "
             f"{tparams.add(period.start)} AND t.month < {tparams.add(period.end)} AND t.dim = ''"
             f"{_where(scope, 't', tparams)}")
    if tally:
        total = _n((await db.rows(f"SELECT SUM(t.n) AS n {tbase}", tparams))[0]["n"])
    else:
        total = _n((await db.rows(f"SELECT COUNT(*) AS n {base}", params))[0]["n"])
    detail = ReportDetail(activities_grouped=total > max_rows)
    # Too many entries: one row per town, month and kind (the villages' counts are on the coverage sheet).
    if detail.activities_grouped and tally:  # the tallies are these groups already
        sql = (f"SELECT t.town_id AS t, t.month AS d, '' AS village, t.kind AS k, SUM(t.n) AS n, "
               f"SUM(t.participants) AS p, SUM(t.materials) AS m, SUM(t.consultations) AS c {tbase} "
               f"GROUP BY t.town_id, t.month, t.kind HAVING SUM(t.n) > 0 ORDER BY t.town_id, 2, 4")
        for r in await db.rows(sql, tparams):
            detail.activities.append(ActivityRow(_day(r["d"])[:7], r["village"], KIND_CODES.get(r["k"], r["k"]),
                                                 participants=_n(r["p"]), materials=_n(r["m"]),
                                                 consultations=_n(r["c"]), count=_n(r["n"]), town=names[r["t"]]))
    elif detail.activities_grouped:
        month = db.month("a.date")
        sql = (f"SELECT a.town_id AS t, {month} AS d, '' AS village, a.kind AS k, COUNT(*) AS n, "
               f"SUM(a.participants) AS p, SUM(a.materials) AS m, SUM(a.consultations) AS c {base} "
               f"GROUP BY a.town_id, {month}, a.kind ORDER BY a.town_id, 2, 4")
        for r in await db.rows(sql, params):
            detail.activities.append(ActivityRow(str(r["d"]), r["village"], KIND_CODES.get(r["k"], r["k"]),
                                                 participants=_n(r["p"]), materials=_n(r["m"]),
                                                 consultations=_n(r["c"]), count=_n(r["n"]), town=names[r["t"]]))
    else:
        sql = (f"SELECT a.town_id AS t, a.date AS d, COALESCE(v.name, '') AS village, a.kind AS k, a.form AS form, "
               f"a.six_target AS target, a.theme AS theme, a.participants AS p, a.materials AS m, "
               f"a.consultations AS c {base} ORDER BY a.date, a.id")
        for r in await db.rows(sql, params):
            detail.activities.append(ActivityRow(_day(r["d"]), r["village"], KIND_CODES.get(r["k"], r["k"]),
                                                 r["form"], r["target"], r["theme"], _n(r["p"]), _n(r["m"]),
                                                 _n(r["c"]), 1, names[r["t"]]))
    start, end = _utc_bounds(period)
    params = db.params()
    reg = db.instant("c.registered_at")
    where = f"WHERE {reg} >= {params.add(db.bound(start))} AND {reg} < {params.add(db.bound(end))}"
    where += _where(scope, "c", params)
    joins = (f"FROM mediation_case c {_AGREEMENT_JOIN} "
             "LEFT JOIN village v ON v.id = c.village_id")
    if tally:
        tparams = db.params()
        sql = (f"SELECT SUM(t.n) AS n FROM tally_case t WHERE t.month >= {tparams.add(period.start)} "
               f"AND t.month < {tparams.add(period.end)} AND t.dim = 'outcome'{_where(scope, 't', tparams)}")
        n_cases = _n((await db.rows(sql, tparams))[0]["n"])
    else:
        n_cases = _n((await db.rows(f"SELECT COUNT(*) AS n FROM mediation_case c {where}", params))[0]["n"])
    detail.disputes_grouped = n_cases > max_rows
    if detail.disputes_grouped:  # one row per town, month of registration and outcome
        if tally:
            gparams = db.params()
            sql = ("SELECT t.town_id AS t, t.month AS m, t.value AS o, SUM(t.n) AS n, SUM(t.accepted) AS acc, "
                   "SUM(t.amount) AS amount, SUM(t.escalated) AS esc, SUM(t.prevented) AS pc FROM tally_case t "
                   f"WHERE t.month >= {gparams.add(period.start)} AND t.month < {gparams.add(period.end)} "
                   f"AND t.dim = 'outcome'{_where(scope, 't', gparams)} "
                   "GROUP BY t.town_id, t.month, t.value HAVING SUM(t.n) > 0 ORDER BY 1, 2, 3")
            rows = await db.rows(sql, gparams)
        else:
            month = Dialect(db.pg).month_of_instant("c.registered_at")
            sql = f"""SELECT c.town_id AS t, {month} AS m, {_OUTCOME} AS o, COUNT(*) AS n,
                SUM(CASE WHEN c.accepted_on IS NOT NULL THEN 1 ELSE 0 END) AS acc,
                SUM(COALESCE(ag.amount, 0)) AS amount, SUM(CASE WHEN c.escalated THEN 1 ELSE 0 END) AS esc,
                SUM(CASE WHEN c.prevented_criminal THEN 1 ELSE 0 END) AS pc {joins} {where}
                GROUP BY c.town_id, {month}, {_OUTCOME} ORDER BY 1, 2, 3"""
            rows = await db.rows(sql, params)
        for r in rows:
            detail.disputes.append(DisputeRow(
                "", "", "", "", "", _day(r["m"])[:7], _n(r["acc"]), r["o"], amount=float(r["amount"] or 0),
                escalated=_n(r["esc"]), prevented_criminal=_n(r["pc"]), town=names[r["t"]], count=_n(r["n"])))
        return detail
    sql = f"""SELECT c.town_id AS t, c.number AS no, COALESCE(v.name, c.village_name, '') AS village,
        c.case_type AS type, c.source AS source, c.status AS status, c.registered_at AS reg,
        c.accepted_on AS acc, c.closed_on AS closed, {db.days('c.closed_on', 'c.accepted_on')} AS days,
        ag.amount AS amount, c.escalated AS esc, c.prevented_criminal AS pc, {_OUTCOME} AS o
        {joins} {where} ORDER BY c.registered_at, c.id"""
    from models.mediation import Status

    for r in await db.rows(sql, params):
        status = Status(r["status"]).label if r["status"] in Status._value2member_map_ else str(r["status"])
        rejected = r["o"] == OUTCOME_REJECTED
        detail.disputes.append(DisputeRow(
            r["no"], r["village"], r["type"], str(r["source"]), status, _local_day(r["reg"]),
            int(r["acc"] is not None), r["o"], _day(r["closed"]),
            None if r["days"] is None or rejected else int(r["days"]),
            float(r["amount"] or 0), int(bool(r["esc"])), int(bool(r["pc"])), names[r["t"]],
        ))
    return detail
