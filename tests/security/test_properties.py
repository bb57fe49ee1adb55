"""Property-based tests: the date and count parsers, the one-line activity form, and the ledger import.

Only the documented validation errors may come out (ParseError, ActivityError, TableError); a parsed
date is never in the future nor before 2000; counts stay within their limits; a broken ledger file is
reported in Chinese and imports nothing.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import models
from bot.cli import build_parser
from bot.users import ensure_town
from handlers.parsing import parse_quick
from knowledge.wording.dates import EARLIEST, parse_date
from knowledge.wording.dates import today as local_today
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import MAX_COUNTS, parse_count
from models.core import Town, Village
from models.outreach import Activity, ActivityKind
from services.activities import ActivityError
from sheets.activity_ledger import COLUMNS
from tests.security.conftest import World

FAST = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

digits = st.integers(min_value=-99999, max_value=10**30).map(str)
date_like = st.one_of(
    st.builds(lambda y, m, d, sep: f"{y}{sep[0]}{m}{sep[1]}{d}{sep[2]}", st.integers(0, 99999), st.integers(0, 99),
              st.integers(0, 99), st.sampled_from([("-", "-", ""), ("年", "月", "日"), (".", ".", ""), ("/", "/", "号"),
                                                   ("－", "－", ""), ("．", "．", "")])),
    st.builds(lambda m, d, sep: f"{m}{sep}{d}日", st.integers(0, 99), st.integers(0, 99),
              st.sampled_from(["月", ".", "-", "/"])),
    st.builds(lambda y, m, d: f"{y:04d}{m:02d}{d:02d}", st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.sampled_from(["今天", "昨天", "前天", "大前天", "明天", "后天", "今日", "昨日", "2月29日", "12月31日",
                     "1月1日"]),
    st.text(max_size=30),
)
reference_days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


@FAST
@given(text=date_like, now=reference_days)
@example(text="2月29日", now=dt.date(2025, 1, 10))
@example(text="12月31日", now=dt.date(2026, 1, 2))
@example(text="99991231", now=dt.date(2026, 1, 2))
def test_parse_date_never_future_never_other_errors(text: str, now: dt.date) -> None:
    try:
        value = parse_date(text, now=now)
    except ParseError as exc:
        assert str(exc)  # a message for the user
        return
    assert EARLIEST <= value <= now


count_like = st.one_of(
    digits,
    st.builds(lambda n, pre, post: f"{pre}{n}{post}", digits, st.sampled_from(["", "约", "共计", "大约"]),
              st.sampled_from(["", "人", "份", "人次", "左右", "名"])),
    st.text(alphabet="零〇一二两三四五六七八九十百千万", max_size=20),
    st.text(alphabet="0123456789", min_size=1, max_size=6000),
    st.text(max_size=30),
)


@FAST
@given(text=count_like, field=st.sampled_from(sorted(MAX_COUNTS)))
@example(text="1" * 5000, field="participants")
@example(text="-" + "9" * 5000, field="materials")
def test_parse_count_bounded(text: str, field: str) -> None:
    try:
        value = parse_count(text, field)
    except ParseError as exc:
        assert str(exc)
        return
    assert 0 <= value <= MAX_COUNTS[field]


QUICK_TOKENS = st.one_of(
    date_like.filter(lambda t: " " not in t and t != ""),
    st.sampled_from(["江湾村", "江湾", "石桥村", "河口村", "不存在村", "全镇", "培训", "会议", "普法宣传活动",
                     "法治公开课", "进乡村", "法律进校园", "进火星", "主题民法典", "主题", "资料120份", "咨询3人次",
                     "45人", "参与99999人", "资料999999999份", "咨询-1人次", "活动", "'; DROP TABLE user; --",
                     "<script>", "=1+1", "1" * 5000 + "人"]),
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(-10, 10**7), st.sampled_from(["人", "份", "人次"])),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=12),
)


def _collect(strategy: Any, runs: settings) -> list[Any]:
    """Examples drawn by hypothesis (which drives sync functions); the async test sends them one by one."""
    drawn: list[Any] = []

    @runs
    @given(value=strategy)
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    return drawn


async def test_quick_form_parser(world: World) -> None:
    w = world
    villages = {v.id for v in await Village.filter(town_id=w.town.id)}
    lines = _collect(st.lists(QUICK_TOKENS, min_size=0, max_size=8).map(" ".join), FAST)
    lines += ["5月12日 江湾村 法治公开课 45人 资料120份 主题民法典", "昨天 培训 全镇 30人", "明天 江湾村", ""]
    parsed = 0
    for line in lines:
        try:
            data = await parse_quick(line, town_id=w.town.id, forms=("法治公开课", "法律咨询"))
        except (ActivityError, ParseError) as exc:
            assert str(exc)
            continue
        parsed += 1
        day = dt.date.fromisoformat(data["date"])
        assert EARLIEST <= day <= local_today(), line  # today taken after parsing: a midnight meanwhile is no future
        for field, limit in MAX_COUNTS.items():
            assert 0 <= data[field] <= limit, line
        kind = ActivityKind(data["kind"])
        assert data["village_id"] in villages or (data["village_id"] is None and kind != ActivityKind.PUBLICITY)
    assert parsed >= 1


async def test_quick_form_through_chat(world: World) -> None:
    """The same lines through the real callback: a reply for each, never the busy message, nothing in the future."""
    w = world
    xml_ok = st.lists(QUICK_TOKENS, min_size=1, max_size=6).map(" ".join).filter(
        lambda t: all(c in "\t\n\r" or (ord(c) >= 32 and c not in "\ufffe\uffff") for c in t))  # WeChat's XML
    lines = _collect(xml_ok, FEW)
    for line in [*lines, "活动 " + "1" * 5000 + "人 昨天 江湾村"]:
        reply = await w.say("helper", f"活动 {line}")
        assert reply and "系统繁忙" not in reply, line
        if "请核对" in reply:
            await w.say("helper", "确认")
        else:
            await w.say("helper", "取消")
    today = local_today()
    assert not await Activity.filter(date__gt=today).exists()
    for field, limit in MAX_COUNTS.items():
        assert not await Activity.filter(**{f"{field}__gt": limit}).exists()


# The ledger import, through the real command line.

def _run(settings_: Any, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(args.func(args, settings_))


def _db(db_url: str, fn: Callable[[], Any]) -> Any:
    async def main() -> Any:
        async with models.database(db_url):
            return await fn()

    return asyncio.run(main())


LONG_NUMBER = "1" * 5000  # int() refuses more than 4300 digits
cell = st.one_of(
    st.sampled_from(["昨天", "2024-05-12", "明天", "2999-01-01", "1899-12-31", "普法宣传活动", "普法专题培训", "江湾村",
                     "石桥", "无此村", "法治公开课", "进乡村", "进火星", "45", "-3", "99999999", LONG_NUMBER, "",
                     "=1+1", "'=1+1", "<script>alert(1)</script>", "'; DROP TABLE user; --", "李明"]),
    st.text(max_size=20),
)
csv_rows = st.lists(st.lists(cell, min_size=0, max_size=12), min_size=0, max_size=8)
headers = st.one_of(st.just(list(COLUMNS)), st.permutations(list(COLUMNS)),
                    st.lists(st.sampled_from(COLUMNS), max_size=6), st.lists(st.text(max_size=8), max_size=10))


def _csv_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


csv_files = st.one_of(
    st.binary(max_size=3000),
    st.builds(_csv_bytes, headers, csv_rows, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])),
    st.builds(lambda h, r, cut: _csv_bytes(h, r, "utf-8")[:cut], headers, csv_rows, st.integers(0, 400)),
)


def _xlsx_bytes(header: list[Any], rows: list[list[Any]]) -> bytes:
    def legal(v: Any) -> Any:  # openpyxl refuses control characters outright
        return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v

    wb = Workbook()
    ws = wb.active
    ws.append([legal(v) for v in header])
    for r in rows:
        ws.append([legal(v) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


xlsx_cell = st.one_of(cell, st.integers(-10**6, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                      st.dates(), st.datetimes(), st.booleans(), st.none())
xlsx_files = st.one_of(
    st.binary(max_size=2000),
    st.builds(_xlsx_bytes, headers, st.lists(st.lists(xlsx_cell, max_size=12), max_size=6)),
    st.builds(lambda h, r, cut: _xlsx_bytes(h, r)[:cut], headers, st.lists(st.lists(xlsx_cell, max_size=12),
                                                                           max_size=4), st.integers(0, 6000)),
    st.builds(lambda h, r, at, byte: (lambda b: b[:at] + bytes([byte]) + b[at + 1:])(_xlsx_bytes(h, r)),
              headers, st.lists(st.lists(cell, max_size=10), max_size=4), st.integers(0, 5000), st.integers(0, 255)),
    st.builds(lambda names: _zip(names), st.lists(st.sampled_from(["xl/workbook.xml", "[Content_Types].xml",
                                                                   "xl/worksheets/sheet1.xml", "junk"]), max_size=4)),
)


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in dict.fromkeys(names):
            z.writestr(n, "<xml>not really</xml>")
    return buf.getvalue()


@pytest.fixture
def ledger(make_settings: Callable[..., Any], db_url: str) -> Any:
    """Settings for the command line, the default town with two villages."""
    s = make_settings()

    async def seed() -> None:
        town_id = await ensure_town(s.town.name, s.town.studio_name, s.town.case_prefix)
        town = await Town.get(id=town_id)
        await Village.create(town=town, name="江湾村", households=10)
        await Village.create(town=town, name="石桥村", households=10)

    _db(db_url, seed)
    return s


def _import_many(ledger_settings: Any, db_url: str, tmp_path: Path, files: list[bytes], suffix: str,
                 capsys: pytest.CaptureFixture[str]) -> dict[int, int]:
    outcomes: dict[int, int] = {0: 0, 1: 0}
    for i, data in enumerate(files):
        path = tmp_path / f"f{i}{suffix}"
        path.write_bytes(data)
        before = _db(db_url, lambda: Activity.all().count())
        rc = _run(ledger_settings, "activities", "import", str(path))
        out, err = capsys.readouterr()
        assert rc in outcomes, (rc, data[:80])
        outcomes[rc] += 1
        assert "Traceback" not in err + out
        after = _db(db_url, lambda: Activity.all().count())
        if rc == 1:
            assert after == before and ("没有导入任何数据" in err or "无法读取" in err), err
        else:
            assert "共" in out
    return outcomes


def test_ledger_import_random_csv(ledger: Any, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _collect(csv_files, FEW)
    files.append(("日期,类别,村名\n" + "x" * 200_000 + ",普法宣传活动,江湾村\n").encode())  # past csv's field limit
    files.append((",".join(COLUMNS) + "\n昨天,普法宣传活动,江湾村,,,主题,1" + "0" * 5000 + ",0,0,李明\n").encode())
    outcomes = _import_many(ledger, db_url, tmp_path, files, ".csv", capsys)
    assert outcomes[1] > 0
    # Nothing the import accepted is in the future or out of bounds.
    today = local_today()
    assert not _db(db_url, lambda: Activity.filter(date__gt=today).exists())


def test_ledger_import_random_xlsx(ledger: Any, db_url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    files = _collect(xlsx_files, settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)))
    outcomes = _import_many(ledger, db_url, tmp_path, files, ".xlsx", capsys)
    assert outcomes[1] > 0
    today = local_today()
    assert not _db(db_url, lambda: Activity.filter(date__gt=today).exists())
