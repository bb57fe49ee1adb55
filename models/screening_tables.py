"""矛盾纠纷排查 records: the screenings villages and towns hold, the cases they registered, the reminders sent."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.core import Town, User, Village


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
