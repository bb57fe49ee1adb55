"""Running monthly tallies of the records the report counts, kept by database triggers.

Why triggers: every door that writes a record (chat, API, console, import, corrections, withdrawals,
deletions, cascades) then keeps the tallies in the same transaction, with no code in those doors, and
the year's statistics read a few thousand tally rows instead of a million records.

Three tables, one row per (local month, town, ... dimension, value):
- tally_activity: per village and kind the totals (dim ''), and per kind the 活动形式 (dim 'form') and
  六进 (dim 'target') counts. Withdrawn entries count nowhere.
- tally_case: per case its month of registration (Asia/Shanghai) and town: the outcome with every
  measure (dim 'outcome'), type, source, village (village_id, or the free-text village_name), the days to
  close of a closed case (dim 'days', so any deadline can be applied later) and the due day of an open
  case (dim 'due', so "overdue as of" can be applied later). A case's contribution depends on its
  agreement, follow-ups and confirmation: a change to any of them takes the case's contribution out
  BEFORE it and puts it back AFTER it (a cascade after the case was deleted finds no case: nothing).
- tally_question: per topic the questions asked and those without an answer (band 'low').

The SQL is generated here for SQLite and PostgreSQL; the migrations install it and fill the tables
from the records already there (`rebuild`). queries.statistics reads them for whole months and keeps the full
recomputation from the records as the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TZ_OFFSET = "+8 hours"  # Asia/Shanghai has had no daylight saving since 1991
ACTIVITY_KEY = ("month", "town_id", "village_id", "kind", "dim", "value")
ACTIVITY_SUMS = ("n", "participants", "materials", "consultations")
CASE_KEY = ("month", "town_id", "village_id", "dim", "value")
CASE_SUMS = ("n", "accepted", "amount", "closed_n", "closed_days", "escalated", "prevented", "risk",
             "followups", "followups_done", "jc_applied", "jc_confirmed", "closed", "esc_recorded", "petition")
QUESTION_KEY = ("month", "town_id", "topic")
QUESTION_SUMS = ("n", "low")
CASE_CHILDREN = ("mediation_agreement", "mediation_follow_up", "mediation_confirmation")

# What became of a case (the same CASE as queries.statistics' reference query; kept here so the installed SQL
# does not change with that module).
OUTCOME = """CASE
  WHEN ag.id IS NOT NULL THEN '达成协议'
  WHEN c.status = 'declined' OR (c.status = 'archived' AND c.accepted_on IS NULL) THEN '不予受理'
  WHEN c.status = 'failed' OR (c.status = 'archived' AND c.fail_routes <> '') THEN '调解不成'
  WHEN c.status IN ('terminated', 'archived') THEN '终止'
  WHEN c.status = 'registered' THEN '待受理'
  ELSE '调解中' END"""


@dataclass(frozen=True)
class Dialect:
    """SQLite or PostgreSQL spelling."""

    pg: bool

    def month_of_date(self, col: str) -> str:
        """The first day of a date's month."""
        return f"CAST(date_trunc('month', {col}) AS date)" if self.pg else f"strftime('%Y-%m-01', {col})"

    def month_of_instant(self, col: str) -> str:
        """The first day of the local month of a timestamp."""
        if self.pg:
            return f"CAST(date_trunc('month', {col} AT TIME ZONE 'Asia/Shanghai') AS date)"
        return f"strftime('%Y-%m-01', {col}, '{TZ_OFFSET}')"

    def days(self, later: str, earlier: str) -> str:
        """Whole days between two dates."""
        return f"({later} - {earlier})" if self.pg else f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    @property
    def month_type(self) -> str:
        """The month column's type (SQLite keeps dates as ISO text)."""
        return "DATE" if self.pg else "TEXT"


def _upsert(table: str, key: tuple[str, ...], sums: tuple[str, ...], select: str) -> str:
    cols = ", ".join((*key, *sums))
    updates = ", ".join(f"{s} = {table}.{s} + excluded.{s}" for s in sums)
    return f"INSERT INTO {table} ({cols}) {select} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"


