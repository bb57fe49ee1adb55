"""In Debian's Chromium: after a roster import and one binding in chat, the console shows who has bound WeChat."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from models.core import Role
from tests.admin.conftest import PASSWORD, make_staff
from tests.admin.test_browser import ARTIFACTS, _login, browser  # noqa: F401  (fixture)
from tests.wechat.conftest import Platform
from tests.wechat.test_onboarding import import_roster, sheet_rows

pytestmark = pytest.mark.browser


async def test_binding_in_chat_shows_in_the_console(browser: Any, platform: Platform, fake_wechat, db: str,  # noqa: F811
                                                    tmp_path: Path) -> None:
    p = platform
    _, base_api = fake_wechat
    assert await import_roster(p, tmp_path, db, base_api, 120) == 0
    name, _, code, _ = sheet_rows(tmp_path / "sheets" / "新7村邀请码.docx")[0]
    assert "绑定成功" in await p.chat.say("oa-new-helper", f"绑定 {code}")
    await make_staff("周所长", Role.ADMIN, p.town)
    base = str(p.client.server.make_url("")).rstrip("/")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    await _login(page, base, "周所长", PASSWORD)
    await page.goto(f"{base}/admin/users")
    assert "共124人，第1/3页" in await page.inner_text("#users-total")  # 120 + 2 helpers + 2 admins
    await page.click("#users-pages a:text('下一页')")
    assert "第2/3页" in await page.inner_text("#users-total")
    await page.fill("input[name=q]", name)
    await page.click("form.filters button[type=submit]")
    table = await page.inner_text("#users")
    assert name in table and "已绑定" in table and "未绑定" not in table
    await page.fill("input[name=q]", "新7村")
    await page.select_option("select[name=bound]", "no")
    await page.click("form.filters button[type=submit]")
    assert "共11人" in await page.inner_text("#users-total")  # twelve in 新7村, one bound
    assert name not in await page.inner_text("#users")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "people-bound.png"), full_page=True)
    await page.select_option("#invites select[name=village]", label="新7村")
    await page.check("#invites input[name=renew]")
    async with page.expect_download() as info:
        await page.click("#invites button[type=submit]")
    download = await info.value
    saved = tmp_path / "download.docx"
    await download.save_as(saved)
    names = [r[0] for r in sheet_rows(saved)]
    assert len(names) == 11 and name not in names
    assert "新7村" in Document(io.BytesIO(saved.read_bytes())).paragraphs[0].text
    await context.close()
