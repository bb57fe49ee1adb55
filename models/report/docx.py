"""The report section as .docx: docxtpl over a template built here, with the village table and the charts."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

from models.report import charts, numbers
from models.report.text import render_county_text, render_text
from models.report_figures import CountyFigures, ReportFigures

VILLAGE_COLUMNS = ("村名", "户数", "法律明白人", "骨干", "户数/骨干", "骨干覆盖", "宣传活动", "矛盾纠纷")
TOWN_COLUMNS = ("乡镇", "会议", "培训", "宣传活动", "资料(份)", "骨干", "纠纷", "调解成功", "成功率", "上交")


def _table(doc: Any, columns: tuple[str, ...], loop: str, item: str) -> None:
    """A docxtpl table: a header row, then one row repeated for every item of `loop`."""
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    for i, name in enumerate(columns):
        table.rows[0].cells[i].text = name
    table.rows[1].cells[0].text = f"{{%tr for row in {loop} %}}"
    for i in range(len(columns)):
        table.rows[2].cells[i].text = f"{{{{ row[{i}] }}}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    _ = item


@cache
def template_bytes() -> bytes:
    """The docxtpl template (built with python-docx so it can be read in the repository)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    normal.font.name = "SimSun"
    doc.add_heading("{{ title }}", level=1)
    doc.add_paragraph("{%p for s in sections %}")
    doc.add_heading("{{ s.heading }}", level=2)
    doc.add_paragraph("{%p for para in s.paragraphs %}")
    doc.add_paragraph("{{ para }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if towns %}")
    doc.add_heading("各乡镇对比", level=2)
    _table(doc, TOWN_COLUMNS, "towns", "t")
    doc.add_paragraph("{%p endif %}")
    doc.add_heading("各村“法律明白人”覆盖和工作情况", level=2)
    _table(doc, VILLAGE_COLUMNS, "villages", "v")
    doc.add_heading("图表", level=2)
    doc.add_paragraph("{{ chart_months }}")
    doc.add_paragraph("{{ chart_types }}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def sections(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Split the text report into its title and (heading, paragraphs) sections."""
    lines = [line for line in text.splitlines() if line.strip()]
    title, out = lines[0], list[dict[str, Any]]()
    for line in lines[1:]:
        if line[:2] in {"一、", "二、", "三、", "四、", "五、"} or line == "各乡镇对比":
            out.append({"heading": line, "paragraphs": []})
        elif out and out[-1]["heading"] != "各乡镇对比":
            out[-1]["paragraphs"].append(line)
    return title, [s for s in out if s["heading"] != "各乡镇对比"]


def village_rows(f: ReportFigures) -> list[list[str]]:
    """One row per village: coverage, events and disputes."""
    rows = []
    for v in f.helpers.villages:
        key = f"{v.town}{v.name}" if f.is_county else v.name
        rows.append([
            key, str(v.households), str(v.helpers), str(v.core),
            "—" if v.households_per_core is None else f"{v.households_per_core:.1f}",
            "达到" if v.meets_ratio else f"未达到（差{v.core_needed}人）",
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
            str(d.received), str(d.agreed), numbers.percent(d.success_rate), str(d.escalated),
        ])
    return rows


def render_docx(figures: ReportFigures | CountyFigures) -> bytes:
    """The report section as a .docx document."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    if isinstance(figures, CountyFigures):
        f, text, towns = figures.total, render_county_text(figures), town_rows(figures)
    else:
        f, text, towns = figures, render_text(figures), []
    title, parts = sections(text)
    tpl = DocxTemplate(io.BytesIO(template_bytes()))
    context = {
        "title": title,
        "sections": parts,
        "towns": towns,
        "villages": village_rows(f),
        "chart_months": InlineImage(tpl, io.BytesIO(charts.events_by_month(f)), width=Mm(150)),
        "chart_types": InlineImage(tpl, io.BytesIO(charts.disputes_by_type(f)), width=Mm(150)),
    }
    tpl.render(context, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()
