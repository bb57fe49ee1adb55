"""Text and Markdown report sections from jinja2 templates, in the register of the 述法报告."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from models.report import numbers
from models.report_figures import SIX_TARGETS, CountyFigures, ReportFigures, VillageCoverage

TOP_FORMS = 6
TOP_TYPES = 5
TOP_TOPICS = 5


@cache
def environment() -> jinja2.Environment:
    """The jinja2 environment with the number filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("models.report", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # plain text and Markdown, never HTML
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        count=numbers.count, approx=numbers.approx, money=numbers.money, percent=numbers.percent, days=_days
    )
    return env


def _days(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def ranked(counts: dict[str, int], limit: int | None = None) -> list[tuple[str, int]]:
    """Largest first, ties by name; zero counts dropped."""
    items = sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))
    return items[:limit] if limit else items


def listing(counts: dict[str, int], unit: str, limit: int, suffix: str = "") -> str:
    """'邻里纠纷（30件）、婚姻家庭纠纷（25件）等': the largest entries, with 等 when some were left out."""
    items = ranked(counts)
    shown = items[:limit]
    text = "、".join(f"{k}{'' if k.endswith(('争议', '纠纷')) else suffix}（{v}{unit}）" for k, v in shown)
    return text + ("等" if len(items) > len(shown) else "") if shown else ""


def six_targets(by_target: dict[str, int]) -> str:
    """'法律进乡村12次、进学校5次' in the order of the 六进."""
    parts = [f"进{t}{by_target[t]}次" for t in SIX_TARGETS if by_target.get(t)]
    parts += [f"进{t}{n}次" for t, n in ranked(by_target) if t not in SIX_TARGETS]
    return ("法律" + "、".join(parts)) if parts else ""


def village_names(villages: list[VillageCoverage], county: bool) -> str:
    """Village names joined with 、 (prefixed by the town in a county report)."""
    return "、".join(f"{v.town if county else ''}{v.name}" for v in villages)


def _yoy(f: ReportFigures) -> dict[str, str]:
    p = f.previous
    pairs = {
        "meetings": (f.activities.meetings, p.activities.meetings if p else None, "次"),
        "trainings": (f.activities.trainings, p.activities.trainings if p else None, "次"),
        "events": (f.activities.events, p.activities.events if p else None, "次"),
        "received": (f.disputes.received, p.disputes.received if p else None, "件"),
    }
    out = {}
    for key, (cur, prev, unit) in pairs.items():
        phrase = numbers.change(cur, prev if p is not None else None, unit)
        out[key] = f"，{phrase}" if phrase else ""
    return out


def title(f: ReportFigures) -> str:
    """The section title: 江湾镇2023年法治建设工作情况."""
    where = f.town + (f.village or "")
    return f"{where}{f.period.label}法治建设工作情况"


def context(f: ReportFigures) -> dict[str, Any]:
    """Everything the templates need, beyond the figures themselves."""
    lead = ("" if not (f.village or f.is_county) else f.subject) + f.period.label
    return {
        "f": f,
        "title": title(f),
        "lead": lead,
        "span": f.period.span_word,
        "yoy": _yoy(f),
        "forms": listing(f.activities.by_form, "次", TOP_FORMS),
        "targets": six_targets(f.activities.by_target),
        "types": listing(f.disputes.by_type, "件", TOP_TYPES, suffix="纠纷"),
        "topics": listing(f.questions.by_topic, "次", TOP_TOPICS),
        "below_ratio": village_names(f.helpers.below_ratio, f.is_county),
        "below_floor": village_names(f.helpers.below_floor, f.is_county),
    }


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


def render_text(f: ReportFigures, *, md: bool = False) -> str:
    """The report section as plain text (or Markdown)."""
    return _tidy(environment().get_template("section.j2").render(md=md, **context(f)))


def render_short(f: ReportFigures) -> str:
    """The short version for chat."""
    return _tidy(environment().get_template("short.j2").render(**context(f)))


def render_county_text(c: CountyFigures, *, md: bool = False) -> str:
    """The county totals' section, then every town side by side."""
    body = render_text(c.total, md=md)
    header = ["乡镇", "会议", "培训", "宣传活动", "资料(份)", "骨干", "骨干覆盖", "纠纷", "调解成功", "成功率", "上交"]
    rows = []
    for t in [*c.towns, c.total]:
        a, h, d = t.activities, t.helpers, t.disputes
        rows.append([
            t.town, str(a.meetings), str(a.trainings), str(a.events), str(a.materials), str(h.core),
            "达到" if h.all_meet_ratio else f"{len(h.below_ratio)}村未达", str(d.received), str(d.agreed),
            numbers.percent(d.success_rate), str(d.escalated),
        ])
    if md:
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        table += ["| " + " | ".join(r) + " |" for r in rows]
        return body + "\n## 各乡镇对比\n\n" + "\n".join(table) + "\n"
    lines = ["各乡镇对比", "\t".join(header), *("\t".join(r) for r in rows)]
    return body + "\n" + "\n".join(lines) + "\n"
