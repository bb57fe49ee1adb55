"""Who is talking: an openid's role and town, for the handlers' context."""

from __future__ import annotations

from handlers.core.types import Context
from models.core import Role, Town, User


async def ensure_town(name: str, studio_name: str, case_prefix: str) -> int:
    """The configured town exists (the embedded default's only town); return its id."""
    town, created = await Town.get_or_create(
        name=name, defaults={"studio_name": studio_name, "case_prefix": case_prefix}
    )
    if not created and (town.studio_name != studio_name or town.case_prefix != case_prefix):
        town.studio_name, town.case_prefix = studio_name, case_prefix
        await town.save(update_fields=["studio_name", "case_prefix"])
    return town.id


class ContextLoader:
    """Loads a Context per message; unknown openids are villagers of the default town."""

    def __init__(self, default_town_id: int) -> None:
        self.default_town_id = default_town_id

    async def __call__(self, openid: str) -> Context:
        user = await User.get_or_none(openid=openid)
        if user is None or not user.active:
            return Context(openid=openid, role=Role.VILLAGER, town_id=self.default_town_id)
        return Context(
            openid=openid,
            role=Role(user.role),
            user_id=user.id,
            town_id=user.town_id or self.default_town_id,  # type: ignore[attr-defined]
            display_name=user.display_name,
        )
