"""矛盾纠纷排查: screening records, the one service every door writes through, and their figures.

Villages screen for disputes about twice a month and towns monthly (DESIGN.md); each screening is a
record of its date, level, who did it, its scope, the disputes found, how many of them were resolved on
the spot or registered as mediation cases, and the 稳控 measures taken. Reports quote 排查次数 and the
发现/化解 counts from here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Max, Sum
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.core import Role, Town, User, Village
from models.report_figures import ScreeningFigures

MAX_FOUND = 1000  # disputes found in one screening; more is a typo
EARLIEST = dt.date(2000, 1, 1)
TEXT_LIMITS = {"scope": 200, "measures": 500, "organiser": 64, "note": 500}


class ScreeningLevel(StrEnum):
    """Who screened: a village (村级排查) or the town (镇级排查)."""

    VILLAGE = "village"
    TOWN = "town"

    @property
    def label(self) -> str:
        """The level's Chinese name."""
        return "村级排查" if self is ScreeningLevel.VILLAGE else "镇级排查"


class ScreeningSource(StrEnum):
    """Where a record came from."""

    CHAT = "chat"
    API = "api"
    CONSOLE = "console"
    IMPORT = "import"


class Screening(Model):
    """One 矛盾纠纷排查: when, where, who, what was found and what became of it"""

    id = fields.BigIntField(primary_key=True)
    town: fields.ForeignKeyRelation[Town] = fields.ForeignKeyField(
        "core.Town", related_name="screenings", on_delete=fields.CASCADE
    )
    village: fields.ForeignKeyNullableRelation[Village] = fields.ForeignKeyField(
        "core.Village", related_name="screenings", null=True, on_delete=fields.SET_NULL
    )
    level = fields.CharEnumField(ScreeningLevel, max_length=8, default=ScreeningLevel.VILLAGE)
    date = fields.DateField(db_index=True)
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="screenings", null=True, on_delete=fields.SET_NULL
    )
    organiser = fields.CharField(max_length=64, default="")  # who screened, as written
    scope = fields.CharField(max_length=200, default="")  # 排查范围: 全村8个村民小组, 重点户…
    found = fields.IntField(default=0)  # 发现矛盾纠纷（件）
    resolved = fields.IntField(default=0)  # 当场化解（件）
    registered = fields.IntField(default=0)  # 登记为调解案件（件）
    measures = fields.CharField(max_length=500, default="")  # 稳控措施
    note = fields.CharField(max_length=500, default="")
    source = fields.CharEnumField(ScreeningSource, max_length=8, default=ScreeningSource.CHAT)
    # A fingerprint of every field: the same submission sent twice (a retry, a re-import) is one record,
    # two screenings that differ in any figure are two. Unique per town in the database.
    fingerprint = fields.CharField(max_length=80)
    withdrawn = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    cases: fields.ReverseRelation[ScreeningCase]
    town_id: int
    village_id: int | None
    author_id: int | None

    class Meta:
        table = "screening"
        unique_together = (("town", "fingerprint"),)
        indexes = (("town_id", "date"), ("village_id", "date"))


class ScreeningCase(Model):
    """A dispute found in a screening and registered as a mediation case: the link between the two"""

    id = fields.BigIntField(primary_key=True)
    screening: fields.ForeignKeyRelation[Screening] = fields.ForeignKeyField(
        "screening.Screening", related_name="cases", on_delete=fields.CASCADE
    )
    case: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "mediation.Case", related_name="screenings", on_delete=fields.CASCADE
    )

    class Meta:
        table = "screening_case"
        unique_together = (("screening", "case"),)


class ScreeningReminder(Model):
    """A reminder to a village's helpers that its screening is overdue: claimed once per village and due date"""

    id = fields.BigIntField(primary_key=True)
    village: fields.ForeignKeyRelation[Village] = fields.ForeignKeyField(
        "core.Village", related_name="screening_reminders", on_delete=fields.CASCADE
    )
    due_on = fields.DateField()
    recipients = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "screening_reminder"
        unique_together = (("village", "due_on"),)


