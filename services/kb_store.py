"""The console's changes to the knowledge base: stored over the TOML seed, each one audited."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from knowledge.editing import entry_data
from knowledge.faq import Entry
from models.questions import KbChange, KbEntry


async def save_entry(entry: Entry, user_name: str, *, before: Entry | None, action: str = "") -> KbChange:
    """Store an entry (new or changed) and its audit line in one transaction."""
    after = entry_data(entry)
    async with in_transaction():
        await KbEntry.update_or_create(
            id=entry.id, defaults={**{k: v for k, v in after.items() if k != "id"}, "retired": False,
                                   "updated_by": user_name})
        return await KbChange.create(entry_id=entry.id, action=action or ("edit" if before else "add"),
                                     user_name=user_name, before=entry_data(before) if before else None,
                                     after=after)


async def retire_entry(entry: Entry, user_name: str) -> KbChange:
    """Retire an entry: it no longer answers; the audit keeps what it said."""
    data = entry_data(entry)
    async with in_transaction():
        await KbEntry.update_or_create(
            id=entry.id, defaults={**{k: v for k, v in data.items() if k != "id"}, "retired": True,
                                   "updated_by": user_name})
        return await KbChange.create(entry_id=entry.id, action="retire", user_name=user_name, before=data, after=None)


async def changed_rows() -> list[dict[str, Any]]:
    """Every entry the console added, changed or retired."""
    return [
        {"id": r.id, "topic": r.topic, "questions": r.questions, "answer": r.answer, "basis": r.basis,
         "retired": r.retired}
        for r in await KbEntry.all().order_by("id")
    ]


async def version() -> int:
    """The knowledge base's version: the id of the last change (0 before any)."""
    last = await KbChange.all().order_by("-id").first()
    return int(last.id) if last else 0
