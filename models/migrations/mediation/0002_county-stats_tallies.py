"""Case.escalation_recorded; the cases' monthly tallies (tally_case) and the triggers on cases, agreements, follow-ups and confirmations; fills them from the records already there."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.tallies import case_sql, installer


class Migration(migrations.Migration):
    dependencies = [("mediation", "0002_casework_parties")]

    operations = [
        ops.AddField(model_name="Case", name="escalation_recorded", field=fields.BooleanField(default=False)),
        ops.RunPython(installer(case_sql)),
    ]
