"""Who is talking: an openid's role and town, for the handlers' context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tortoise.signals import Signals

from bot.redis_store import ctx_key
from handlers.core.types import Context
from models.core import Role, Town, User

log = logging.getLogger("mingbai.users")


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
        try:
            user = await User.get_or_none(openid=openid)
        except Exception as exc:  # database down: answer as to a villager (least privilege), do not cache
            log.warning("user lookup failed (%s): treating the sender as a villager", type(exc).__name__)
            return Context(openid=openid, role=Role.VILLAGER, town_id=self.default_town_id,
                           extras={"degraded": True})
        if user is None or not user.active:
            return Context(openid=openid, role=Role.VILLAGER, town_id=self.default_town_id)
        return Context(
            openid=openid,
            role=Role(user.role),
            user_id=user.id,
            town_id=user.town_id or self.default_town_id,  # type: ignore[attr-defined]
            display_name=user.display_name,
        )


def install_cache_invalidation(redis: Any) -> Callable[[], None]:
    """Saving or deleting a User clears its cached Context (old and new openid); returns an uninstaller."""

    async def before_save(sender: type[User], instance: User, using_db: Any, update_fields: Any) -> None:
        if instance.pk is not None:
            old = await User.filter(pk=instance.pk).values_list("openid", flat=True)
            for openid in old:
                if openid:
                    await redis.delete(ctx_key(str(openid)))

    async def after_change(sender: type[User], instance: User, *args: Any) -> None:
        if instance.openid:
            await redis.delete(ctx_key(instance.openid))

    listeners = {Signals.pre_save: before_save, Signals.post_save: after_change, Signals.post_delete: after_change}
    for signal, func in listeners.items():
        User.register_listener(signal, func)

    def uninstall() -> None:
        for signal, func in listeners.items():
            registered = User._listeners.get(signal, {}).get(User, [])
            if func in registered:
                registered.remove(func)

    return uninstall
