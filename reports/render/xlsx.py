"""The report as .xlsx (openpyxl, write-only): a summary sheet and detail sheets whose formulas match it.

The summary's 数值 column holds the figures; its 明细核对 column recomputes each from the detail sheets
with SUMIFS/COUNTIF, so a reader can see the two agree. Text that starts with = + - @ is written as text
(formula injection), never as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from queries.figures import (
    KIND_EVENT,
    KIND_MEETING,
    KIND_TRAINING,
    OUTCOME_AGREED,
    CountyFigures,
    ReportDetail,
    ReportFigures,
)

ACT = "活动明细"
DIS = "纠纷明细"
COV = "覆盖情况"
ACT_COLUMNS = ("乡镇", "日期", "类别", "村名", "活动形式", "六进", "主题", "次数", "参与人数", "发放资料份数",
               "咨询人次")
DIS_COLUMNS = ("案件编号", "乡镇", "村名", "纠纷类型", "来源", "状态", "登记日期", "调解结果", "结案日期",
               "办结天数", "件数", "受理", "协议金额（元）", "上交", "防止民转刑")
COV_COLUMNS = ("乡镇", "村名", "户数", "法律明白人", "骨干", "户数/骨干", "每户比例达标", "人数不少于下限",
               "宣传活动（次）", "矛盾纠纷（件）", "联系户数", "联系户占比达标")
# Column widths in characters, as a clerk would set them.
ACT_WIDTHS = (10, 12, 16, 10, 14, 8, 28, 8, 10, 12, 10)
DIS_WIDTHS = (24, 10, 10, 12, 12, 10, 12, 10, 12, 10, 8, 8, 14, 8, 10)
COV_WIDTHS = (10, 10, 8, 10, 8, 10, 12, 14, 14, 14, 10, 14)
UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
CENTRE = Alignment(horizontal="center", vertical="center")


def _cell(ws: WriteOnlyWorksheet, value: Any, bold: bool = False) -> Any:
    if isinstance(value, str) and value.startswith(UNSAFE_START):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, not a formula
        cell.quotePrefix = True
        return cell
    if bold:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = BOLD
        return cell
    return value


def _row(ws: WriteOnlyWorksheet, values: Iterable[Any], bold: bool = False) -> None:
    ws.append([_cell(ws, v, bold) for v in values])


def _sheet(wb: Workbook, name: str, columns: Iterable[str], widths: Iterable[float]) -> WriteOnlyWorksheet:
    """A write-only sheet with its column widths, a bold centred header and the header row frozen."""
    ws = wb.create_sheet(name)
    for i, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A2"
    header = []
    for text in columns:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.alignment = BOLD, CENTRE
        header.append(cell)
    ws.append(header)
    return ws


def _date(ws: WriteOnlyWorksheet, iso: str) -> Any:
    """'YYYY-MM-DD' as a real date (openpyxl writes it as yyyy-mm-dd); anything else ('YYYY-MM', '') as it is."""
    return dt.date.fromisoformat(iso) if len(iso) == 10 else iso


def _money(ws: WriteOnlyWorksheet, yuan: float) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=round(yuan, 2))
    cell.number_format = "#,##0.00"
    return cell


def _formula(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "f"
    return cell


def _col(sheet: str, letter: str, n: int) -> str:
    return f"'{sheet}'!${letter}$2:${letter}${max(n, 1) + 1}"


# (label, value from the figures, formula over the detail sheets given row counts (activities, disputes, villages))
Summary = tuple[str, Callable[[ReportFigures], Any], Callable[[int, int, int], str] | None]


def summary_items() -> list[Summary]:
    """The summary sheet's lines."""
    def act(col: str, kind: str) -> Callable[[int, int, int], str]:
        return lambda a, d, v: f'=SUMIFS({_col(ACT, col, a)},{_col(ACT, "C", a)},"{kind}")'

    def dis_sum(col: str) -> Callable[[int, int, int], str]:
        return lambda a, d, v: f"=SUM({_col(DIS, col, d)})"

    def cov(col: str) -> Callable[[int, int, int], str]:
        return lambda a, d, v: f"=SUM({_col(COV, col, v)})"

    return [
        ("法治建设专题会议（次）", lambda f: f.activities.meetings, act("H", KIND_MEETING)),
        ("普法专题培训（次）", lambda f: f.activities.trainings, act("H", KIND_TRAINING)),
        ("普法专题培训参训（人次）", lambda f: f.activities.training_participants, act("I", KIND_TRAINING)),
        ("法治宣传教育活动（次）", lambda f: f.activities.events, act("H", KIND_EVENT)),
        ("宣传活动覆盖群众（人次）", lambda f: f.activities.participants, act("I", KIND_EVENT)),
        ("发放普法宣传资料（份）", lambda f: f.activities.materials, act("J", KIND_EVENT)),
        ("现场法律咨询（人次）", lambda f: f.activities.consultations, act("K", KIND_EVENT)),
        ("行政村户数", lambda f: f.helpers.households, cov("C")),
        ("法律明白人（人）", lambda f: f.helpers.helpers, cov("D")),
        ("法律明白人骨干（人）", lambda f: f.helpers.core, cov("E")),
        ("未达到骨干比例的村（个）", lambda f: len(f.helpers.below_ratio),
         lambda a, d, v: f'=COUNTIF({_col(COV, "G", v)},"否")'),
        ("矛盾纠纷登记（件）", lambda f: f.disputes.received, dis_sum("K")),
        ("受理（件）", lambda f: f.disputes.accepted, dis_sum("L")),
        ("调解成功（件）", lambda f: f.disputes.agreed,
         lambda a, d, v: f'=SUMIFS({_col(DIS, "K", d)},{_col(DIS, "H", d)},"{OUTCOME_AGREED}")'),
        ("调解成功率（%）", lambda f: f.disputes.success_rate, None),
        ("协议涉及金额（元）", lambda f: round(f.disputes.amount, 2), dis_sum("M")),
        ("已结案件平均办结天数", lambda f: f.disputes.avg_days_to_close, None),
        ("超期（件）", lambda f: f.disputes.overdue, None),
        ("上交（件）", lambda f: f.disputes.escalated, dis_sum("N")),
        ("防止民转刑（件）", lambda f: f.disputes.prevented_criminal, dis_sum("O")),
        ("申请司法确认（件）", lambda f: f.disputes.judicial_applied, None),
        ("司法确认有效（件）", lambda f: f.disputes.judicial_confirmed, None),
        ("履行回访（次）", lambda f: f.disputes.followups, None),
        ("群众法律提问（次）", lambda f: f.questions.asked, None),
        ("未能解答的提问（次）", lambda f: f.questions.unanswered, None),
    ]


