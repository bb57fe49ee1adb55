"""The statistics outcomes of a case (预防纠纷, 防止民转刑/群体性上访/群体性械斗/自杀 with their persons).

Cases already marked 防止民转刑 count their parties as the persons (what the statistics counted until now).
Adding columns is a plain ALTER TABLE ADD COLUMN on SQLite too (no table rebuild), so the case tallies'
triggers (models.tallies) stay in place; the tallies do not read these columns.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0002_wechat-platform_identities'), ('mediation', '0002_county-stats_tallies')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Case',
            name='prevented_criminal_persons',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Case',
            name='prevented_dispute',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Case',
            name='prevented_mass_fight',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Case',
            name='prevented_mass_fight_persons',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Case',
            name='prevented_mass_petition',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Case',
            name='prevented_mass_petition_persons',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Case',
            name='prevented_suicide',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Case',
            name='prevented_suicide_persons',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunSQL([
            "UPDATE mediation_case SET prevented_criminal_persons = (SELECT COUNT(*) FROM mediation_party p"
            " WHERE p.case_id = mediation_case.id) WHERE prevented_criminal",
        ], reverse_sql="SELECT 1"),
    ]
