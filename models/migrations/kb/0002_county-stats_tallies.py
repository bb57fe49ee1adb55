"""The question log's monthly tallies (tally_question) and the triggers that keep them; fills them from the records already there."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from models.tallies import question_sql, installer


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_kb-engine_console")]

    operations = [ops.RunPython(installer(question_sql))]
