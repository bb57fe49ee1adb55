"""People and villages set one by one: a helper, mediator or admin created (or found again), a village named."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.core import Role, User, Village


async def save_village(village: Village, name: str, households: int, groups: int | None) -> None:
    """Name a village and set its figures; ValueError when its town has a village of that name already."""
    taken = ValueError(f"已有“{name}”。")
    if await Village.filter(town_id=village.town_id, name=name).exclude(id=village.id or 0).exists():  # type: ignore[attr-defined]
        raise taken
    village.name, village.households, village.groups = name, households, groups
    try:
        await village.save()
    except IntegrityError:  # the same name saved concurrently
        raise taken from None


async def add_person(town_id: int, role: Role, name: str, *, village: str | None = None, phone: str = "",
                     core: bool = False) -> tuple[User, bool]:
    """Create a helper/mediator/admin (or find the same person again); returns (user, created)."""
    vid = None
    if village:
        v = await Village.get_or_none(town_id=town_id, name=village) or \
            await Village.get_or_none(town_id=town_id, name=village + "村")
        if v is None:
            raise ValueError(f"本镇没有“{village}”，请先用 mingbai villages import 导入村名单")
        vid = v.id
    query = User.filter(town_id=town_id, role=role.value, display_name=name)
    if phone:
        query = query.filter(phone=phone)
    existing = await query.first()
    if existing is not None:
        return existing, False
    user = await User.create(town_id=town_id, role=role, display_name=name, village_id=vid, phone=phone, is_core=core)
    return user, True
