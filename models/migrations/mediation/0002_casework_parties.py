from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('mediation', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Investigation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('mediation.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='investigations', on_delete=OnDelete.CASCADE)),
                ('held_on', fields.DateField()),
                ('place', fields.CharField(default='', max_length=128)),
                ('interviewee', fields.CharField(default='', max_length=128)),
                ('investigators', fields.CharField(default='', max_length=128)),
                ('recorder', fields.CharField(default='', max_length=64)),
                ('content', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mediation_investigation', 'app': 'mediation', 'pk_attr': 'id', 'table_description': 'An inquiry into the facts (调查记录): who was asked, where, by whom, what they said'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('mediation.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, max_length=128)),
                ('kind', fields.CharField(max_length=32)),
                ('openid', fields.CharField(max_length=64)),
                ('recipient_label', fields.CharField(default='', max_length=64)),
                ('text', fields.TextField(unique=False)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('channel', fields.CharField(default='', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('error', fields.CharField(default='', max_length=128)),
                ('not_before', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mediation_notification', 'app': 'mediation', 'pk_attr': 'id', 'table_description': 'One message to one person about a case: queued in the transaction that caused it, sent once by the worker'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Agreement',
            name='case',
            field=fields.ForeignKeyField('mediation.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='agreements', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Agreement',
            name='superseded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Assignment',
            name='chosen_by_parties',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Assignment',
            name='end_kind',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Assignment',
            name='end_reason',
            field=fields.CharField(default='', db_default='', max_length=256),
        ),
        ops.AddField(
            model_name='Assignment',
            name='ended_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='Case',
            name='number',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AlterField(
            model_name='Case',
            name='seq',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Case',
            name='applicant_seen_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Case',
            name='end_reason',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Case',
            name='extended_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Case',
            name='extension_note',
            field=fields.CharField(default='', db_default='', max_length=256),
        ),
        ops.AddField(
            model_name='Case',
            name='reg_number',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AddField(
            model_name='Case',
            name='reg_seq',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Case',
            name='stat_category',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Case',
            name='session_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Case',
            name='session_place',
            field=fields.CharField(default='', db_default='', max_length=128),
        ),
        ops.AddField(
            model_name='CaseCounter',
            name='last_reg_seq',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AlterField(
            model_name='JudicialConfirmation',
            name='case',
            field=fields.ForeignKeyField('mediation.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='confirmations', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='JudicialConfirmation',
            name='agreement',
            field=fields.ForeignKeyField('mediation.Agreement', source_field='agreement_id', null=True, db_constraint=True, to_field='id', related_name='confirmations', on_delete=OnDelete.SET_NULL),
        ),
        ops.AlterModelOptions(
            name='Party',
            options={'table': 'mediation_party', 'app': 'mediation', 'pk_attr': 'id', 'table_description': "A party to a dispute (a person or an organisation), whose personal data only the case's staff see"},
        ),
        ops.AlterField(
            model_name='Party',
            name='name',
            field=fields.CharField(db_index=True, max_length=64),
        ),
        ops.AlterField(
            model_name='Party',
            name='phone',
            field=fields.CharField(default='', db_index=True, max_length=32),
        ),
        ops.AddField(
            model_name='Party',
            name='agent_name',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Party',
            name='agent_phone',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Party',
            name='agent_relation',
            field=fields.CharField(default='', db_default='', max_length=128),
        ),
        ops.AddField(
            model_name='Party',
            name='birth_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Party',
            name='credit_code',
            field=fields.CharField(default='', db_default='', max_length=18),
        ),
        ops.AddField(
            model_name='Party',
            name='ethnicity',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Party',
            name='gender',
            field=fields.CharField(default='', db_default='', max_length=4),
        ),
        ops.AddField(
            model_name='Party',
            name='kind',
            field=fields.CharField(default='person', db_default='person', max_length=8),
        ),
        ops.AddField(
            model_name='Party',
            name='legal_rep',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Party',
            name='legal_rep_title',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Party',
            name='occupation',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='SessionRecord',
            name='recorder',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        # Existing cases: their number becomes the registration number (登字); only cases that were
        # accepted keep their 调字号 (a refused or not yet accepted case has none, by 若干规定).
        ops.RunSQL([
            "UPDATE mediation_case SET reg_seq = seq, reg_number = REPLACE(number, '调字第', '登字第')",
            "UPDATE mediation_case SET number = NULL, seq = NULL"
            " WHERE status IN ('registered', 'declined') OR decline_reason <> ''",
            "UPDATE mediation_case_counter SET last_reg_seq = last_seq",
            "UPDATE mediation_case SET stat_category = case_type",
        ], reverse_sql="SELECT 1"),
        # SQLite rebuilds a table to alter a column and drops its plain indexes on the way: restore them
        # (PostgreSQL kept them; IF NOT EXISTS makes this a no-op there).
        ops.RunSQL([
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})" for name, table, column in [
                ("idx_mediation_c_case_ty_629214", "mediation_case", "case_type"),
                ("idx_mediation_c_status_5c8694", "mediation_case", "status"),
                ("idx_mediation_c_applica_9f5c5a", "mediation_case", "applicant_openid"),
                ("idx_mediation_c_reporte_a383ce", "mediation_case", "reporter_openid"),
                ("idx_mediation_c_due_on_b03bc3", "mediation_case", "due_on"),
                ("idx_mediation_c_follow__0f1cf0", "mediation_case", "follow_up_due"),
                ("idx_mediation_p_phone_852bf4", "mediation_party", "phone"),
                ("idx_mediation_p_name_a4df72", "mediation_party", "name"),
            ]
        ] + ["CREATE UNIQUE INDEX IF NOT EXISTS uid_mediation_c_town_id_5037b7 ON mediation_case (town_id, year, seq)"],
            reverse_sql="SELECT 1"),
    ]
