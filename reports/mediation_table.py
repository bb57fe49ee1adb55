"""The 人民调解工作统计表 as a file: its two header rows (also the console's), and the .xlsx of a town or the county."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from queries.mediation_figures import COLUMNS, HEADERS, RATE_NOTE, SCREENING, CountyTable, MediationTable, Row


def header_rows(first_label: str, extra: tuple[str, ...] = ()) -> list[list[tuple[str, int, int]]]:
    """The two header rows as (label, colspan, rowspan) cells: a group over its 件/人 (or 书面/口头) columns,
    a column without sub-header spanning both rows; `extra` adds screening columns under 矛盾纠纷排查."""
    top: list[tuple[str, int, int]] = [(first_label, 1, 2)]
    sub: list[tuple[str, int, int]] = []
    heads = [*HEADERS.values(), *(("矛盾纠纷排查", label) for label in extra)]
    i = 0
    while i < len(heads):
        group, unit = heads[i]
        if not unit:
            top.append((group, 1, 2))
            i += 1
            continue
        span = 1
        while i + span < len(heads) and heads[i + span][0] == group:
            span += 1
        top.append((group, span, 1))
        sub.extend((heads[j][1], 1, 1) for j in range(i, i + span))
        i += span
    return [top, sub]


def cell_value(row: Row, col: str) -> Any:
    """A figure as a spreadsheet cell holds it (amounts as numbers)."""
    return float(row.values[col]) if col == "协议金额（元）" else row.values[col]


def _sheet(ws: Any, unit: str, first: date, last: date, first_label: str, rows: list[tuple[Row, list[Any]]],
           notes: list[str], extra: tuple[str, ...] = ()) -> None:
    """Title, filing unit and period, two header rows, one row per category (or town), the notes."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = len(COLUMNS) + len(extra) + 1
    ws.append(["人民调解工作统计表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name="黑体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位：{unit}", "", "", "", "", "", f"统计期间：{first:%Y年%m月%d日}至{last:%Y年%m月%d日}"])
    for r, cells in enumerate(header_rows(first_label, extra), start=3):
        col = 1
        for label, colspan, rowspan in cells:
            while ws.cell(row=r, column=col).coordinate in ws.merged_cells:
                col += 1
            ws.cell(row=r, column=col, value=label)
            if colspan > 1 or rowspan > 1:
                ws.merge_cells(start_row=r, start_column=col, end_row=r + rowspan - 1, end_column=col + colspan - 1)
            col += colspan
    for row, tail in rows:
        ws.append([row.category, *(cell_value(row, c) for c in COLUMNS), *tail])
    for line in ws.iter_rows(min_row=3, max_row=ws.max_row, max_col=width):
        for cell in line:
            cell.border = box
            cell.font = Font(name="仿宋_GB2312", size=11, bold=cell.row in {3, 4, ws.max_row})
            if cell.row in {3, 4}:
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([])
    for note in notes:
        ws.append([note])
    ws.column_dimensions["A"].width = 14
    for i in range(2, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 11
    ws.row_dimensions[3].height = 45
    # Printed as a county files it: A4 landscape, the whole width on one page, the header rows on every page.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:4"


def _notes(t: MediationTable) -> list[str]:
    s = t.screening
    return [f"调解成功率：{t.success_rate}。{RATE_NOTE}",
            f"矛盾纠纷排查：排查{s.times}次（村级{s.village_times}次、镇级{s.town_times}次），发现纠纷{s.found}件，"
            f"排查中化解{s.resolved}件，登记进入调解{s.registered}件。",
            "预防纠纷、防止民转刑、防止群体性上访、防止群体性械斗、防止自杀按案件登记日期统计，勾选即计1件，人数为涉及的人数。"]


def _town_sheet(ws: Any, t: MediationTable, unit: str) -> None:
    _sheet(ws, unit, t.first, t.last, "纠纷类型", [(r, []) for r in [*t.rows, t.total]], _notes(t))


def to_xlsx(t: MediationTable | CountyTable) -> bytes:
    """The table as .xlsx. A town: title, period, one row per category, totals, the success rate with its
    base, the screenings. The county: a sheet with one row per town and the total (with each town's
    screenings), a sheet by category for the county, and one sheet per town."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if isinstance(t, MediationTable):
        ws.title = "人民调解工作统计表"
        _town_sheet(ws, t, f"{t.town}人民调解委员会")
    else:
        ws.title = f"{t.name}（分乡镇）"
        screenings = [[getattr(x.screening, name) for name, _ in SCREENING] for x in t.towns]
        combined = t.combined
        screenings.append([getattr(combined.screening, name) for name, _ in SCREENING])
        _sheet(ws, f"{t.name}（{len(t.towns)}个乡镇）", t.first, t.last, "乡镇", list(zip(t.town_rows, screenings,
               strict=True)), [f"调解成功率：{combined.success_rate}。{RATE_NOTE}",
                               *(f"{x.town}：{x.success_rate}" for x in t.towns)],
               extra=tuple(label for _, label in SCREENING))
        _town_sheet(wb.create_sheet(f"{t.name}（分类型）"), combined, t.name)
        for town in t.towns:
            _town_sheet(wb.create_sheet(town.town[:31]), town, f"{town.town}人民调解委员会")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
