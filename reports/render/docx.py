"""The report section as .docx: docxtpl over the 公文 template (templates/section.docx), with the tables and charts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from queries.figures import CountyFigures, ReportFigures
from reports.render import charts, phrasing
from reports.render.text import share_text

VILLAGE_COLUMNS = ("村名", "户数", "法律明白人", "骨干", "户数/骨干", "骨干覆盖", "联系户占比", "宣传活动",
                   "矛盾纠纷")
TOWN_COLUMNS = ("乡镇", "会议", "培训", "宣传活动", "资料（份）", "骨干", "纠纷", "调解成功", "成功率", "上交")


TEMPLATE = Path(__file__).with_name("templates") / "section.docx"  # made by scripts/make_report_template.py


def sections(text: str, headings: list[str], level: int) -> tuple[str, list[dict[str, Any]]]:
    """Split the text report into its title (or '') and (heading, level, paragraphs) parts."""
    lines = [line for line in text.splitlines() if line.strip()]
    title, out = "", list[dict[str, Any]]()
    for line in lines:
        if line in headings:
            out.append({"heading": line, "level": level, "paragraphs": []})
        elif out:
            out[-1]["paragraphs"].append(line)
        else:
            title = line
    return title, out


def village_rows(f: ReportFigures) -> list[list[str]]:
    """One row per village: coverage, events and disputes."""
    rows = []
    for v in f.helpers.villages:
        key = f"{v.town}{v.name}" if f.is_county else v.name
        rows.append([
            key, str(v.households), str(v.helpers), str(v.core),
            "—" if v.households_per_core is None else f"{v.households_per_core:.1f}",
            "达到" if v.meets_ratio else f"未达到（差{v.core_needed}人）",
            share_text(v.household_share) + ("" if v.meets_share else "（未达到）"),
            str(f.activities.by_village.get(key, 0)), str(f.disputes.by_village.get(key, 0)),
        ])
    return rows


def town_rows(c: CountyFigures) -> list[list[str]]:
    """One row per town and the county total."""
    rows = []
    for t in [*c.towns, c.total]:
        a, d = t.activities, t.disputes
        rows.append([
            t.town, str(a.meetings), str(a.trainings), str(a.events), str(a.materials), str(t.helpers.core),
            str(d.received), str(d.agreed), phrasing.percent(d.success_rate), str(d.escalated),
        ])
    return rows


def render_docx(figures: ReportFigures | CountyFigures, level: int = 1) -> bytes:
    """The report section as a .docx in the 公文 layout (the template under reports/render/templates)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    from reports.render.text import PART_TITLES, context, render_text

    if isinstance(figures, CountyFigures):
        f, towns = figures.total, town_rows(figures)
    else:
        f, towns = figures, []
    ctx = context(f, level)
    headings = [n + PART_TITLES[p] for p, n in ctx["num"].items()]
    title, parts = sections(render_text(f, level=level), headings, ctx["level"])
    tpl = DocxTemplate(str(TEMPLATE))
    villages = village_rows(f)
    tables = 1 if towns else 0
    tpl.render({
        "show_title": ctx["show_title"],
        "title": title,
        "sections": parts,
        "towns": towns,
        "villages": villages,
        "village_table_title": f"附表{tables + 1}　各村“法律明白人”覆盖和工作情况",
        "chart_months": InlineImage(tpl, io.BytesIO(charts.events_by_month(f)), width=Mm(150)),
        "chart_types": InlineImage(tpl, io.BytesIO(charts.disputes_by_type(f)), width=Mm(150)),
    }, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()
