"""法律明白人's own record: profile (source, households, service period), trainings, referrals."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.core import User


class HelperProfile(Model):
    """What the roster keeps about a helper beyond name, village and 骨干: source, households, service period"""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "core.User", related_name="helper_profile", on_delete=fields.CASCADE
    )
    source = fields.CharField(max_length=16, default="")  # one of SOURCES, or ''
    households = fields.IntField(default=0)  # households this helper covers (联系户)
    joined_on = fields.DateField(null=True)  # 加入日期; None: before records began
    left_on = fields.DateField(null=True)  # 退出日期

    user_id: int

    class Meta:
        table = "helper_profile"


class HelperTraining(Model):
    """A training a helper attended (组织法律明白人参加普法学习培训): date, theme, hours"""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="trainings", on_delete=fields.CASCADE
    )
    date = fields.DateField(db_index=True)
    theme = fields.CharField(max_length=200, default="")
    hours = fields.DecimalField(max_digits=5, decimal_places=1, default=0)
    organiser = fields.CharField(max_length=64, default="")
    fingerprint = fields.CharField(max_length=40)  # the same submission twice is one record
    created_at = fields.DatetimeField(auto_now_add=True)

    user_id: int

    class Meta:
        table = "helper_training"
        unique_together = (("user", "fingerprint"),)


class ReferralKind(StrEnum):
    """What a helper brought: a dispute to the studio, or a person to legal aid."""

    DISPUTE = "dispute"
    LEGAL_AID = "legal_aid"

    @property
    def label(self) -> str:
        """The kind's Chinese name."""
        return "报告矛盾纠纷" if self is ReferralKind.DISPUTE else "引导法律援助"


class Referral(Model):
    """A dispute a helper reported or a person they referred to legal aid, credited to them"""

    id = fields.BigIntField(primary_key=True)
    helper: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="referrals", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ReferralKind, max_length=12)
    date = fields.DateField(db_index=True)
    case: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "mediation.Case", related_name="referrals", null=True, on_delete=fields.SET_NULL
    )
    note = fields.CharField(max_length=200, default="")  # what it was about; no names or numbers (masked)
    created_at = fields.DatetimeField(auto_now_add=True)

    helper_id: int

    class Meta:
        table = "helper_referral"
