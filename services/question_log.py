"""The question log, written through here: questions kept anonymised (phones and ID numbers masked, no openid)."""

from __future__ import annotations

from collections.abc import Sequence

from models.core import WeChatApp
from models.questions import QuestionLog
from services.identities import village_of
from services.privacy import scrub_text


async def log_questions(rows: Sequence[tuple[QuestionLog, str]]) -> None:
    """Keep asked questions (row, the asker's openid): phones and ID numbers masked, each with the village
    the openid came through; the openid itself is not kept."""
    villages = await village_of(WeChatApp.OFFICIAL_ACCOUNT, list({openid for _, openid in rows}))
    for row, openid in rows:
        row.question = scrub_text(row.question)[:500]
        row.village_id = villages.get(openid)  # type: ignore[attr-defined]
    await QuestionLog.bulk_create([row for row, _ in rows])
