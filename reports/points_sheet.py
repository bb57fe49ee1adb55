"""The yearly 积分 table as an xlsx a county asks for: one sheet per helper, one per village."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from queries.points import PointsTable

HELPER_HEADER = ("名次", "姓名", "村", "骨干", "普法活动（次）", "排查（次）", "发现或报告纠纷（件）",
                 "推荐法律援助（人次）", "参加培训（次）", "积分")
VILLAGE_HEADER = ("村", "法律明白人（人）", "积分合计", "人均积分")


def write_points(table: PointsTable, path: str | Path, town: str) -> None:
    """Write the table: frozen headers, column widths, a title row stating the rules."""
    wb = Workbook()
    ws = wb.active
    ws.title = "个人积分"
    r = table.rules
    ws.append([f"{town}{table.year}年度法律明白人积分表"])
    ws.append([f"计分：普法活动每次{r.activity}分，排查每次{r.screening}分，发现或报告纠纷每件{r.dispute_found}分，"
               f"推荐法律援助每人次{r.referral}分，参加培训每次{r.training}分"])
    ws.append(list(HELPER_HEADER))
    for i, h in enumerate(table.helpers, 1):
        ws.append([i, h.name, h.village, "是" if h.is_core else "否", h.activities, h.screenings, h.disputes_found,
                   h.referrals, h.trainings, h.points])
    _style(ws, [6, 10, 12, 6, 14, 10, 18, 18, 14, 8])
    wv = wb.create_sheet("村积分")
    wv.append([f"{town}{table.year}年度各村法律明白人积分"])
    wv.append([""])
    wv.append(list(VILLAGE_HEADER))
    for village, helpers, points in table.villages():
        wv.append([village, helpers, points, round(points / helpers, 1) if helpers else 0])
    _style(wv, [14, 16, 10, 10])
    wb.save(path)


def _style(ws: object, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    sheet = ws  # type: ignore[assignment]
    sheet["A1"].font = Font(bold=True, size=14)  # type: ignore[index]
    for cell in sheet[3]:  # type: ignore[index]
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width  # type: ignore[attr-defined]
    sheet.freeze_panes = "A4"  # type: ignore[attr-defined]
