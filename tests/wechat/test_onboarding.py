"""Onboarding at scale: a roster imported in one command gives everyone a code and each village a printable sheet."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from docx import Document

from bot.cli import main
from models.core import Role, User, Village
from models.outreach import InviteCode
from tests.conftest import AES_KEY, APPID, MP_APPID, REDIS_URL, TOKEN
from tests.wechat.conftest import Platform

VILLAGES = [f"新{i}村" for i in range(10)]


def write_config(tmp: Path, db_url: str, api_base: str) -> Path:
    """A configuration file for CLI commands on the test database and the fake WeChat API."""
    cfg = tmp / "mingbai.toml"
    cfg.write_text(
        f'[database]\nurl = "{db_url}"\n[redis]\nurl = "{REDIS_URL}"\n'
        f'[wechat]\ntoken = "{TOKEN}"\nappid = "{APPID}"\nsecret = "s3cret"\naes_key = "{AES_KEY}"\n'
        f'mode = "plain"\napi_base_url = "{api_base}"\n[miniprogram]\nappid = "{MP_APPID}"\nsecret = "x"\n'
        '[security]\nsecret_key = "test-secret-key-0123456789"\n', encoding="utf-8")
    return cfg


def write_roster(tmp: Path, count: int) -> Path:
    """姓名,村名,骨干,电话 for `count` helpers spread over the ten villages."""
    roster = tmp / "roster.csv"
    lines = ["姓名,村名,骨干,电话"] + [f"明白人{i:04d},{VILLAGES[i % 10]},{'是' if i % 9 == 0 else '否'},139{i:08d}"
                                      for i in range(count)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return roster


async def import_roster(p: Platform, tmp: Path, db_url: str, base: str, count: int, *extra: str) -> int:
    """Villages, then `mingbai helpers import roster.csv --sheets DIR` (in a thread: it runs its own loop)."""
    for name in VILLAGES:
        await Village.get_or_create(town=p.town, name=name, defaults={"households": 300})
    cfg = write_config(tmp, db_url, base)
    roster = write_roster(tmp, count)
    return await asyncio.to_thread(main, ["--config", str(cfg), "helpers", "import", str(roster),
                                          "--sheets", str(tmp / "sheets"), *extra])


def sheet_rows(path: Path) -> list[tuple[str, str, str, int]]:
    """(name, phone, code, pictures in the QR cell) of each person on a sheet."""
    table = Document(io.BytesIO(path.read_bytes())).tables[0]
    out = []
    for row in table.rows[1:]:
        cells = row.cells
        pictures = len(cells[3]._element.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
        out.append((cells[0].text, cells[1].text, cells[2].text, pictures))
    return out


async def test_a_roster_of_1000_helpers_gets_codes_and_a_sheet_per_village(platform: Platform, fake_wechat, db: str,
                                                                           tmp_path: Path) -> None:
    p = platform
    _, base = fake_wechat
    assert await import_roster(p, tmp_path, db, base, 1000) == 0
    assert await InviteCode.filter(used_at=None).count() == 1000
    scenes = [q for q in p.fake.qrcodes.values() if q["scene"].startswith("invite:")]
    assert len(scenes) == 1000 and {q["expire_seconds"] for q in scenes} == {30 * 24 * 3600}
    sheets = sorted((tmp_path / "sheets").glob("*.docx"))
    assert [s.name for s in sheets] == sorted(f"{v}邀请码.docx" for v in VILLAGES)
    rows = sheet_rows(tmp_path / "sheets" / "新3村邀请码.docx")
    assert len(rows) == 100 and all(pics == 1 for *_, pics in rows)
    name, phone, code, _ = rows[0]
    assert name == "明白人0003" and phone == "139****0003" and len(code) == 8
    assert {q["scene"] for q in scenes} >= {f"invite:{c}" for _, _, c, _ in rows}
    # The printed code binds that person in chat.
    reply = await p.chat.say("oa-0003", f"绑定 {code}")
    assert "绑定成功" in reply and "明白人0003" in reply
    # Importing the same roster again keeps everyone's printed code; --renew replaces the unused ones.
    assert await import_roster(p, tmp_path, db, base, 1000) == 0
    assert await InviteCode.filter(used_at=None).count() == 999
    other_code = sheet_rows(tmp_path / "sheets" / "新4村邀请码.docx")[0][2]
    cfg = tmp_path / "mingbai.toml"
    assert await asyncio.to_thread(main, ["--config", str(cfg), "helpers", "invites", "--renew", "--village", "新4村",
                                          "-o", str(tmp_path / "renewed")]) == 0
    assert len(sheet_rows(tmp_path / "renewed" / "新4村邀请码.docx")) == 100
    assert "不对" in await p.chat.say("oa-x", f"绑定 {other_code}")  # the renewed person's old code is gone
    bound = await User.filter(role=Role.HELPER, openid__not_isnull=True).values_list("display_name", flat=True)
    assert set(bound) == {"李明", "明白人0003", "王芳"}


async def test_without_the_wechat_api_the_sheets_still_carry_the_codes(platform: Platform, db: str,
                                                                       tmp_path: Path) -> None:
    assert await import_roster(platform, tmp_path, db, "http://127.0.0.1:9", 20) == 0  # nothing listens there
    rows = sheet_rows(tmp_path / "sheets" / "新0村邀请码.docx")
    assert len(rows) == 2 and all(pics == 0 and len(code) == 8 for _, _, code, pics in rows)
    assert await InviteCode.all().count() == 20


async def test_the_console_gives_one_person_a_code_and_qr_sheet(platform: Platform, tmp_path: Path) -> None:
    from tests.admin.conftest import csrf_from, login, make_staff

    p = platform
    await make_staff("周所长", Role.ADMIN, p.town)
    await login(p.client, "周所长")
    mediator = await User.create(role=Role.MEDIATOR, display_name="洪调解", town=p.town)  # added with no code
    page = await (await p.client.get(f"/admin/users/{mediator.id}")).text()
    assert "生成邀请码" in page
    r = await p.client.post(f"/admin/users/{mediator.id}/invite", data={"csrf_token": csrf_from(page)})
    assert r.status == 200 and "attachment" in r.headers["Content-Disposition"]
    saved = tmp_path / "one.docx"
    saved.write_bytes(await r.read())
    [(name, _, code, pictures)] = sheet_rows(saved)
    assert name == "洪调解" and pictures == 1
    assert "人民调解员" in await p.chat.say("oa-hong", f"绑定 {code}")
    r = await p.client.post(f"/admin/users/{mediator.id}/invite", data={"csrf_token": csrf_from(page)},
                            allow_redirects=False)
    assert r.status == 302 and await InviteCode.filter(user=mediator).count() == 1  # bound: nothing new
