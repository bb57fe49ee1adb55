"""Activities: a fingerprint of every figure and a client idempotency key, each unique per town.

Replaces natural_key (date, kind, village, form, theme, organiser), which merged different entries.
Existing rows get their fingerprint here; of rows equal in every figure, the oldest keeps it and the
others keep NULL (they stay counted; an admin may withdraw them).
"""

import hashlib

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

# Frozen copy of models.activities.IDENTITY_FIELDS / fingerprint() as of this migration.
_FIELDS = ("date", "kind", "village_id", "form", "six_target", "theme", "place", "participants", "materials",
           "consultations", "organiser")


def _fingerprint(row: dict) -> str:
    parts = [str(row["town_id"])]
    for f in _FIELDS:
        value = row[f]
        parts.append("" if value is None else " ".join(str(value).split()))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


async def fill_fingerprints(apps, schema_editor) -> None:
    client = schema_editor.client
    columns = ", ".join(("id", "town_id", "withdrawn", *_FIELDS))
    _, rows = await client.execute_query(f"SELECT {columns} FROM outreach_activity ORDER BY id")
    seen: set[str] = set()
    updates = []
    for row in rows:
        row = dict(row)
        if row["withdrawn"]:
            continue
        key = _fingerprint(row)
        if key not in seen:
            seen.add(key)
            updates.append([key, row["id"]])
    if updates:
        mark = "$1" if client.capabilities.dialect == "postgres" else "?"
        mark2 = "$2" if client.capabilities.dialect == "postgres" else "?"
        await client.execute_many(f"UPDATE outreach_activity SET fingerprint = {mark} WHERE id = {mark2}", updates)


class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('outreach', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Activity',
            name='fingerprint',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Activity',
            name='idempotency_key',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.RunPython(fill_fingerprints, ops.RunPython.noop),
        ops.RemoveIndex(
            model_name='Activity',
            name=None,
            fields=['town_id', 'natural_key'],
        ),
        ops.RemoveField(model_name='Activity', name='natural_key'),
        ops.AddConstraint(
            model_name='Activity',
            constraint=UniqueConstraint(fields=('town', 'fingerprint'), name=None),
        ),
        ops.AddConstraint(
            model_name='Activity',
            constraint=UniqueConstraint(fields=('town', 'idempotency_key'), name=None),
        ),
    ]
