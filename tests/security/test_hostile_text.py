"""SQL-shaped, script-tag, template and formula text in every free-text field: stored verbatim, shown escaped.

Spreadsheet convention (the project's, shared by the report and the ledger export): in .xlsx a text cell
that starts with = + - @ (or tab/CR) is written as a string cell with the quotePrefix style, so Excel
shows it literally and the stored value is unchanged; in .csv the same text gets a leading apostrophe,
which the ledger import strips again (a lossless round trip).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document
from markupsafe import escape
from openpyxl import load_workbook

import models
from bot.cli import build_parser
from bot.users import ensure_town
from models.core import Role, Town, User, Village
from models.mediation import Agreement, Case, Party, SessionRecord, Source
from models.outreach import Activity, ActivityKind
from services import cases
from services.activities import create_activity
from tests.security.conftest import HOSTILE, World, tables_exist
from tests.security.test_authz_matrix import _cookie

UNSAFE = ("=", "+", "-", "@", "\t", "\r")
RAW_SCRIPT = "<script>alert(1)</script>"
# Names pass the chat's name check (2 to 20 characters, no digits, no link) and still look hostile.
NAMES = ("';DROP TABLE user;--", "<script>x</script>", "{{a*b}}", "=HYPERLINK(x)", "+cmd", "-cmd", "@SUM(A)")
JOINED = " | ".join(HOSTILE)
YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, as python-docx reads it."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for r in table.rows for cell in r.cells]
    return "\n".join(parts)


def assert_escaped(html: str, values: tuple[str, ...]) -> None:
    """No raw script tag; each value present in its HTML-escaped form."""
    assert RAW_SCRIPT not in html and "<script>x</script>" not in html
    for v in values:
        assert str(escape(v)) in html, v


async def test_chat_forms_store_hostile_text_verbatim(world: World) -> None:
    w = world
    for i, (name, story) in enumerate(zip(NAMES, HOSTILE, strict=True)):
        role = "villager" if i % 2 == 0 else "helper"
        start = "申请调解" if role == "villager" else "登记纠纷"
        story_text = f"{story} 两家因为排水沟吵架了，请帮忙调解。"
        # Not a name: the form keeps the text as a description and asks for the real name; "不知道" keeps it.
        replies = [await w.say(role, t) for t in (start, "2", "1", "张三", "跳过", name, "不知道", story_text,
                                                  "13800001111", "确认")]
        assert "已登记" in replies[-1], replies
        case = await Case.filter(summary__startswith=story_text).get()
        names = sorted(await Party.filter(case=case).values_list("name", flat=True))
        assert names == sorted(["张三", name]), names
    for theme in HOSTILE:
        reply = await w.say("helper", f"活动 昨天 江湾村 法治公开课 45人 主题{theme}")
        assert "请核对" in reply and theme in reply
        assert "已保存" in await w.say("helper", "确认")
        assert await Activity.filter(theme=theme, town_id=w.town.id).count() == 1
    # The guided form's theme step too.
    for t in ("登记活动", "1", "昨天", "江湾村", "无", "无", HOSTILE[1], "30", "0", "0"):
        await w.say("helper", t)
    assert "已保存" in await w.say("helper", "确认")
    assert await Activity.filter(theme=HOSTILE[1]).count() == 2
    assert len(await tables_exist()) == 10


async def test_api_activity_theme_verbatim(world: World) -> None:
    w = world
    headers = await w.api_headers("helper")
    for theme in HOSTILE:
        resp = await w.client.post("/api/v1/activities", headers=headers, json={
            "kind": "publicity", "date": YESTERDAY.isoformat(), "village_id": w.village.id, "theme": theme,
            "place": theme})
        assert resp.status == 201, await resp.text()
        body = await resp.json()
        assert body["theme"] == theme and body["place"] == theme
        assert (await Activity.get(id=body["id"])).theme == theme
    # And as a correction.
    resp = await w.client.patch(f"/api/v1/activities/{w.activity.id}", headers=headers, json={"theme": JOINED})
    assert resp.status == 200 and (await resp.json())["theme"] == JOINED
    assert len(await tables_exist()) == 10


async def _post(w: World, session: tuple[str, str], path: str, form: dict[str, Any]) -> None:
    w.client.session.cookie_jar.clear()
    resp = await w.client.post(path, data={**form, "csrf_token": session[1]}, headers=_cookie(session),
                               allow_redirects=False)
    assert resp.status == 302, (path, resp.status, await resp.text())


async def _get(w: World, session: tuple[str, str], path: str) -> Any:
    w.client.session.cookie_jar.clear()
    resp = await w.client.get(path, headers=_cookie(session), allow_redirects=False)
    assert resp.status == 200, (path, resp.status)
    return resp


async def test_console_fields_escaped_in_pages_and_literal_in_documents(world: World) -> None:
    w = world
    s = await w.console_session("admin")
    # People and villages named with hostile text.
    for v in HOSTILE:
        await _post(w, s, "/admin/users", {"display_name": v, "role": "helper", "town": str(w.town.id)})
        await _post(w, s, "/admin/villages", {"name": v, "households": "3", "town": str(w.town.id)})
    assert sorted(await User.filter(display_name__in=HOSTILE).values_list("display_name", flat=True)) == sorted(HOSTILE)
    assert sorted(await Village.filter(name__in=HOSTILE).values_list("name", flat=True)) == sorted(HOSTILE)
    # A case registered at the console with hostile parties and story, then notes and an agreement.
    await _post(w, s, "/admin/cases/new", {
        "case_type": "邻里", "source": Source.APPLIED.value, "village": str(w.village.id),
        "a_name": HOSTILE[0], "r_name": HOSTILE[1], "summary": JOINED})
    case = await Case.get(summary=JOINED)
    await cases.accept(case.id, cases.Actor(w.people["admin"]), [w.people["admin"].id], due_days=30)
    await _post(w, s, f"/admin/cases/{case.id}/act/record_session", {
        "held_on": YESTERDAY.isoformat(), "content": JOINED, "place": HOSTILE[3], "participants": HOSTILE[2]})
    await _post(w, s, f"/admin/cases/{case.id}/act/agree", {
        "terms": JOINED, "facts": HOSTILE[1], "issues": HOSTILE[2], "responsibility": HOSTILE[3],
        "performance": HOSTILE[6], "effective_on": YESTERDAY.isoformat()})
    record = await SessionRecord.get(case=case)
    assert (record.content, record.place, record.participants) == (JOINED, HOSTILE[3], HOSTILE[2])
    agreement = await Agreement.get(case=case)
    assert (agreement.terms, agreement.facts, agreement.issues) == (JOINED, HOSTILE[1], HOSTILE[2])
    # Pages: escaped, never raw.
    pages = {
        "/admin/users": HOSTILE, "/admin/villages": HOSTILE, "/admin/cases/new": HOSTILE,
        f"/admin/cases/{case.id}": (JOINED, HOSTILE[0], HOSTILE[1], HOSTILE[3]), "/admin/cases": (HOSTILE[0],),
    }
    for path, values in pages.items():
        html = await (await _get(w, s, path)).text()
        assert_escaped(html, values)
    hostile_user = await User.get(display_name=HOSTILE[1])
    assert_escaped(await (await _get(w, s, f"/admin/users/{hostile_user.id}")).text(), (HOSTILE[1],))
    # Documents: the literal text, not markup and not a rendered template.
    agreement_doc = docx_text(await (await _get(w, s, f"/admin/cases/{case.id}/agreement.docx")).read())
    with zipfile.ZipFile(io.BytesIO(await (await _get(w, s, f"/admin/cases/{case.id}/dossier.zip")).read())) as z:
        dossier = "\n".join(docx_text(z.read(n)) for n in z.namelist())
    for text in (agreement_doc, dossier):
        assert JOINED in text and "{{7*7}}" in text and HOSTILE[0] in text and HOSTILE[1] in text
        # A rendered {{7*7}} would leave a lone 49; dates and times ("00:49", "2049") are not lone numbers.
        assert "&lt;" not in text and not re.search(r"(?<![\d:./-])49(?![\d:./-])", text)
    assert len(await tables_exist()) == 10


def _run(settings: Any, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(args.func(args, settings))


def _db(db_url: str, fn: Callable[[], Any]) -> Any:
    async def main() -> Any:
        async with models.database(db_url):
            return await fn()

    return asyncio.run(main())


async def _seed_ledger(name: str) -> None:
    town = await Town.get(name=name)
    for i, v in enumerate(HOSTILE):
        village = await Village.create(town=town, name=v, households=10 + i)
        author = await User.create(display_name=v, role=Role.HELPER, town=town, village=village, is_core=True)
        await create_activity(town.id, author, {
            "kind": ActivityKind.PUBLICITY, "date": YESTERDAY, "village_id": village.id, "theme": v,
            "participants": 10 + i, "form": ""})
        await cases.register_case(cases.NewCase(
            town_id=town.id, case_type="邻里", summary=f"{v} 两家因为排水沟吵架了。",
            parties=[cases.PartyIn(v, "applicant"), cases.PartyIn("李四", "respondent")],
            source=Source.APPLIED, village_id=village.id), due_days=30)


def _check_xlsx(data: bytes, must_contain: tuple[str, ...]) -> int:
    """Every text cell starting with = + - @ is a quote-prefixed string; the only formulas are the report's own."""
    wb = load_workbook(io.BytesIO(data))
    seen: set[str] = set()
    unsafe = 0
    for ws in wb.worksheets:
        for r in ws.iter_rows():
            for cell in r:
                if cell.data_type == "f":
                    assert re.match(r"^=(SUMIFS|COUNTIF|COUNTA|SUM)\('", str(cell.value)), cell.value
                    continue
                if isinstance(cell.value, str):
                    seen.add(cell.value)
                    if cell.value.startswith(UNSAFE):
                        assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                        unsafe += 1
    missing = [v for v in must_contain if v not in seen]
    assert not missing, missing
    return unsafe


