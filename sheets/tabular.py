"""Reading and writing the spreadsheets offices keep: CSV (UTF-8 or GBK) and XLSX, with a header row."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.hygiene import clean_text


class TableError(Exception):
    """The file cannot be read as a table; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its line number in the file (header is 1) and its cells.

    Compact for files of 200,000 rows: the values are a tuple, the column index is shared by every
    row of a file, and repeated cell texts (village, form, counts, dates) are one string object.
    """

    number: int
    values: tuple[Any, ...]
    columns: dict[str, int]

    @property
    def cells(self) -> dict[str, Any]:
        """The cells by column name."""
        return {name: self.values[i] if i < len(self.values) else None for name, i in self.columns.items()}

    def get(self, column: str) -> Any:
        """A cell's value (None when the column or the cell is missing)."""
        i = self.columns.get(column)
        return self.values[i] if i is not None and i < len(self.values) else None

    def text(self, column: str) -> str:
        """A cell as trimmed text ('' when empty); control characters were dropped when the file was read."""
        value = self.get(column)
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


@dataclass
class Problem:
    """A bad cell: row number, column name and what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行「{self.column}」：{self.message}"


@dataclass
class Problems:
    """Every problem found in a file; the import goes ahead only when this is empty."""

    items: list[Problem] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        """Record one problem."""
        self.items.append(Problem(row, column, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def report(self, limit: int = 50) -> str:
        """The problems, one per line (the first `limit`)."""
        lines = [str(p) for p in self.items[:limit]]
        if len(self.items) > limit:
            lines.append(f"……另有{len(self.items) - limit}处问题")
        return "\n".join(lines)


def read_table(path: str | Path, required: Sequence[str]) -> list[Row]:
    """The data rows of a CSV or XLSX file; TableError when unreadable or a required column is missing."""
    p = Path(path)
    if not p.exists():
        raise TableError(f"找不到文件：{p}")
    suffix = p.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(p, required)
    if suffix in {".csv", ".txt"}:
        return _read_csv(p, required)
    raise TableError(f"只支持 .csv 和 .xlsx 文件，不支持 {p.suffix or '无扩展名'}")


def _collect(header: Sequence[Any], rows: Iterable[Sequence[Any]], required: Sequence[str]) -> list[Row]:
    """Rows from an iterator of cell lists (blank rows skipped), consumed one at a time."""
    names = [str(h).strip() if h is not None else "" for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise TableError(f"缺少列：{'、'.join(missing)}（表头应包含：{','.join(required)}）")
    columns = {n: j for j, n in enumerate(names) if n}  # a repeated column name: the last one counts
    shared: dict[str, str] = {}  # one cleaned object per distinct short cell text

    def cell(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if len(v) > 16:
            return clean_text(v)
        found = shared.get(v)
        if found is None:
            found = shared[v] = clean_text(v)
        return found

    out = []
    for i, values in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append(Row(i, tuple(cell(v) for v in values), columns))
    return out


def _encoding(p: Path) -> str:
    """UTF-8 (with or without BOM) when the file decodes as such, else GB18030 (Excel's CSV on Chinese Windows)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with p.open("rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _read_csv(p: Path, required: Sequence[str]) -> list[Row]:
    # Streamed from the file: a 200,000-row ledger is never held as one text as well as its rows.
    with p.open(encoding=_encoding(p), newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader, None)
            if header is None:
                raise TableError("文件是空的")
            return _collect(header, ([_from_csv(v) for v in r] for r in reader), required)
        except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
            raise TableError(f"CSV 文件格式有问题：{exc}") from None
        except UnicodeDecodeError:  # neither UTF-8 nor GB18030 (e.g. a cut-off multibyte character)
            raise TableError("文件编码无法识别，请另存为 UTF-8 的 CSV") from None


def _read_xlsx(p: Path, required: Sequence[str]) -> list[Row]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(f"无法打开 Excel 文件：{type(exc).__name__}") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise TableError("文件是空的")
        return _collect(header, rows, required)
    finally:
        wb.close()


def write_table(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows as CSV (UTF-8 with BOM, for Excel) or XLSX by the file's suffix; returns the row count."""
    p = Path(path)
    count = 0
    if p.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("台账")
        ws.append(list(header))
        for r in rows:
            ws.append([_to_xlsx(ws, v) for v in r])
            count += 1
        wb.save(p)
        return count
    if p.suffix.lower() != ".csv":
        raise TableError("导出文件请用 .csv 或 .xlsx 结尾")
    with p.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([_to_csv(v) for v in r])
            count += 1
    return count


# Text starting with these would run as a formula in Excel/WPS (formula injection).
UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(ws: Any, value: Any) -> Any:
    """A value for a write-only sheet; text that would run as a formula is written as text."""
    return _to_xlsx(ws, value) if isinstance(value, str) else value


def _to_xlsx(ws: Any, value: Any) -> Any:
    """A date as ISO text; formula-like text as a quote-prefixed string cell, shown literally."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(UNSAFE_START):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def _to_csv(value: Any) -> Any:
    """A date as ISO text; formula-like text behind an apostrophe (read_table takes it off again)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(UNSAFE_START):
        return "'" + value
    return value


def _from_csv(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(UNSAFE_START) else value
