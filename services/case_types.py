"""The case types and referring bodies of a deployment: the 15 statistics categories, plus a county's own types.

A county may add types (继承, 土地承包经营权, 村务管理 ...); each maps to one of the 15 categories of the
人民调解 statistics, stored with the case (Case.stat_category) so the figures stay comparable. Set once at
start-up from `[mediation] extra_case_types` and `referrers`.
"""

from __future__ import annotations

from services.case_flow import CASE_TYPES, REFERRERS

_extra: dict[str, str] = {}
_referrers: tuple[str, ...] = REFERRERS


def parse(spec: str) -> dict[str, str]:
    """'继承=婚姻家庭, 村务管理=其他' -> {'继承': '婚姻家庭', '村务管理': '其他'}; ValueError names the fault."""
    out: dict[str, str] = {}
    for item in spec.replace("，", ",").replace("、", ",").split(","):
        if not item.strip():
            continue
        name, sep, category = (x.strip() for x in item.replace("＝", "=").partition("="))
        if not sep or not name or len(name) > 16:
            raise ValueError(f"{item.strip()!r}: write a type as 名称=统计类别, e.g. 继承=婚姻家庭")
        if category not in CASE_TYPES:
            raise ValueError(f"{name}: the statistics category {category!r} is not one of {'、'.join(CASE_TYPES)}")
        if name in CASE_TYPES or name in out:
            raise ValueError(f"{name}: listed twice")
        out[name] = category
    return out


def configure(extra_case_types: str = "", referrers: str = "") -> None:
    """Set this process's types and referring bodies (called by the app, the worker and the CLI)."""
    global _extra, _referrers
    _extra = parse(extra_case_types)
    names = tuple(r.strip() for r in referrers.replace("，", ",").replace("、", ",").split(",") if r.strip())
    _referrers = names or REFERRERS


def case_types() -> tuple[str, ...]:
    """Every type offered, in menu order: the categories, the county's own types, then 其他 last."""
    return (*CASE_TYPES[:-1], *_extra, CASE_TYPES[-1])


def category(case_type: str) -> str:
    """The statistics category of a type (a category is its own)."""
    if case_type in CASE_TYPES:
        return case_type
    if case_type in _extra:
        return _extra[case_type]
    raise ValueError(f"unknown case type {case_type!r}")


def referrers() -> tuple[str, ...]:
    """The bodies that may refer a case (接受委托移送)."""
    return _referrers
