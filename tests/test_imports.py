"""Which package may import which (docs/architecture.md): checked on the source, import by import.

knowledge/ is pure: it imports none of ours but itself. models/ imports knowledge/ at most. handlers/
may import handlers/, knowledge/ and models/, never bot/ (the settings type, under TYPE_CHECKING,
is the one exception: a type, not code). None of knowledge/, models/, handlers/ imports aiohttp or
wechatpy: they know nothing of HTTP or WeChat.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"bot", "handlers", "knowledge", "models"}
ALLOWED = {
    "knowledge": {"knowledge"},
    "models": {"models", "knowledge"},
    "handlers": {"handlers", "knowledge", "models"},
    "bot": OURS,
}
EDGE_LIBRARIES = {"aiohttp", "wechatpy"}


def _imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, top-level module) of every import that runs, skipping `if TYPE_CHECKING:` blocks."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []  # types only: never imported at run time
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module.split(".")[0]


def _violations(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, top in _imports(tree):
            wrong_ours = top in OURS and top not in ALLOWED[package]
            wrong_edge = package != "bot" and top in EDGE_LIBRARIES
            if wrong_ours or wrong_edge:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return found


@pytest.mark.parametrize("package", ["knowledge", "models", "handlers"])
def test_package_imports_only_what_it_may(package: str) -> None:
    assert _violations(package) == []


def test_the_check_sees_a_forbidden_import() -> None:
    tree = ast.parse("import aiohttp\nfrom bot.config import Settings\nif TYPE_CHECKING:\n    import bot\n")
    assert [top for _, top in _imports(tree)] == ["aiohttp", "bot"]
