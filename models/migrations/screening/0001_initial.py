from tortoise import migrations
from tortoise.migrations import operations as ops
from models.screening_tables import ScreeningLevel, ScreeningSource
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('mediation', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Screening',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('town', fields.ForeignKeyField('core.Town', source_field='town_id', db_constraint=True, to_field='id', related_name='screenings', on_delete=OnDelete.CASCADE)),
                ('village', fields.ForeignKeyField('core.Village', source_field='village_id', null=True, db_constraint=True, to_field='id', related_name='screenings', on_delete=OnDelete.SET_NULL)),
                ('level', fields.CharEnumField(default=ScreeningLevel.VILLAGE, description='VILLAGE: village\nTOWN: town', enum_type=ScreeningLevel, max_length=8)),
                ('date', fields.DateField(db_index=True)),
                ('author', fields.ForeignKeyField('core.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='screenings', on_delete=OnDelete.SET_NULL)),
                ('organiser', fields.CharField(default='', max_length=64)),
                ('scope', fields.CharField(default='', max_length=200)),
                ('found', fields.IntField(default=0)),
                ('resolved', fields.IntField(default=0)),
                ('registered', fields.IntField(default=0)),
                ('measures', fields.CharField(default='', max_length=500)),
                ('note', fields.CharField(default='', max_length=500)),
                ('source', fields.CharEnumField(default=ScreeningSource.CHAT, description='CHAT: chat\nAPI: api\nCONSOLE: console\nIMPORT: import', enum_type=ScreeningSource, max_length=8)),
                ('fingerprint', fields.CharField(max_length=80)),
                ('withdrawn', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'screening', 'app': 'screening', 'unique_together': (('town', 'fingerprint'),), 'indexes': [Index(fields=['town_id', 'date']), Index(fields=['village_id', 'date'])], 'pk_attr': 'id', 'table_description': 'One 矛盾纠纷排查: when, where, who, what was found and what became of it'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScreeningCase',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('screening', fields.ForeignKeyField('screening.Screening', source_field='screening_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.CASCADE)),
                ('case', fields.ForeignKeyField('mediation.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='screenings', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'screening_case', 'app': 'screening', 'unique_together': (('screening', 'case'),), 'pk_attr': 'id', 'table_description': 'A dispute found in a screening and registered as a mediation case: the link between the two'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScreeningReminder',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('village', fields.ForeignKeyField('core.Village', source_field='village_id', db_constraint=True, to_field='id', related_name='screening_reminders', on_delete=OnDelete.CASCADE)),
                ('due_on', fields.DateField()),
                ('recipients', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'screening_reminder', 'app': 'screening', 'unique_together': (('village', 'due_on'),), 'pk_attr': 'id', 'table_description': "A reminder to a village's helpers that its screening is overdue: claimed once per village and due date"},
            bases=['Model'],
        ),
    ]