def test_exports_neutralise_formulas(make_settings: Callable[..., Any], db_url: str, tmp_path: Path) -> None:
    settings = make_settings()
    t = settings.town
    _db(db_url, lambda: ensure_town(t.name, t.studio_name, t.case_prefix))
    _db(db_url, lambda: _seed_ledger(settings.town.name))
    year = str(YESTERDAY.year)
    # The ledger as .xlsx.
    xlsx = tmp_path / "ledger.xlsx"
    assert _run(settings, "activities", "export", "--year", year, "-o", str(xlsx)) == 0
    assert _check_xlsx(xlsx.read_bytes(), HOSTILE) >= 4 * 3  # theme, village and organiser of = + - @
    # The ledger as .csv: a leading apostrophe, and nothing else changed.
    path = tmp_path / "ledger.csv"
    assert _run(settings, "activities", "export", "--year", year, "-o", str(path)) == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    cells = [c for r in rows[1:] for c in r]
    assert not [c for c in cells if c.startswith(UNSAFE)], "a CSV cell starts with a formula character"
    for v in HOSTILE:
        assert ("'" + v if v.startswith(UNSAFE) else v) in cells
    # Re-importing the CSV gives back the same entries: every row is already there.
    assert _run(settings, "activities", "import", str(path)) == 0
    themes = _db(db_url, lambda: Activity.all().values_list("theme", flat=True))
    assert sorted(themes) == sorted(HOSTILE)
    # The report as .xlsx (command line).
    report = tmp_path / "report.xlsx"
    assert _run(settings, "report", "--year", year, "--format", "xlsx", "-o", str(report)) == 0
    assert _check_xlsx(report.read_bytes(), HOSTILE) >= 4
    tables = _db(db_url, tables_exist)
    assert len(tables) == 10


BUSY = "系统繁忙"


async def test_chat_huge_numbers_get_a_polite_answer(world: World) -> None:
    """Numbers past int() and bigint limits in every numeric spot of the chat: a clear reply, never 'busy'."""
    w = world
    huge, past_bigint = "1" * 5000, "99999999999999999999"
    for role, lines in {
        "helper": [f"修改 {past_bigint} 人数 4", f"撤回 {past_bigint}", f"修改 {huge} 人数 4", f"撤回 {huge}",
                   f"修改 {w.activity.id} 人数 {huge}", f"活动 昨天 江湾村 {huge}人"],
        "admin": [f"统计 {past_bigint[:4]}", f"修改 {past_bigint} 人数 4"],
    }.items():
        for line in lines:
            reply = await w.say(role, line)
            assert reply and BUSY not in reply, (line[:40], reply)
    for start in ("登记活动", "申请调解"):
        await w.say("helper", start)
        for value in (huge, "²", huge):  # "²".isdigit() is True, yet int("²") fails
            reply = await w.say("helper", value)
            assert reply and BUSY not in reply, (start, reply)
        await w.say("helper", "取消")
    assert (await Activity.get(id=w.activity.id)).participants == 45
