from tortoise import migrations
from tortoise.migrations import operations as ops
from models.core import WeChatApp
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0002_integrity_login')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LinkCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', db_constraint=True, to_field='id', related_name='link_codes', on_delete=OnDelete.CASCADE)),
                ('app', fields.CharEnumField(description='OFFICIAL_ACCOUNT: oa\nMINI_PROGRAM: mp', enum_type=WeChatApp, max_length=4)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'wechat_link_code', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A short-lived 6-digit code: a person bound in one app enters it in the other to link the two'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WeChatIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.CharEnumField(description='OFFICIAL_ACCOUNT: oa\nMINI_PROGRAM: mp', enum_type=WeChatApp, max_length=4)),
                ('openid', fields.CharField(max_length=64)),
                ('unionid', fields.CharField(null=True, db_index=True, max_length=64)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='identities', on_delete=OnDelete.SET_NULL)),
                ('village', fields.ForeignKeyField('core.Village', source_field='village_id', null=True, db_constraint=True, to_field='id', related_name='followers', on_delete=OnDelete.SET_NULL)),
                ('info_fetched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'wechat_identity', 'app': 'core', 'unique_together': (('app', 'openid'),), 'pk_attr': 'id', 'table_description': 'One openid of one WeChat app, the person it belongs to (if bound), and the UnionID when WeChat gives it'},
            bases=['Model'],
        ),
        # Openids bound before identities existed become the person's 公众号 identity (the chat bound them).
        ops.RunSQL(
            'INSERT INTO wechat_identity (app, openid, user_id, created_at) '
            'SELECT \'oa\', openid, id, created_at FROM "user" WHERE openid IS NOT NULL',
            reverse_sql="DELETE FROM wechat_identity",
        ),
    ]
