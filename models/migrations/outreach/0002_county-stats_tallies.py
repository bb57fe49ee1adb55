"""The ledger's monthly tallies (tally_activity) and the triggers that keep them; fills them from the records already there."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from models.tallies import activity_sql, installer


class Migration(migrations.Migration):
    dependencies = [("outreach", "0002_integrity_activity_identity")]

    operations = [ops.RunPython(installer(activity_sql))]