def _grouped(table: str, key: tuple[str, ...], sums: tuple[str, ...], select: str) -> str:
    """An INSERT of a contribution SELECT (columns named as the table's) summed per key: the rebuild."""
    sums_sql = ", ".join(f"SUM({s})" for s in sums)
    return (f"INSERT INTO {table} ({', '.join((*key, *sums))}) SELECT {', '.join(key)}, {sums_sql} "
            f"FROM ({select}) x GROUP BY {', '.join(key)}")


def _named(values: list[str], names: tuple[str, ...]) -> str:
    return ", ".join(f"{v} AS {n}" for v, n in zip(values, names, strict=True))


# ---------------------------------------------------------------------------------------------- activities


def _activity_selects(d: Dialect, r: str, sign: str, source: str = "") -> list[str]:
    """The rows an activity `r` (NEW, OLD, or a table alias with `source`) adds (sign 1) or takes away (-1)."""
    names = (*ACTIVITY_KEY, *ACTIVITY_SUMS)
    month, live = d.month_of_date(f"{r}.date"), f"NOT {r}.withdrawn"
    total = [month, f"{r}.town_id", f"COALESCE({r}.village_id, 0)", f"{r}.kind", "''", "''", sign,
             f"{sign} * {r}.participants", f"{sign} * {r}.materials", f"{sign} * {r}.consultations"]
    out = [f"SELECT {_named(total, names)} {source} WHERE {live}"]
    for dim, col in (("form", "form"), ("target", "six_target")):
        row = [month, f"{r}.town_id", "0", f"{r}.kind", f"'{dim}'", f"{r}.{col}", sign, "0", "0", "0"]
        out.append(f"SELECT {_named(row, names)} {source} WHERE {live} AND {r}.{col} <> ''")
    return out


def _activity_apply(d: Dialect, r: str, sign: str) -> list[str]:
    out = [_upsert("tally_activity", ACTIVITY_KEY, ACTIVITY_SUMS, s) for s in _activity_selects(d, r, sign)]
    if sign != "1":
        out.append(f"DELETE FROM tally_activity WHERE month = {d.month_of_date(f'{r}.date')} "
                   f"AND town_id = {r}.town_id AND n = 0")
    return out


# --------------------------------------------------------------------------------------------------- cases


def _case_selects(d: Dialect, where: str, sign: str) -> list[str]:
    """Per dimension, the SELECT of the contribution of the cases `where` picks (alias c)."""
    names = (*CASE_KEY, *CASE_SUMS)
    month = d.month_of_instant("c.registered_at")
    days = d.days("c.closed_on", "c.accepted_on")
    closed = f"c.closed_on IS NOT NULL AND c.accepted_on IS NOT NULL AND ({OUTCOME}) <> '不予受理'"

    def flag(cond: str) -> str:
        return f"{sign} * (CASE WHEN {cond} THEN 1 ELSE 0 END)"

    fu = "FROM mediation_follow_up fu WHERE fu.case_id = c.id"
    jc = "FROM mediation_confirmation jc WHERE jc.case_id = c.id"
    current = "ag.case_id = c.id AND ag.superseded_at IS NULL"  # an agreement a later mediation replaced: not counted
    base = f"FROM mediation_case c LEFT JOIN mediation_agreement ag ON {current} WHERE {where}"
    outcome = [month, "c.town_id", "0", "'outcome'", OUTCOME, sign, flag("c.accepted_on IS NOT NULL"),
               f"{sign} * COALESCE(ag.amount, 0)", flag(closed),
               f"{sign} * (CASE WHEN {closed} THEN {days} ELSE 0 END)",
               flag("c.escalated"), flag("c.prevented_criminal"), flag("c.risk_escalation"),
               f"{sign} * (SELECT COUNT(*) {fu})", flag(f"EXISTS (SELECT 1 {fu} AND fu.performed = 'yes')"),
               f"{sign} * (SELECT COUNT(*) {jc})", f"{sign} * (SELECT COUNT(*) {jc} AND jc.result = 'confirmed')",
               flag("c.closed_on IS NOT NULL"),
               flag("c.closed_on IS NOT NULL AND (c.escalation_recorded OR c.escalated)"),
               flag("c.referred_by = '信访'")]
    zeros = ["0"] * (len(CASE_SUMS) - 1)

    def dim(name: str, value: str, village: str = "0", extra: str = "") -> str:
        return f"SELECT {_named([month, 'c.town_id', village, repr(name), value, sign, *zeros], names)} {base}{extra}"

    return [
        f"SELECT {_named(outcome, names)} {base}",
        dim("type", "c.case_type"),
        dim("source", "c.source"),
        dim("village", "CASE WHEN c.village_id IS NULL THEN c.village_name ELSE '' END", "COALESCE(c.village_id, 0)"),
        dim("days", f"CAST({days} AS TEXT)", extra=f" AND {closed}"),
        dim("due", "CAST(c.due_on AS TEXT)", extra=" AND c.closed_on IS NULL AND c.due_on IS NOT NULL"),
    ]


