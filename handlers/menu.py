"""The help menu: the lines the composed routers declare (Router.menu_line), for the user's role."""

from __future__ import annotations

from collections.abc import Iterable

from handlers.core.router import MenuLine, Router
from models.core import Role


class Menu:
    """The help menu of a composed router tree."""

    def __init__(self, lines: Iterable[MenuLine]) -> None:
        self.lines = sorted(set(lines), key=lambda x: (x.order, x.text))

    @classmethod
    def of(cls, root: Router) -> Menu:
        """The lines every included router declared."""
        return cls(root.menu_lines())

    def text(self, town: str, role: Role) -> str:
        """The help menu for a role."""
        lines = [line.text for line in self.lines if line.roles is None or role in line.roles]
        body = "\n".join(f"· {t}" for t in lines)
        return f"您好，这里是{town}“明白”法治服务。您可以：\n{body}\n\n随时回复“帮助”再看这份菜单。"
