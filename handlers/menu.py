"""The help menu: each feature registers its lines; 帮助 shows those for the user's role."""

from __future__ import annotations

from dataclasses import dataclass

from models.core import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class MenuLine:
    order: int
    text: str
    roles: frozenset[Role]


_LINES: list[MenuLine] = []
_CACHE: dict[tuple[str, Role, int], str] = {}  # (town, role, number of lines): the menu as sent


def add_menu_line(text: str, *, order: int = 50, roles: frozenset[Role] | set[Role] = ALL_ROLES) -> None:
    """Register a line of the help menu (features call this at import time)."""
    line = MenuLine(order, text, frozenset(roles))
    if line not in _LINES:
        _LINES.append(line)


def menu_text(town: str, role: Role) -> str:
    """The help menu for a role."""
    key = (town, role, len(_LINES))
    cached = _CACHE.get(key)
    if cached is None:
        lines = [line.text for line in sorted(_LINES, key=lambda x: (x.order, x.text)) if role in line.roles]
        body = "\n".join(f"· {t}" for t in lines)
        cached = f"您好，这里是{town}“明白”法治服务。您可以：\n{body}\n\n随时回复“帮助”再看这份菜单。"
        if len(_CACHE) < 1024:  # towns × roles; bounded all the same
            _CACHE[key] = cached
    return cached
