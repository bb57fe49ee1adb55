from tortoise import migrations
from tortoise.migrations import operations as ops
from models.core import Role
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Town',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('studio_name', fields.CharField(default='', max_length=128)),
                ('case_prefix', fields.CharField(default='', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'town', 'app': 'core', 'pk_attr': 'id', 'table_description': "A town (乡镇) and its mediation studio, to which every record belongs."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Village',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('town', fields.ForeignKeyField('core.Town', source_field='town_id', db_constraint=True, to_field='id', related_name='villages', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('households', fields.IntField(default=0)),
                ('groups', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'village', 'app': 'core', 'unique_together': (('town', 'name'),), 'pk_attr': 'id', 'table_description': 'An administrative village (行政村) of a town.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(null=True, unique=True, max_length=64)),
                ('role', fields.CharEnumField(default=Role.VILLAGER, description='VILLAGER: villager\nHELPER: helper\nMEDIATOR: mediator\nADMIN: admin\nCOUNTY_ADMIN: county_admin', enum_type=Role, max_length=16)),
                ('display_name', fields.CharField(default='', max_length=64)),
                ('town', fields.ForeignKeyField('core.Town', source_field='town_id', null=True, db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.CASCADE)),
                ('village', fields.ForeignKeyField('core.Village', source_field='village_id', null=True, db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.SET_NULL)),
                ('phone', fields.CharField(default='', max_length=32)),
                ('is_core', fields.BooleanField(default=False)),
                ('active', fields.BooleanField(default=True)),
                ('password_hash', fields.CharField(default='', max_length=256)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'user', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A person known to mingbai: a WeChat openid, a role, and where they belong'},
            bases=['Model'],
        ),
    ]