class ScreeningError(Exception):
    """A refused write; the message is polite Chinese, `code` is for the JSON API."""

    def __init__(self, message: str, code: str = "invalid", field: str = "", existing: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.existing = existing


def fingerprint(town_id: int, values: dict[str, Any]) -> str:
    """The identity of one submission: every field that a person typed."""
    parts = [str(town_id), str(values["level"]), str(values.get("village_id") or ""), str(values["date"]),
             str(values.get("found", 0)), str(values.get("resolved", 0)), str(values.get("registered", 0)),
             values.get("scope", "").strip(), values.get("measures", "").strip(), values.get("organiser", "").strip(),
             values.get("note", "").strip()]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def check_values(values: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Validated, complete values; ScreeningError says in Chinese what is wrong."""
    out = dict(values)
    level = ScreeningLevel(out.get("level") or ScreeningLevel.VILLAGE)
    out["level"] = level
    day = out.get("date")
    if not isinstance(day, dt.date):
        raise ScreeningError("请写排查日期。", field="date")
    if day > today:
        raise ScreeningError(f"{day:%Y年%-m月%-d日}还没到，不能登记未来的排查。", field="date")
    if day < EARLIEST:
        raise ScreeningError(f"{day:%Y年%-m月%-d日}太早了，请检查年份。", field="date")
    if level is ScreeningLevel.VILLAGE and not out.get("village_id"):
        raise ScreeningError("村级排查需要写明是哪个村。", field="village_id")
    if level is ScreeningLevel.TOWN:
        out["village_id"] = None
    for name in ("found", "resolved", "registered"):
        value = out.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_FOUND:
            raise ScreeningError(f"件数要在0到{MAX_FOUND}之间。", field=name)
        out[name] = value
    if out["resolved"] + out["registered"] > out["found"]:
        raise ScreeningError("当场化解和登记调解的件数加起来，不能超过发现的矛盾纠纷件数。", field="resolved")
    for name, limit in TEXT_LIMITS.items():
        text = str(out.get(name) or "").strip()
        if len(text) > limit:
            raise ScreeningError(f"{FIELD_LABELS[name]}太长了，请控制在{limit}字以内。", field=name)
        out[name] = text
    return out


FIELD_LABELS = {
    "date": "日期", "level": "层级", "village_id": "村", "organiser": "排查人", "scope": "排查范围",
    "found": "发现纠纷", "resolved": "当场化解", "registered": "登记调解", "measures": "稳控措施", "note": "备注",
}


async def create_screening(town_id: int, author: User | None, values: dict[str, Any], *,
                           source: ScreeningSource, today: dt.date) -> Screening:
    """Save one screening; the same submission twice raises ScreeningError(code="exists", existing=id)."""
    checked = check_values(values, today=today)
    if author is not None and Role(author.role) is Role.HELPER and checked["level"] is ScreeningLevel.TOWN:
        raise ScreeningError("镇级排查由镇里的工作人员登记；法律明白人请登记本村的排查。",
                             code="forbidden", field="level")
    if checked.get("village_id") and not await Village.exists(id=checked["village_id"], town_id=town_id):
        raise ScreeningError("本镇没有这个村，请从村列表中选择。", code="unknown_village", field="village_id")
    if not checked["organiser"] and author is not None:
        checked["organiser"] = author.display_name
    key = fingerprint(town_id, checked)
    try:
        async with in_transaction():
            return await Screening.create(
                town_id=town_id, author=author, source=source, fingerprint=key,
                **{k: checked[k] for k in ("level", "village_id", "date", "organiser", "scope", "found", "resolved",
                                           "registered", "measures", "note")},
            )
    except IntegrityError:
        existing = await Screening.get_or_none(town_id=town_id, fingerprint=key)
        if existing is None:  # lost a race with a withdrawal; a plain retry will do
            raise ScreeningError("保存时出了点问题，请再试一次。", code="conflict") from None
        raise ScreeningError(f"这次排查已经登记过（编号{existing.id}），没有重复保存。", code="exists",
                             existing=existing.id) from None


async def screening_to_withdraw(screening_id: int, *, town_id: int | None, user_id: int | None,
                                role: Role) -> Screening | None:
    """The town's record this person may withdraw: their own, or any for the town's staff; else None."""
    if not 0 < screening_id < 2**63:
        return None
    found = await Screening.get_or_none(id=screening_id, town_id=town_id)
    if found is None or (found.author_id != user_id and role not in (Role.ADMIN, Role.COUNTY_ADMIN)):  # type: ignore[attr-defined]
        return None
    return found


async def withdraw_screening(screening: Screening) -> None:
    """Withdraw a record: it stays, no longer counted, and an identical record may be logged again."""
    if screening.withdrawn:
        raise ScreeningError(f"编号{screening.id}的排查记录已经撤回了。", code="withdrawn")
    screening.withdrawn = True
    screening.fingerprint = f"{screening.fingerprint[:40]}:w{screening.id}"
    await screening.save(update_fields=["withdrawn", "fingerprint", "updated_at"])


async def link_case(screening: Screening, case_id: int) -> None:
    """Record that a dispute found in this screening became mediation case `case_id` (same town)."""
    from models.mediation import Case

    if not await Case.exists(id=case_id, town_id=screening.town_id):
        raise ScreeningError("本镇没有这个案件。", code="unknown_case", field="case_id")
    if await ScreeningCase.exists(screening_id=screening.id, case_id=case_id):
        return
    try:
        await ScreeningCase.create(screening_id=screening.id, case_id=case_id)
    except IntegrityError:  # the same link made concurrently
        pass


async def figures_by_town(town_ids: list[int] | tuple[int, ...] | None, start: dt.date, before: dt.date,
                          village_id: int | None = None) -> dict[int, ScreeningFigures]:
    """The screenings dated from `start` up to (not including) `before`, not withdrawn, counted per town;
    None means every town. The report, the console and the studio figures all count through here."""
    query = Screening.filter(withdrawn=False, date__gte=start, date__lt=before)
    if town_ids is not None:
        query = query.filter(town_id__in=town_ids)
    if village_id is not None:
        query = query.filter(village_id=village_id)
    rows = await query.group_by("town_id", "level").annotate(
        n=Count("id"), found=Sum("found"), resolved=Sum("resolved"), registered=Sum("registered"),
    ).values("town_id", "level", "n", "found", "resolved", "registered")
    villages = dict(await query.filter(village_id__isnull=False).group_by("town_id").annotate(
        v=Count("village_id", distinct=True)).values_list("town_id", "v"))
    acc: dict[int, dict[str, int]] = {}
    for r in rows:
        a = acc.setdefault(r["town_id"], dict.fromkeys(
            ("times", "village_times", "town_times", "found", "resolved", "registered"), 0))
        a["times"] += int(r["n"] or 0)
        a["village_times" if r["level"] == ScreeningLevel.VILLAGE.value else "town_times"] += int(r["n"] or 0)
        for name in ("found", "resolved", "registered"):
            a[name] += int(r[name] or 0)
    return {tid: ScreeningFigures(**a, villages=int(villages.get(tid) or 0)) for tid, a in acc.items()}


async def screening_figures(town_ids: list[int] | None, start: dt.date, end: dt.date,
                            village_id: int | None = None) -> ScreeningFigures:
    """Counts of the screenings dated start..end (inclusive) of these towns together."""
    parts = await figures_by_town(town_ids, start, end + dt.timedelta(days=1), village_id)
    return ScreeningFigures.total(list(parts.values()))


@dataclass(frozen=True)
class Overdue:
    """A village that has not screened within its cycle."""

    village_id: int
    village_name: str
    last: dt.date | None

    def due_on(self, today: dt.date, cycle_days: int) -> dt.date:
        """The day the screening fell due: a reminder is sent once for it (never screened: once a cycle)."""
        if self.last is not None:
            return self.last + dt.timedelta(days=cycle_days + 1)
        return dt.date.fromordinal(today.toordinal() - today.toordinal() % max(cycle_days, 1))

    def describe(self, today: dt.date) -> str:
        """'江湾村：上次排查10月2日（59天前）' or '从未登记排查'."""
        if self.last is None:
            return f"{self.village_name}：还没有登记过排查"
        return f"{self.village_name}：上次排查{self.last:%-m月%-d日}（{(today - self.last).days}天前）"


async def claim_reminder(village_id: int, due_on: dt.date) -> bool:
    """Reserve the reminder for a village's due date; False when another process or scan has it."""
    try:
        await ScreeningReminder.create(village_id=village_id, due_on=due_on)
    except IntegrityError:
        return False
    return True


async def finish_reminder(village_id: int, due_on: dt.date, recipients: int | None) -> None:
    """Record how many people were told, or give the claim back (None) so the next scan tries again."""
    query = ScreeningReminder.filter(village_id=village_id, due_on=due_on)
    await (query.delete() if recipients is None else query.update(recipients=recipients))


async def overdue_villages(town_id: int, today: dt.date, cycle_days: int) -> list[Overdue]:
    """The town's villages whose latest screening is older than the cycle (or missing), longest first."""
    last = dict(await Screening.filter(town_id=town_id, withdrawn=False, village_id__isnull=False)
                .group_by("village_id").annotate(last=Max("date")).values_list("village_id", "last"))
    out = []
    for v in await Village.filter(town_id=town_id).order_by("name"):
        day = last.get(v.id)
        if isinstance(day, str):
            day = dt.date.fromisoformat(day[:10])
        if day is None or (today - day).days > cycle_days:
            out.append(Overdue(v.id, v.name, day))
    return sorted(out, key=lambda o: (o.last or dt.date.min, o.village_name))