def render_xlsx(figures: ReportFigures | CountyFigures, detail: ReportDetail | None = None) -> bytes:
    """The workbook as bytes."""
    detail = detail or ReportDetail()
    if isinstance(figures, CountyFigures):
        columns, total = [*figures.towns, figures.total], figures.total
    else:
        columns, total = [figures], figures
    wb = Workbook(write_only=True)
    n_act, n_dis, n_cov = len(detail.activities), len(detail.disputes), len(total.helpers.villages)

    ws = wb.create_sheet("汇总")
    ws.column_dimensions["A"].width = 28
    for i in range(len(columns) + 1):
        ws.column_dimensions[get_column_letter(i + 2)].width = 12
    ws.freeze_panes = "B3"
    from reports.render.text import title

    _row(ws, [title(total)], bold=True)
    _row(ws, ["项目", *[c.town for c in columns], "明细核对"], bold=True)
    for label, value, formula in summary_items():
        cells: list[Any] = [label, *[value(c) for c in columns]]
        cells = [_cell(ws, v) for v in cells]
        cells.append(_formula(ws, formula(n_act, n_dis, n_cov)) if formula else None)
        ws.append(cells)
    if detail.activities_grouped:
        _row(ws, [f"注：活动条目较多，“{ACT}”按乡镇、月份和类别汇总，“次数”列为该组活动次数；各村次数见“{COV}”。"])
    if detail.disputes_grouped:
        _row(ws, [f"注：案件较多，“{DIS}”按乡镇、登记月份和调解结果汇总，“件数”列为该组案件数；各村件数见“{COV}”。"])

    ws = _sheet(wb, ACT, ACT_COLUMNS, ACT_WIDTHS)
    for r in detail.activities:
        _row(ws, [r.town, _date(ws, r.day), r.kind, r.village, r.form, r.target, r.theme, r.count, r.participants,
                  r.materials, r.consultations])
    _row(ws, ["合计", "", "", "", "", "", "", *(_formula(ws, f"=SUM({_col(ACT, c, n_act)})") for c in "HIJK")])

    ws = _sheet(wb, DIS, DIS_COLUMNS, DIS_WIDTHS)
    for d in detail.disputes:
        _row(ws, [d.case_no, d.town, d.village, d.type, d.source, d.status, _date(ws, d.received), d.outcome,
                  _date(ws, d.closed), d.days, d.count, int(d.accepted), _money(ws, d.amount),
                  int(d.escalated), int(d.prevented_criminal)])
    _row(ws, ["合计", *[""] * 9, *(_formula(ws, f"=SUM({_col(DIS, c, n_dis)})") for c in "KLMNO")])

    ws = _sheet(wb, COV, COV_COLUMNS, COV_WIDTHS)
    yes = {True: "是", False: "否"}
    events, disputes = total.activities.by_village, total.disputes.by_village
    for v in total.helpers.villages:
        key = f"{v.town}{v.name}" if total.is_county else v.name
        _row(ws, [v.town, v.name, v.households, v.helpers, v.core, v.households_per_core,
                  yes[v.meets_ratio], yes[v.meets_floor], events.get(key, 0), disputes.get(key, 0),
                  v.covered_households, yes[v.meets_share]])
    _row(ws, ["合计", "", *(_formula(ws, f"=SUM({_col(COV, c, n_cov)})") for c in "CDE"), "", "", "",
              *(_formula(ws, f"=SUM({_col(COV, c, n_cov)})") for c in "IJK"), ""])

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
