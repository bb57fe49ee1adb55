"""Towns, villages and the people who use mingbai."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    """What a user may do; a county admin sees every town."""

    VILLAGER = "villager"
    HELPER = "helper"
    MEDIATOR = "mediator"
    ADMIN = "admin"
    COUNTY_ADMIN = "county_admin"

    @property
    def label(self) -> str:
        """The role's Chinese name."""
        return ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        """Mediators and admins work for the town."""
        return self in {Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN}


ROLE_LABELS = {
    Role.VILLAGER: "村民",
    Role.HELPER: "法律明白人",
    Role.MEDIATOR: "人民调解员",
    Role.ADMIN: "管理员",
    Role.COUNTY_ADMIN: "县级管理员",
}


class Town(Model):
    """A town (乡镇) and its mediation studio, to which every record belongs."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    studio_name = fields.CharField(max_length=128, default="")
    case_prefix = fields.CharField(max_length=32, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    villages: fields.ReverseRelation[Village]
    users: fields.ReverseRelation[User]

    class Meta:
        table = "town"

    def __str__(self) -> str:
        return self.name


class Village(Model):
    """An administrative village (行政村) of a town."""

    id = fields.IntField(primary_key=True)
    town: fields.ForeignKeyRelation[Town] = fields.ForeignKeyField(
        "core.Town", related_name="villages", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64)
    households = fields.IntField(default=0)
    groups = fields.IntField(null=True)  # 村民小组 count, optional
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "village"
        unique_together = (("town", "name"),)

    def __str__(self) -> str:
        return self.name


class User(Model):
    """A person known to mingbai: a WeChat openid, a role, and where they belong"""

    id = fields.IntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True, null=True)
    role = fields.CharEnumField(Role, max_length=16, default=Role.VILLAGER)
    display_name = fields.CharField(max_length=64, default="")
    town: fields.ForeignKeyNullableRelation[Town] = fields.ForeignKeyField(
        "core.Town", related_name="users", null=True, on_delete=fields.CASCADE
    )
    village: fields.ForeignKeyNullableRelation[Village] = fields.ForeignKeyField(
        "core.Village", related_name="users", null=True, on_delete=fields.SET_NULL
    )
    phone = fields.CharField(max_length=32, default="")
    is_core = fields.BooleanField(default=False)  # 骨干 法律明白人
    active = fields.BooleanField(default=True)
    password_hash = fields.CharField(max_length=256, default="")
    # The console login (a login name or a phone, services.accounts.normalize_login); renames never touch it.
    login = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "user"

    def __str__(self) -> str:
        return f"{self.display_name or self.openid} ({self.role})"


class WeChatApp(StrEnum):
    """The WeChat apps a person reaches mingbai through; each gives them an openid of its own."""

    OFFICIAL_ACCOUNT = "oa"  # 公众号: the chat
    MINI_PROGRAM = "mp"  # 小程序


class WeChatIdentity(Model):
    """One openid of one WeChat app, the person it belongs to (if bound), and the UnionID when WeChat gives it"""

    id = fields.IntField(primary_key=True)
    app = fields.CharEnumField(WeChatApp, max_length=4)
    openid = fields.CharField(max_length=64)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="identities", null=True, on_delete=fields.SET_NULL
    )
    # The village whose QR code this follower scanned: their questions count for it.
    village: fields.ForeignKeyNullableRelation[Village] = fields.ForeignKeyField(
        "core.Village", related_name="followers", null=True, on_delete=fields.SET_NULL
    )
    info_fetched_at = fields.DatetimeField(null=True)  # when user/info was last asked for the UnionID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "wechat_identity"
        unique_together = (("app", "openid"),)

    def __str__(self) -> str:
        return f"{self.app}:{self.openid}"


class LinkCode(Model):
    """A short-lived 6-digit code: a person bound in one app enters it in the other to link the two"""

    id = fields.IntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)  # sha256 of the code, never the code
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="link_codes", on_delete=fields.CASCADE
    )
    app = fields.CharEnumField(WeChatApp, max_length=4)  # the app the code is to be entered in
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "wechat_link_code"
