"""Activities: 受众 (who came), a column of the 工作台账; part of an entry's identity only when given."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0002_wechat-platform_identities'), ('outreach', '0002_county-stats_tallies')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Activity',
            name='audience',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
