"""Text and Markdown report sections from jinja2 templates, in the register of the 述法报告."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import jinja2

from queries.figures import SIX_TARGETS, CountyFigures, ReportFigures, VillageCoverage
from reports.render import phrasing

TOP_FORMS = 6
TOP_TYPES = 5
TOP_TOPICS = 5


@cache
def environment() -> jinja2.Environment:
    """The jinja2 environment with the number filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports.render", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # plain text and Markdown, never HTML
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        count=phrasing.count, approx=phrasing.approx, money=phrasing.money, percent=phrasing.percent, days=phrasing.days
    )
    return env


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
        phrase = phrasing.change(cur, prev if p is not None else None, unit)
        out[key] = f"，{phrase}" if phrase else ""
    return out


def title(f: ReportFigures) -> str:
    """The section title: 江湾镇2023年法治建设工作情况."""
    where = f.town + (f.village or "")
    return f"{where}{f.period.label}法治建设工作情况"


PART_TITLES = {"meetings": "法治建设专题会议和普法专题培训", "helpers": "“法律明白人”队伍建设",
               "outreach": "法治宣传教育", "disputes": "矛盾纠纷排查化解", "questions": "群众法律咨询",
               "problems": "存在的问题"}
PARTS = tuple(PART_TITLES)
ORDINALS = "一二三四五六七八九十"


def share_text(share: float | None) -> str:
    """A share (0..1) as a percentage cut, never rounded up, to one decimal: 0.4996 -> '49.9%' (below a 50% target
    it must not read as 50%)."""
    return phrasing.percent(None if share is None else math.floor(share * 1000 + 1e-9) / 10)


def problems(f: ReportFigures) -> list[str]:
    """What the 存在的问题 part says, one phrase each (no claim the data does not support)."""
    a, h, d, q = f.activities, f.helpers, f.disputes, f.questions
    out = []
    if not f.village:  # meetings and trainings of 镇村干部 are the town's own figures
        if not a.meetings:
            out.append("未召开法治建设专题会议")
        if not a.trainings:
            out.append("未组织镇村干部开展普法专题培训")
    if not a.events:
        out.append("未登记法治宣传教育活动")
    if not h.villages or not h.households:
        out.append("尚未登记行政村户数，无法核算“法律明白人”骨干覆盖情况")
    elif h.below_ratio:
        if f.village:
            out.append(f"尚未实现每{h.ratio}户至少有一名“法律明白人”骨干，还需培养骨干"
                       f"{sum(v.core_needed for v in h.below_ratio)}名")
        else:
            out.append(f"{len(h.below_ratio)}个村尚未实现每{h.ratio}户至少有一名“法律明白人”骨干"
                       f"（{village_names(h.below_ratio, f.is_county)}）")
    if h.villages and h.households and h.covered_recorded and h.below_share:  # unrecorded: a warning, not a problem
        target = share_text(h.share)
        if f.village:
            out.append(f"“法律明白人”联系户数仅占总户数的{share_text(h.household_share)}，未达到{target}的要求")
        else:
            out.append(f"{len(h.below_share)}个村“法律明白人”联系户数不足总户数的{target}"
                       f"（{village_names(h.below_share, f.is_county)}）")
    if h.villages and h.below_floor:
        who = "本村" if f.village else village_names(h.below_floor, f.is_county)
        out.append(f"{who}的“法律明白人”不足{h.floor}名，需继续培养")
    if d.overdue:
        out.append(f"超期办结或超期未结的矛盾纠纷{phrasing.count(d.overdue)}件")
    if d.escalated:
        out.append(f"仍有{phrasing.count(d.escalated)}件矛盾纠纷上交")
    if q.unanswered and not f.village:
        out.append(f"群众通过微信平台提出的法律问题中有{phrasing.approx(q.unanswered)}次未能自动解答，需人工跟进")
    return out


def problems_paragraph(items: list[str]) -> str:
    """'一是……；二是……。' as a 述法报告 lists its problems."""
    if len(items) == 1:
        return items[0] + "。"
    return "；".join(f"{ORDINALS[i] if i < 10 else i + 1}是{p}" for i, p in enumerate(items)) + "。"