def _case_apply(d: Dialect, case_id: str, sign: str) -> list[str]:
    """Add (sign 1) or take away (-1) a case's whole contribution as the tables hold it now."""
    out = [_upsert("tally_case", CASE_KEY, CASE_SUMS, s) for s in _case_selects(d, f"c.id = {case_id}", sign)]
    month = d.month_of_instant("c.registered_at")
    out.append(f"DELETE FROM tally_case WHERE n = 0 AND EXISTS (SELECT 1 FROM mediation_case c WHERE c.id = {case_id} "
               f"AND tally_case.month = {month} AND tally_case.town_id = c.town_id)")
    return out


# ----------------------------------------------------------------------------------------------- questions


def _question_selects(d: Dialect, r: str, sign: str, source: str = "") -> list[str]:
    row = [d.month_of_instant(f"{r}.created_at"), f"COALESCE({r}.town_id, 0)", f"{r}.topic", sign,
           f"{sign} * (CASE WHEN {r}.band = 'low' THEN 1 ELSE 0 END)"]
    return [f"SELECT {_named(row, (*QUESTION_KEY, *QUESTION_SUMS))} {source}"]


def _question_apply(d: Dialect, r: str, sign: str) -> list[str]:
    out = [_upsert("tally_question", QUESTION_KEY, QUESTION_SUMS, s) for s in _question_selects(d, r, sign)]
    if sign != "1":
        out.append(f"DELETE FROM tally_question WHERE n = 0 AND month = {d.month_of_instant(f'{r}.created_at')}")
    return out


# ------------------------------------------------------------------------------------------------ install


@dataclass(frozen=True)
class Tally:
    """One tally table: its DDL, its triggers and its rebuild, per dialect."""

    table: str
    key: tuple[str, ...]
    sums: tuple[str, ...]
    types: dict[str, str]
    rebuild_selects: Callable[[Dialect], list[str]]


def _types(d: Dialect, key: tuple[str, ...], sums: tuple[str, ...]) -> dict[str, str]:
    out = {"month": f"{d.month_type} NOT NULL"}
    for k in key[1:]:
        out[k] = "INTEGER NOT NULL" if k.endswith("_id") else "VARCHAR(64) NOT NULL"
    for s in sums:
        out[s] = ("NUMERIC(18, 2)" if d.pg else "REAL") + " NOT NULL" if s == "amount" else "BIGINT NOT NULL"
    return out


def _create(d: Dialect, table: str, key: tuple[str, ...], sums: tuple[str, ...]) -> str:
    cols = ",\n  ".join(f"{name} {typ}" for name, typ in _types(d, key, sums).items())
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {cols},\n  PRIMARY KEY ({', '.join(key)})\n)"


