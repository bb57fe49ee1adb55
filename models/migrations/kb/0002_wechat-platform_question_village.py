from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('kb', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QuestionLog',
            name='village',
            field=fields.ForeignKeyField('core.Village', source_field='village_id', null=True, db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.SET_NULL),
        ),
    ]
