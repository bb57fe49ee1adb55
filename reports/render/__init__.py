"""The report section rendered from ReportFigures: text, Markdown, docx, xlsx, and the charts.

Pure: no database. `render(figures, fmt)` returns the document's bytes; the CLI, chat and the dashboard
all go through it. Import the docx/xlsx/chart modules lazily: matplotlib is slow to import.
"""

from __future__ import annotations

from typing import Any

from queries.figures import CountyFigures, ReportFigures

FORMATS = ("text", "md", "docx", "xlsx")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SUFFIXES = {"text": "txt", "md": "md", "docx": "docx", "xlsx": "xlsx"}


class ReportError(Exception):
    """A report cannot be produced (a missing font, an unknown format); the message is for the user."""


def render(figures: ReportFigures | CountyFigures, fmt: str, detail: Any = None, level: int = 1) -> bytes:
    """The report in one format as bytes (text and md in UTF-8); `level` is the parts' 公文 heading level."""
    if fmt in ("text", "md"):
        from reports.render.text import render_county_text, render_text

        if isinstance(figures, CountyFigures):
            return render_county_text(figures, md=fmt == "md", level=level).encode()
        return render_text(figures, md=fmt == "md", level=level).encode()
    if fmt == "docx":
        from reports.render.docx import render_docx

        return render_docx(figures, level=level)
    if fmt == "xlsx":
        from reports.render.xlsx import render_xlsx

        return render_xlsx(figures, detail)
    raise ReportError(f"不支持的格式：{fmt}（可选 {', '.join(FORMATS)}）")
