from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='SubmittedReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=160)),
                ('period_start', fields.DateField()),
                ('period_last', fields.DateField()),
                ('text', fields.TextField(unique=False)),
                ('figures', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('submitted_by', fields.CharField(default='', max_length=64)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'report_submitted', 'app': 'reports', 'unique_together': (('scope', 'period_start', 'period_last'),), 'pk_attr': 'id', 'table_description': 'A report section as submitted: who, when, its text and its figures, never changed afterwards'},
            bases=['Model'],
        ),
    ]