def _pg_function(name: str, body: list[str], declare: str = "") -> str:
    stmts = ";\n  ".join(body)
    return (f"CREATE OR REPLACE FUNCTION {name} RETURNS trigger AS $$\n{declare}BEGIN\n  {stmts};\n"
            "END $$ LANGUAGE plpgsql")


def _sqlite_trigger(name: str, when: str, table: str, body: list[str]) -> str:
    stmts = ";\n  ".join(body)
    return f"CREATE TRIGGER IF NOT EXISTS {name} {when} ON {table} FOR EACH ROW BEGIN\n  {stmts};\nEND"


def _row_triggers(d: Dialect, name: str, table: str, apply: Callable[[Dialect, str, str], list[str]]) -> list[str]:
    """AFTER triggers that take OLD away and add NEW (activities, questions)."""
    if d.pg:
        add, sub = ";\n    ".join(apply(d, "NEW", "1")), ";\n    ".join(apply(d, "OLD", "-1"))
        fn = (f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger AS $$\nBEGIN\n"
              f"  IF TG_OP <> 'INSERT' THEN\n    {sub};\n  END IF;\n"
              f"  IF TG_OP <> 'DELETE' THEN\n    {add};\n  END IF;\n  RETURN NULL;\nEND $$ LANGUAGE plpgsql")
        return [fn, f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}_fn()"]
    return [
        _sqlite_trigger(f"{name}_ins", "AFTER INSERT", table, apply(d, "NEW", "1")),
        _sqlite_trigger(f"{name}_upd", "AFTER UPDATE", table, [*apply(d, "OLD", "-1"), *apply(d, "NEW", "1")]),
        _sqlite_trigger(f"{name}_del", "AFTER DELETE", table, apply(d, "OLD", "-1")),
    ]


def _case_triggers(d: Dialect) -> list[str]:
    """BEFORE a change: take the case's contribution away; AFTER it: add it again."""
    if d.pg:
        body = ";\n  ".join(_case_apply(d, "cid", "sgn"))
        out = [
            f"CREATE OR REPLACE FUNCTION tally_case_apply(cid integer, sgn integer) RETURNS void AS $$\n"
            f"BEGIN\n  {body};\nEND $$ LANGUAGE plpgsql",
            "CREATE OR REPLACE FUNCTION tally_case_fn() RETURNS trigger AS $$\nDECLARE cid integer;\nBEGIN\n"
            "  IF TG_TABLE_NAME = 'mediation_case' THEN\n"
            "    IF TG_OP = 'DELETE' THEN cid := OLD.id; ELSE cid := NEW.id; END IF;\n"
            "  ELSE\n    IF TG_OP = 'DELETE' THEN cid := OLD.case_id; ELSE cid := NEW.case_id; END IF;\n  END IF;\n"
            "  IF TG_WHEN = 'BEFORE' THEN\n    PERFORM tally_case_apply(cid, -1);\n"
            "    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n    RETURN NEW;\n  END IF;\n"
            "  PERFORM tally_case_apply(cid, 1);\n  RETURN NULL;\nEND $$ LANGUAGE plpgsql",
        ]
        for table in ("mediation_case", *CASE_CHILDREN):
            before = "UPDATE OR DELETE" if table == "mediation_case" else "INSERT OR UPDATE OR DELETE"
            after = "INSERT OR UPDATE" if table == "mediation_case" else "INSERT OR UPDATE OR DELETE"
            out += [f"DROP TRIGGER IF EXISTS {table}_tally_before ON {table}",
                    f"DROP TRIGGER IF EXISTS {table}_tally_after ON {table}",
                    f"CREATE TRIGGER {table}_tally_before BEFORE {before} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION tally_case_fn()",
                    f"CREATE TRIGGER {table}_tally_after AFTER {after} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION tally_case_fn()"]
        return out
    out = [
        _sqlite_trigger("mediation_case_tally_bu", "BEFORE UPDATE", "mediation_case", _case_apply(d, "OLD.id", "-1")),
        _sqlite_trigger("mediation_case_tally_bd", "BEFORE DELETE", "mediation_case", _case_apply(d, "OLD.id", "-1")),
        _sqlite_trigger("mediation_case_tally_ai", "AFTER INSERT", "mediation_case", _case_apply(d, "NEW.id", "1")),
        _sqlite_trigger("mediation_case_tally_au", "AFTER UPDATE", "mediation_case", _case_apply(d, "NEW.id", "1")),
    ]
    for table in CASE_CHILDREN:
        for op, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            after_row = "NEW" if op == "UPDATE" else row
            out.append(_sqlite_trigger(f"{table}_tally_b{op[0].lower()}", f"BEFORE {op}", table,
                                       _case_apply(d, f"{row}.case_id", "-1")))
            out.append(_sqlite_trigger(f"{table}_tally_a{op[0].lower()}", f"AFTER {op}", table,
                                       _case_apply(d, f"{after_row}.case_id", "1")))
    return out


