from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('kb', '0002_wechat-platform_question_village')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KbChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry_id', fields.CharField(db_index=True, max_length=64)),
                ('action', fields.CharField(max_length=16)),
                ('user_name', fields.CharField(max_length=64)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'kb_change', 'app': 'kb', 'pk_attr': 'id', 'table_description': 'One change to the knowledge base made in the console: who, when, what before and after.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KbEntry',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('topic', fields.CharField(max_length=32)),
                ('questions', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('answer', fields.TextField(unique=False)),
                ('basis', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('retired', fields.BooleanField(default=False)),
                ('updated_by', fields.CharField(default='', max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'kb_entry', 'app': 'kb', 'pk_attr': 'id', 'table_description': 'An FAQ entry added or changed in the console, overriding the TOML seed entry of the same id.'},
            bases=['Model'],
        ),
    ]
