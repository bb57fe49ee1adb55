"""Questions villagers asked, anonymised: a keyed hash instead of the openid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


async def log_questions(rows: Sequence[tuple[QuestionLog, str]]) -> None:
    """Keep asked questions (row, the asker's openid): phones and ID numbers masked, each with the village
    the openid came through; the openid itself is not kept."""
    from models.core import WeChatApp
    from models.identities import village_of
    from models.privacy import scrub_text

    villages = await village_of(WeChatApp.OFFICIAL_ACCOUNT, list({openid for _, openid in rows}))
    for row, openid in rows:
        row.question = scrub_text(row.question)[:500]
        row.village_id = villages.get(openid)  # type: ignore[attr-defined]
    await QuestionLog.bulk_create([row for row, _ in rows])


class KbEntry(Model):
    """An FAQ entry added or changed in the console, overriding the TOML seed entry of the same id."""

    id = fields.CharField(max_length=64, primary_key=True)
    topic = fields.CharField(max_length=32)
    questions: Any = fields.JSONField()  # list of phrasings, the first is the title
    answer = fields.TextField()
    basis: Any = fields.JSONField()  # list of citations 《法律名》第N条
    retired = fields.BooleanField(default=False)
    updated_by = fields.CharField(max_length=64, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "kb_entry"


class KbChange(Model):
    """One change to the knowledge base made in the console: who, when, what before and after."""

    id = fields.BigIntField(primary_key=True)
    entry_id = fields.CharField(max_length=64, db_index=True)
    action = fields.CharField(max_length=16)  # add | edit | retire | phrasing | import
    user_name = fields.CharField(max_length=64)
    before: Any = fields.JSONField(null=True)
    after: Any = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "kb_change"