def _rebuild_activity(d: Dialect) -> list[str]:
    return ["DELETE FROM tally_activity", *(_grouped("tally_activity", ACTIVITY_KEY, ACTIVITY_SUMS, s)
                                            for s in _activity_selects(d, "a", "1", "FROM outreach_activity a"))]


def _rebuild_case(d: Dialect) -> list[str]:
    return ["DELETE FROM tally_case",
            *(_grouped("tally_case", CASE_KEY, CASE_SUMS, s) for s in _case_selects(d, "1 = 1", "1"))]


def _rebuild_question(d: Dialect) -> list[str]:
    return ["DELETE FROM tally_question", *(_grouped("tally_question", QUESTION_KEY, QUESTION_SUMS, s)
                                            for s in _question_selects(d, "q", "1", "FROM question_log q"))]


def activity_sql(pg: bool) -> list[str]:
    """tally_activity: the table, its triggers, and its filling from the ledger."""
    d = Dialect(pg)
    return [_create(d, "tally_activity", ACTIVITY_KEY, ACTIVITY_SUMS),
            *_row_triggers(d, "outreach_activity_tally", "outreach_activity", _activity_apply),
            *_rebuild_activity(d)]


def case_sql(pg: bool) -> list[str]:
    """tally_case: the table, the triggers on cases and their agreement, follow-ups and confirmation."""
    d = Dialect(pg)
    return [_create(d, "tally_case", CASE_KEY, CASE_SUMS),
            # a case's follow-ups are looked up on every change of the case (agreement and confirmation are 1:1,
            # indexed by their unique constraint)
            "CREATE INDEX IF NOT EXISTS mediation_follow_up_case_id ON mediation_follow_up (case_id)",
            *_case_triggers(d), *_rebuild_case(d)]


def question_sql(pg: bool) -> list[str]:
    """tally_question: the table, its triggers, and its filling from the question log."""
    d = Dialect(pg)
    return [_create(d, "tally_question", QUESTION_KEY, QUESTION_SUMS),
            *_row_triggers(d, "question_log_tally", "question_log", _question_apply), *_rebuild_question(d)]


def rebuild_sql(pg: bool) -> list[str]:
    """Refill every tally from the records (after a load with triggers off, or to repair)."""
    d = Dialect(pg)
    return [*_rebuild_activity(d), *_rebuild_case(d), *_rebuild_question(d)]


def installer(make: Callable[[bool], list[str]]) -> Callable[..., object]:
    """A RunPython callable for a migration: run `make`'s statements in the migrating database's dialect."""

    async def run(apps: object, schema_editor: object) -> None:
        client = schema_editor.client  # type: ignore[attr-defined]
        pg = client.capabilities.dialect == "postgres"
        for sql in make(pg):
            await client.execute_script(sql)

    return run
