"""The knowledge-base pages in Debian's Chromium: an admin edits, a bad citation is refused, a mediator reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import keys
from models.core import Role
from models.questions import QuestionLog
from tests.admin.conftest import make_staff
from tests.admin.test_browser import ARTIFACTS, _login, browser  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser


async def test_admin_edits_an_entry_and_a_mediator_reads_it(browser: Any, console: Any,  # noqa: F811
                                                            tmp_path: Path) -> None:
    client, town = console
    base = str(client.server.make_url("")).rstrip("/")
    await make_staff("司法所老王", Role.ADMIN, town)
    await make_staff("洪调解", Role.MEDIATOR, town)
    await QuestionLog.create(town=town, asker="h", question="邻居装修电钻太吵睡不着", band="low", score=0.1)
    ARTIFACTS.mkdir(exist_ok=True)
    page = await (await browser.new_context(viewport={"width": 1100, "height": 900})).new_page()
    await _login(page, base, "司法所老王")
    await page.click("nav a:text('知识库')")
    await page.fill("#kb-search input[name=q]", "被狗咬了")
    await page.click("#kb-search button[type=submit]")
    assert "tp-dog-who-liable" in await page.inner_text("#kb-table")
    await page.click("a:text('tp-dog-who-liable')")
    # a repealed law is refused with the reason, and nothing changes
    await page.fill("#kb-edit textarea[name=basis]", "《侵权责任法》第78条")
    await page.click("#kb-save")
    problems = await page.inner_text("#kb-problems")
    assert "《侵权责任法》第78条" in problems and "已于2021年1月1日废止" in problems
    # a new phrasing is saved, shown, audited and answers at once
    await page.goto(f"{base}/admin/kb/entry/tp-dog-who-liable")
    questions = await page.input_value("#kb-edit textarea[name=questions]")
    await page.fill("#kb-edit textarea[name=questions]", questions + "\n俺家大黄把邻居娃咬哭了咋赔")
    await page.click("#kb-save")
    assert "几秒钟内在所有服务进程中生效" in await page.inner_text("main")
    assert "俺家大黄把邻居娃咬哭了咋赔" in await page.inner_text("#kb-questions")
    assert "司法所老王" in await page.inner_text("#kb-history")
    assert "俺家大黄把邻居娃咬哭了咋赔" in client.server.app[keys.KNOWLEDGE].kb.entry("tp-dog-who-liable").questions
    await page.screenshot(path=str(ARTIFACTS / "kb-entry.png"), full_page=True)
    # the whole base exported and imported back through the page (larger than an ordinary form)
    exported = await (await page.request.get(f"{base}/admin/kb/export")).text()
    upload = tmp_path / "faq.toml"
    upload.write_text(exported.replace('questions = ["', 'questions = ["导入的新问法", "', 1), encoding="utf-8")
    await page.goto(f"{base}/admin/kb")
    await page.set_input_files("#kb-import input[name=file]", str(upload))
    await page.click("#kb-import button[type=submit]")
    await page.wait_for_selector("text=已导入1条")
    await page.goto(f"{base}/admin/kb/inbox")
    assert "邻居装修电钻太吵睡不着" in await page.inner_text("#kb-inbox")
    await page.screenshot(path=str(ARTIFACTS / "kb-inbox.png"), full_page=True)

    reader = await (await browser.new_context()).new_page()
    await _login(reader, base, "洪调解")
    await reader.goto(f"{base}/admin/kb/entry/tp-dog-who-liable")
    assert "俺家大黄把邻居娃咬哭了咋赔" in await reader.inner_text("#kb-questions")
    assert await reader.query_selector("#kb-edit") is None
    assert await reader.query_selector("#kb-new") is None
