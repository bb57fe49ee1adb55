"""The console in Debian's Chromium (Playwright): a mediator's day, and a villager refused."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from bot.admin.passwords import hash_password
from models.core import Role, User
from models.mediation import Case, Status
from tests.admin.conftest import PASSWORD
from tests.mediation.conftest import World, make_world, new_case

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium, headless (never a downloaded browser)."""
    from playwright.async_api import async_playwright

    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - a one-off check before launching
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        await b.close()


@pytest.fixture
async def served(console: Any) -> tuple[str, World]:
    """The real app on localhost, with the standard world."""
    client, _ = console
    return str(client.server.make_url("")).rstrip("/"), await make_world()


async def _login(page: Any, base: str, name: str, password: str = PASSWORD) -> None:
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def test_mediator_accepts_agrees_and_downloads(browser: Any, served: tuple[str, World], tmp_path: Path) -> None:
    base, w = served
    ARTIFACTS.mkdir(exist_ok=True)
    neighbours = await new_case(w, case_type="邻里")
    family = await new_case(w, case_type="婚姻家庭")
    context = await browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = await context.new_page()
    await _login(page, base, "洪调解")
    await page.click("nav a:text('案件看板')")
    assert neighbours.reg_number and family.reg_number
    assert neighbours.reg_number in await page.inner_text("#case-table")
    await page.select_option("select[name=type]", "邻里")
    await page.click("#board-filters button[type=submit]")
    table = await page.inner_text("#case-table")
    assert neighbours.reg_number in table and family.reg_number not in table
    assert "张*三" in table and "张小三" not in table
    await page.screenshot(path=str(ARTIFACTS / "board.png"), full_page=True)

    await page.click(f"a:text('{neighbours.reg_number}')")
    assert "已登记" in await page.inner_text("#case-status")
    await page.click("#do-accept")
    assert "调解中" in await page.inner_text("#case-status")
    assert "张小三" in await page.inner_text("#parties")  # assigned now: full details
    await page.click("#action-agree summary")
    await page.fill("#action-agree textarea[name=facts]", "张小三家排水沟堵塞，雨水流入李四院内。")
    await page.fill("#action-agree textarea[name=terms]", "张小三三日内疏通排水沟，并赔偿李四800元。")
    await page.fill("#action-agree input[name=amount]", "800")
    await page.click("#do-agree")
    assert "达成协议" in await page.inner_text("#case-status")
    assert "达成协议" in await page.inner_text("#timeline")
    async with page.expect_download() as info:
        await page.click("#download-agreement")
    download = await info.value
    target = tmp_path / "agreement.docx"
    await download.save_as(str(target))
    text = "\n".join(p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs)
    number = (await Case.get(id=neighbours.id)).number
    assert number and "人民调解协议书" in text and number in text and "赔偿李四800元" in text and "800.00" in text
    await page.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)
    assert (await Case.get(id=neighbours.id)).status == Status.AGREED
    await context.close()


async def test_villager_is_refused(browser: Any, served: tuple[str, World]) -> None:
    base, w = served
    await User.create(display_name="王村民", login="王村民", role=Role.VILLAGER, town=w.town,
                      password_hash=hash_password(PASSWORD))
    context = await browser.new_context()
    page = await context.new_page()
    await _login(page, base, "王村民")
    assert "不能使用调解工作台" in await page.inner_text("main")
    response = await page.goto(f"{base}/admin/cases")
    assert response is not None and "/admin/login" in page.url  # no session was created
    # a session whose user is later turned into a villager is refused too
    await _login(page, base, "周调解")
    assert (await page.goto(f"{base}/admin/cases")).status == 200
    w.mediator2.role = Role.VILLAGER
    await w.mediator2.save()
    response = await page.goto(f"{base}/admin/cases")
    assert response is not None and response.status == 403 and "没有权限" in await page.inner_text("main")
    await context.close()


async def test_a_helper_bound_in_chat_shows_as_bound_in_the_people_list(browser: Any, served: tuple[str, World],
                                                                         console: Any) -> None:
    from bot.wechat.client import WeChatSimulator
    from services.invites import create_invite
    from tests.conftest import TOKEN
    from tests.outreach.conftest import Chat

    base, w = served
    helper = await User.create(role=Role.HELPER, display_name="赵强", town=w.town, village=w.village)
    code = await create_invite(helper, 7)
    page = await (await browser.new_context()).new_page()
    await _login(page, base, "司法所王")
    await page.wait_for_selector("nav")  # logged in
    await page.goto(f"{base}/admin/users?q=赵强")
    row = page.locator("tbody tr", has_text="赵强")
    assert "未绑定" in await row.inner_text()
    chat = Chat(console[0], WeChatSimulator(TOKEN))
    assert "绑定成功" in await chat.say("oid-zhaoqiang", f"绑定 {code}")
    await page.goto(f"{base}/admin/users?q=赵强&bound=yes")
    row = page.locator("tbody tr", has_text="赵强")
    assert "已绑定" in await row.inner_text()
