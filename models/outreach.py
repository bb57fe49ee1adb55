"""法律明白人 outreach: activities (the 工作台账), their audit trail and photos, and invite codes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.core import Town, User, Village


class ActivityKind(StrEnum):
    """The three kinds the 述法报告 counts separately."""

    PUBLICITY = "publicity"  # 普法宣传活动
    TRAINING = "training"  # 普法专题培训 (镇村干部)
    MEETING = "meeting"  # 法治建设专题会议

    @property
    def label(self) -> str:
        """The kind's Chinese name, as in the ledger."""
        return KIND_LABELS[self]

    @classmethod
    def from_label(cls, text: str) -> ActivityKind | None:
        """The kind named by a label, a short word (宣传/培训/会议) or a code; None if unknown."""
        t = text.strip()
        for kind in cls:
            if t in (kind.value, kind.label) or t in KIND_SHORT[kind]:
                return kind
        return None


KIND_LABELS = {
    ActivityKind.PUBLICITY: "普法宣传活动",
    ActivityKind.TRAINING: "普法专题培训",
    ActivityKind.MEETING: "法治建设专题会议",
}
KIND_SHORT = {
    ActivityKind.PUBLICITY: ("宣传", "普法宣传", "宣传活动", "活动"),
    ActivityKind.TRAINING: ("培训", "专题培训", "普法培训"),
    ActivityKind.MEETING: ("会议", "专题会议", "法治会议"),
}

# 六进: 法律进机关、进乡村、进社区、进学校、进企业、进单位; stored as the two-character word.
SIX_TARGETS = ("机关", "乡村", "社区", "学校", "企业", "单位")


class ActivitySource(StrEnum):
    """Where an entry came from."""

    CHAT = "chat"
    API = "api"
    IMPORT = "import"


class Activity(Model):
    """One ledger entry. The aggregated fields are plain indexed columns for statistics at county scale"""

    id = fields.BigIntField(primary_key=True)
    town: fields.ForeignKeyRelation[Town] = fields.ForeignKeyField(
        "core.Town", related_name="activities", on_delete=fields.CASCADE
    )
    village: fields.ForeignKeyNullableRelation[Village] = fields.ForeignKeyField(
        "core.Village", related_name="activities", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharEnumField(ActivityKind, max_length=16, db_index=True)
    date = fields.DateField(db_index=True)
    form = fields.CharField(max_length=32, default="", db_index=True)
    six_target = fields.CharField(max_length=8, default="", db_index=True)
    theme = fields.CharField(max_length=200, default="")
    place = fields.CharField(max_length=100, default="")
    audience = fields.CharField(max_length=32, default="", db_default="")  # 受众: who came (村民、中小学生、企业职工…)
    participants = fields.IntField(default=0)
    materials = fields.IntField(default=0)
    consultations = fields.IntField(default=0)
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="activities", null=True, on_delete=fields.SET_NULL
    )
    organiser = fields.CharField(max_length=64, default="")
    source = fields.CharEnumField(ActivitySource, max_length=8, default=ActivitySource.CHAT)
    # sha256 of every figure of the entry (services.activities.fingerprint): the same entry from chat, the API
    # or a re-import is one row; two entries differing in any figure are two rows. NULL once withdrawn.
    fingerprint = fields.CharField(max_length=64, null=True)
    # A hash of the author and the client's Idempotency-Key (API): a retried submission is the same row.
    idempotency_key = fields.CharField(max_length=64, null=True)
    withdrawn = fields.BooleanField(default=False, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    photos: fields.ReverseRelation[ActivityPhoto]
    changes: fields.ReverseRelation[ActivityChange]
    town_id: int
    village_id: int | None
    author_id: int | None

    class Meta:
        table = "outreach_activity"
        indexes = (("town_id", "date"), ("village_id", "date"))
        unique_together = (("town", "fingerprint"), ("town", "idempotency_key"))


class ActivityPhoto(Model):
    """A photo of an activity: a WeChat media id and PicUrl, or bytes uploaded from the mini-program"""

    id = fields.BigIntField(primary_key=True)
    activity: fields.ForeignKeyRelation[Activity] = fields.ForeignKeyField(
        "outreach.Activity", related_name="photos", on_delete=fields.CASCADE
    )
    media_id = fields.CharField(max_length=128, default="")
    pic_url = fields.CharField(max_length=512, default="")
    content_type = fields.CharField(max_length=32, default="")
    data = fields.BinaryField(null=True)
    size = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outreach_photo"


class ActivityChange(Model):
    """The audit trail: who created, corrected, withdrew or imported an entry, and what changed"""

    id = fields.BigIntField(primary_key=True)
    activity: fields.ForeignKeyRelation[Activity] = fields.ForeignKeyField(
        "outreach.Activity", related_name="changes", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="activity_changes", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=16)  # create / update / withdraw / import / photo
    changes: Any = fields.JSONField(default=dict)  # field -> [old, new]
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outreach_change"


class InviteCode(Model):
    """A one-time code that binds a WeChat openid to a person created by an admin"""

    id = fields.IntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)  # sha256 of the code, never the code
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="invites", on_delete=fields.CASCADE
    )
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outreach_invite"
