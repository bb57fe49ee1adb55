"""Questions villagers asked, anonymised: a keyed hash instead of the openid."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class QuestionLog(Model):
    """One question and how the knowledge base answered it (band high, middle, low or statute)"""

    id = fields.BigIntField(primary_key=True)
    town: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "core.Town", related_name="questions", null=True, on_delete=fields.CASCADE
    )
    # The village whose QR code the asker followed through (None: unknown); the town's figures per village.
    village: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "core.Village", related_name="questions", null=True, on_delete=fields.SET_NULL
    )
    asker = fields.CharField(max_length=64)  # HMAC of the openid with the secret key, never the openid
    question = fields.CharField(max_length=500)
    entry_id = fields.CharField(max_length=64, null=True)
    topic = fields.CharField(max_length=32, default="")
    band = fields.CharField(max_length=8)
    score = fields.FloatField(default=0.0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "question_log"
