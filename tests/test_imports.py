"""Which package may import which (docs/architecture.md): checked on the source, import by import.

knowledge ← models ← services ← queries ← reports, sheets ← handlers ← bot. knowledge/ is pure: it imports
none of ours but itself. models/ (tables) imports knowledge/ at most; services/ adds models/; queries/ adds
services/; reports/ and sheets/ add queries/ and never import each other. handlers/ may import all of
those, never bot/ (the settings type, under TYPE_CHECKING, is the one exception: a type, not code). demo/
sits beside the runtime: only bot/commands/demo.py loads it, inside a function. Below bot/ nothing
imports aiohttp or wechatpy: they know nothing of HTTP or WeChat.

And one name, one meaning: a module's file name is used once across the packages, except a domain's
name repeated once per layer for that same domain (DOMAIN_NAMES, listed in docs/architecture.md).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"bot", "handlers", "knowledge", "models", "services", "queries", "reports", "sheets", "demo"}
_BELOW_HANDLERS = {"knowledge", "models", "services", "queries", "reports", "sheets"}
ALLOWED = {
    "knowledge": {"knowledge"},
    "models": {"models", "knowledge"},
    "services": {"services", "models", "knowledge"},
    "queries": {"queries", "services", "models", "knowledge"},
    "reports": {"reports", "queries", "services", "models", "knowledge"},
    "sheets": {"sheets", "queries", "services", "models", "knowledge"},
    "handlers": {"handlers", *_BELOW_HANDLERS},
    "demo": {"demo", *_BELOW_HANDLERS},
    "bot": OURS - {"demo"},  # demo only lazily, from the demo command
}
EDGE_LIBRARIES = {"aiohttp", "wechatpy"}
# A domain's name, once per layer (bot/api/outreach.py, handlers/outreach.py, models/outreach.py): one meaning.
DOMAIN_NAMES = {"outreach", "mediation", "screening", "helper_work", "cases", "people", "kb", "stats", "roster",
                "points"}


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


def _module_level(tree: ast.Module) -> ast.Module:
    """The statements that run at import time: the module body, its ifs and trys, no function bodies."""
    keep: list[ast.stmt] = []
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        keep.append(node)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            continue  # types only
        if isinstance(node, ast.If | ast.Try):
            todo += [*node.body, *node.orelse, *getattr(node, "finalbody", [])]
    return ast.Module(body=[n for n in keep if isinstance(n, ast.Import | ast.ImportFrom | ast.If)], type_ignores=[])


def _violations(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, top in _imports(_module_level(tree) if package == "bot" else tree):
            wrong_ours = top in OURS and top not in ALLOWED[package]
            wrong_edge = package != "bot" and top in EDGE_LIBRARIES
            if wrong_ours or wrong_edge:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return found


@pytest.mark.parametrize("package", ["knowledge", "models", "services", "queries", "reports", "sheets", "handlers",
                                     "demo", "bot"])
def test_package_imports_only_what_it_may(package: str) -> None:
    assert _violations(package) == []


def test_the_check_sees_a_forbidden_import() -> None:
    tree = ast.parse("import aiohttp\nfrom bot.config import Settings\nif TYPE_CHECKING:\n    import bot\n")
    assert [top for _, top in _imports(tree)] == ["aiohttp", "bot"]


def _reused_names() -> dict[str, list[str]]:
    """Module file names used by more than one module of ours (packages' __init__ and migrations aside)."""
    seen: dict[str, list[str]] = {}
    for package in sorted(OURS):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name != "__init__.py" and "migrations" not in path.parts:
                seen.setdefault(path.stem, []).append(str(path.relative_to(ROOT)))
    return {name: paths for name, paths in seen.items() if len(paths) > 1}


def test_one_name_one_meaning() -> None:
    assert {name: paths for name, paths in _reused_names().items() if name not in DOMAIN_NAMES} == {}


def test_the_name_check_sees_a_reuse() -> None:
    assert set(_reused_names()) <= DOMAIN_NAMES and "outreach" in _reused_names()
    assert len(_reused_names()["outreach"]) >= 3


def test_bot_loads_demo_only_inside_a_function() -> None:
    lazy = ast.parse("def run():\n    from demo.seed import generate\n")
    eager = ast.parse("from demo.seed import generate\n")
    assert [top for _, top in _imports(_module_level(lazy))] == []
    assert [top for _, top in _imports(_module_level(eager))] == ["demo"]
