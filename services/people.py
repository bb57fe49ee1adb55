"""People created one by one (helpers, mediators, admins), or found again."""

from __future__ import annotations

from models.core import Role, User, Village


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