def warnings(f: ReportFigures) -> list[str]:
    """Things the person pulling the report should check before using it (not part of the text)."""
    out = []
    if not f.has_data:
        out.append(f"{f.period.label}没有任何活动、纠纷或咨询记录，报告中的数字均为0。请确认台账和案件已录入，"
                   "或时间段、乡镇是否选对。")
    if not f.helpers.villages:
        out.append("尚未导入村名单和户数，无法核算骨干覆盖情况。")
    elif f.helpers.households and not f.helpers.covered_recorded:
        out.append("法律明白人名单中没有“联系户数”，无法核算联系户占总户数的比例"
                   "（mingbai helpers import 的名单可加“联系户数”一列）。")
    return out


def context(f: ReportFigures, level: int = 1) -> dict[str, Any]:
    """Everything the templates need, beyond the figures themselves; `level` is the parts' 公文 heading level."""
    a, d, q = f.activities, f.disputes, f.questions
    lead = ("" if not (f.village or f.is_county) else f.subject) + f.period.label
    found = problems(f)
    present = {
        "meetings": bool(a.meetings or a.trainings),
        "helpers": bool(f.helpers.helpers or f.helpers.villages),
        "outreach": bool(a.events),
        "disputes": bool(d.received or f.screenings.times),
        "questions": bool(q.asked) and not f.village,  # questions carry no village
        "problems": bool(found),
    }
    parts = [p for p in PARTS if present[p]]
    return {
        "f": f,
        "title": title(f),
        "show_title": level <= 1,
        "level": max(1, min(level, 4)),
        "num": {p: phrasing.heading_number(level, i) for i, p in enumerate(parts, start=1)},
        "titles": PART_TITLES,
        "lead": lead,
        "span": f.period.span_word,
        "yoy": _yoy(f),
        "forms": listing(a.by_form, "次", TOP_FORMS),
        "targets": six_targets(a.by_target),
        "types": listing(d.by_type, "件", TOP_TYPES, suffix="纠纷"),
        "topics": listing(q.by_topic, "次", TOP_TOPICS),
        "below_ratio": village_names(f.helpers.below_ratio, f.is_county),
        "below_floor": village_names(f.helpers.below_floor, f.is_county),
        "share_now": share_text(f.helpers.household_share),
        "share_target": share_text(f.helpers.share),
        "share_of": lambda v: share_text(v.household_share) + ("" if v.meets_share else "，未达到"),
        "no_escalation": d.escalation_free,
        "problems": problems_paragraph(found) if found else "",
    }


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


def render_text(f: ReportFigures, *, md: bool = False, level: int = 1) -> str:
    """The report section as plain text (or Markdown), its parts numbered at the 公文 heading `level`."""
    return _tidy(environment().get_template("section.j2").render(md=md, **context(f, level)))


def render_short(f: ReportFigures) -> str:
    """The short version for chat."""
    return _tidy(environment().get_template("short.j2").render(**context(f)))


def render_county_text(c: CountyFigures, *, md: bool = False, level: int = 1) -> str:
    """The county totals' section, then every town side by side."""
    body = render_text(c.total, md=md, level=level)
    header = ["乡镇", "会议", "培训", "宣传活动", "资料（份）", "骨干", "骨干覆盖", "纠纷", "调解成功", "成功率",
              "上交"]
    rows = []
    for t in [*c.towns, c.total]:
        a, h, d = t.activities, t.helpers, t.disputes
        rows.append([
            t.town, str(a.meetings), str(a.trainings), str(a.events), str(a.materials), str(h.core),
            "达到" if h.all_meet_ratio else f"{len(h.below_ratio)}村未达", str(d.received), str(d.agreed),
            phrasing.percent(d.success_rate), str(d.escalated),
        ])
    if md:
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        table += ["| " + " | ".join(r) + " |" for r in rows]
        return body + "\n## 各乡镇对比\n\n" + "\n".join(table) + "\n"
    lines = ["各乡镇对比", "\t".join(header), *("\t".join(r) for r in rows)]
    return body + "\n" + "\n".join(lines) + "\n"
