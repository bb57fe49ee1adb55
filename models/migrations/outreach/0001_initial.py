from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.outreach import ActivityKind, ActivitySource
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Activity',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('town', fields.ForeignKeyField('core.Town', source_field='town_id', db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.CASCADE)),
                ('village', fields.ForeignKeyField('core.Village', source_field='village_id', null=True, db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(db_index=True, description='PUBLICITY: publicity\nTRAINING: training\nMEETING: meeting', enum_type=ActivityKind, max_length=16)),
                ('date', fields.DateField(db_index=True)),
                ('form', fields.CharField(default='', db_index=True, max_length=32)),
                ('six_target', fields.CharField(default='', db_index=True, max_length=8)),
                ('theme', fields.CharField(default='', max_length=200)),
                ('place', fields.CharField(default='', max_length=100)),
                ('participants', fields.IntField(default=0)),
                ('materials', fields.IntField(default=0)),
                ('consultations', fields.IntField(default=0)),
                ('author', fields.ForeignKeyField('core.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.SET_NULL)),
                ('organiser', fields.CharField(default='', max_length=64)),
                ('source', fields.CharEnumField(default=ActivitySource.CHAT, description='CHAT: chat\nAPI: api\nIMPORT: import', enum_type=ActivitySource, max_length=8)),
                ('natural_key', fields.CharField(db_index=True, max_length=64)),
                ('withdrawn', fields.BooleanField(default=False, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'outreach_activity', 'app': 'outreach', 'indexes': [Index(fields=['town_id', 'date']), Index(fields=['village_id', 'date']), Index(fields=['town_id', 'natural_key'])], 'pk_attr': 'id', 'table_description': 'One ledger entry. The aggregated fields are plain indexed columns for statistics at county scale'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActivityChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity', fields.ForeignKeyField('outreach.Activity', source_field='activity_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='activity_changes', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=16)),
                ('changes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outreach_change', 'app': 'outreach', 'pk_attr': 'id', 'table_description': 'The audit trail: who created, corrected, withdrew or imported an entry, and what changed'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActivityPhoto',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity', fields.ForeignKeyField('outreach.Activity', source_field='activity_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('media_id', fields.CharField(default='', max_length=128)),
                ('pic_url', fields.CharField(default='', max_length=512)),
                ('content_type', fields.CharField(default='', max_length=32)),
                ('data', fields.BinaryField(null=True)),
                ('size', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outreach_photo', 'app': 'outreach', 'pk_attr': 'id', 'table_description': 'A photo of an activity: a WeChat media id and PicUrl, or bytes uploaded from the mini-program'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InviteCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outreach_invite', 'app': 'outreach', 'pk_attr': 'id', 'table_description': 'A one-time code that binds a WeChat openid to a person created by an admin'},
            bases=['Model'],
        ),
    ]
