"""The 人民调解工作统计表 as an xlsx file."""

from __future__ import annotations

import io

from queries.mediation_figures import COLUMNS, MediationTable


def to_xlsx(t: MediationTable) -> bytes:
    """The table as .xlsx: title, period, one row per category, totals, the success rate with its base."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "人民调解工作统计表"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append(["人民调解工作统计表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS) + 1)
    ws["A1"].font = Font(name="黑体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位：{t.town}人民调解委员会", "", "", "", "", "",
               f"统计期间：{t.first:%Y年%m月%d日}至{t.last:%Y年%m月%d日}"])
    ws.append(["纠纷类型", *COLUMNS])
    for r in [*t.rows, t.total]:
        ws.append([r.category, *(float(r.values[c]) if c == "协议金额（元）" else r.values[c] for c in COLUMNS)])
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in row:
            cell.border = box
            cell.font = Font(name="仿宋_GB2312", size=11, bold=cell.row in {3, ws.max_row})
    ws.append([])
    ws.append([f"调解成功率：{t.success_rate}。调结 = 调解成功 + 调解不成；终止调解不计入。"])
    ws.column_dimensions["A"].width = 14
    for i in range(len(COLUMNS)):
        ws.column_dimensions[chr(ord("B") + i)].width = 12
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
