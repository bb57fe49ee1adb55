"""Console logins: a unique login per person, apart from the display name.

Existing console users (with a password) get their display name as login when no one else with a
password shares it; the others get none and need `mingbai admin create --login ... --reset-password`.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def fill_logins(apps, schema_editor) -> None:
    client = schema_editor.client
    _, rows = await client.execute_query(
        "SELECT id, display_name FROM \"user\" WHERE password_hash <> '' ORDER BY id")
    counts: dict[str, int] = {}
    for row in rows:
        name = str(dict(row)["display_name"]).strip().lower()
        counts[name] = counts.get(name, 0) + 1
    updates = [[str(dict(r)["display_name"]).strip().lower(), dict(r)["id"]] for r in rows
               if counts[str(dict(r)["display_name"]).strip().lower()] == 1
               and 2 <= len(str(dict(r)["display_name"]).strip()) <= 64]
    if updates:
        pg = client.capabilities.dialect == "postgres"
        sql = 'UPDATE "user" SET login = $1 WHERE id = $2' if pg else 'UPDATE "user" SET login = ? WHERE id = ?'
        await client.execute_many(sql, updates)


class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='login',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.RunPython(fill_logins, ops.RunPython.noop),
    ]
