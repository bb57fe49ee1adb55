from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='QuestionLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('town', fields.ForeignKeyField('core.Town', source_field='town_id', null=True, db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('asker', fields.CharField(max_length=64)),
                ('question', fields.CharField(max_length=500)),
                ('entry_id', fields.CharField(null=True, max_length=64)),
                ('topic', fields.CharField(default='', max_length=32)),
                ('band', fields.CharField(max_length=8)),
                ('score', fields.FloatField(default=0.0)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'question_log', 'app': 'kb', 'pk_attr': 'id', 'table_description': 'One question and how the knowledge base answered it (band high, middle, low or statute)'},
            bases=['Model'],
        ),
    ]
