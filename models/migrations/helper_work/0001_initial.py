from tortoise import migrations
from tortoise.migrations import operations as ops
from models.helper_tables import ReferralKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('mediation', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='HelperProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('core.User', source_field='user_id', db_constraint=True, to_field='id', related_name='helper_profile', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(default='', max_length=16)),
                ('households', fields.IntField(default=0)),
                ('joined_on', fields.DateField(null=True)),
                ('left_on', fields.DateField(null=True)),
            ],
            options={'table': 'helper_profile', 'app': 'helper_work', 'pk_attr': 'id', 'table_description': 'What the roster keeps about a helper beyond name, village and 骨干: source, households, service period'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HelperTraining',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', db_constraint=True, to_field='id', related_name='trainings', on_delete=OnDelete.CASCADE)),
                ('date', fields.DateField(db_index=True)),
                ('theme', fields.CharField(default='', max_length=200)),
                ('hours', fields.DecimalField(default=0, max_digits=5, decimal_places=1)),
                ('organiser', fields.CharField(default='', max_length=64)),
                ('fingerprint', fields.CharField(max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'helper_training', 'app': 'helper_work', 'unique_together': (('user', 'fingerprint'),), 'pk_attr': 'id', 'table_description': 'A training a helper attended (组织法律明白人参加普法学习培训): date, theme, hours'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Referral',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('helper', fields.ForeignKeyField('core.User', source_field='helper_id', db_constraint=True, to_field='id', related_name='referrals', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='DISPUTE: dispute\nLEGAL_AID: legal_aid', enum_type=ReferralKind, max_length=12)),
                ('date', fields.DateField(db_index=True)),
                ('case', fields.ForeignKeyField('mediation.Case', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name='referrals', on_delete=OnDelete.SET_NULL)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'helper_referral', 'app': 'helper_work', 'pk_attr': 'id', 'table_description': 'A dispute a helper reported or a person they referred to legal aid, credited to them'},
            bases=['Model'],
        ),
    ]
