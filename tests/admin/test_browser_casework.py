"""A whole case in the browser: an organisation applies in chat, three respondents, from intake to archive."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from bot import keys
from handlers.core import Message
from models.mediation import Case, Party, Status
from tests.admin.test_browser import ARTIFACTS, _login, browser, served  # noqa: F401 - the fixtures
from tests.mediation.conftest import World

pytestmark = pytest.mark.browser
CREDIT_CODE = "91350100M000100Y43"
_ids = itertools.count(5000)


def _text(data: bytes) -> str:
    d = Document(io.BytesIO(data))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


async def _open(page: Any, selector: str) -> None:
    """Open a <details> whatever its state (the first action of a case opens by itself)."""
    await page.eval_on_selector(selector, "d => { d.open = true; }")


async def _chat_intake(app: Any) -> Case:
    async def say(text: str) -> str:
        reply = await app[keys.DISPATCHER].feed(Message(openid="coop-openid", type="text", content=text,
                                                        msg_id=str(next(_ids))))
        return str(reply)

    for text in ("申请调解", "5", "江湾村", "江湾镇青山茶叶专业合作社", "江湾村工业园3号",
                 "隔壁老李 李大海 13800001111", "李大海等三兄弟租用合作社茶园两年未付租金，多次催要无果。"):
        await say(text)
    assert "请核对" in await say("13912345678")
    assert "已登记" in await say("确认")
    return await Case.get(applicant_openid="coop-openid")


async def test_case_from_chat_to_archive(browser: Any, served: tuple[str, World], console: Any,  # noqa: F811
                                         tmp_path: Path) -> None:
    base, _ = served
    ARTIFACTS.mkdir(exist_ok=True)
    case = await _chat_intake(console[0].server.app)  # the same app serves the chat and the console
    assert case.reg_number and case.number is None
    context = await browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = await context.new_page()
    await _login(page, base, "洪调解")
    await page.goto(f"{base}/admin/cases?q=13912345678")  # found by the applicant's phone
    await page.click(f"a:text('{case.reg_number}')")
    parties = await page.inner_text("#parties")
    assert "13912345678" in parties and "李*海" in parties  # to call the applicant before accepting; no more
    await page.click("#do-accept")
    assert "调解中" in await page.inner_text("#case-status")
    number = (await Case.get(id=case.id)).number
    assert number and number in await page.inner_text("#case-number")
    # The applicant is an organisation: complete its details.
    applicant = await Party.get(case_id=case.id, side="applicant")
    await page.click(f"#party-{applicant.id} summary")
    form = f"#party-{applicant.id} form >> nth=0"
    await page.click(f"{form} >> details.more summary")
    await page.fill(f"{form} >> input[name=credit_code]", CREDIT_CODE)
    await page.fill(f"{form} >> input[name=legal_rep]", "王建国")
    await page.fill(f"{form} >> input[name=phone]", "1390000")  # refused, nothing saved
    await page.click(f"{form} >> button[type=submit]")
    assert "未保存" in await page.content() and "手机号" in await page.content()
    assert (await Party.get(id=applicant.id)).credit_code == ""
    await page.click(f"#party-{applicant.id} summary")
    await page.click(f"{form} >> details.more summary")
    await page.fill(f"{form} >> input[name=credit_code]", CREDIT_CODE)
    await page.fill(f"{form} >> input[name=legal_rep]", "王建国")
    await page.click(f"{form} >> button[type=submit]")
    assert (await Party.get(id=applicant.id)).legal_rep == "王建国"
    # Two more respondents.
    for name in ("李小海", "李海燕"):
        await _open(page, "#party-add")
        await page.fill("#party-add input[name=name]", name)
        await page.fill("#party-add input[name=address]", "江湾村3组")
        await page.click("#add-party")
    assert await Party.filter(case_id=case.id, side="respondent").count() == 3
    # Mediate, agree in writing, visit, archive.
    await _open(page, "#action-record_session")
    await page.fill("#action-record_session textarea[name=content]", "三兄弟承认欠租，同意分期支付。")
    await page.click("#do-record_session")
    await _open(page, "#action-agree")
    await page.fill("#action-agree textarea[name=terms]", "李大海、李小海、李海燕于年底前付清租金12000元。")
    await page.fill("#action-agree input[name=amount]", "12000")
    await page.click("#do-agree")
    assert "达成协议" in await page.inner_text("#case-status")
    await _open(page, "#action-follow_up")
    await page.click("#do-follow_up")
    await _open(page, "#action-archive")
    await page.click("#do-archive")
    assert "已归档" in await page.inner_text("#case-status")
    assert await page.locator("#party-add").count() == 0  # archived: no more editing
    await page.screenshot(path=str(ARTIFACTS / "case-archived.png"), full_page=True)
    async with page.expect_download() as info:
        await page.click("#download-dossier")
    target = tmp_path / "dossier.zip"
    await (await info.value).save_as(str(target))
    with zipfile.ZipFile(target) as z:
        names = z.namelist()
        agreement = _text(z.read(next(n for n in names if "人民调解协议书" in n)))
    assert names[0] == "01-卷宗封面.docx" and any("结案报告" in n for n in names)
    for needle in ("江湾镇青山茶叶专业合作社", CREDIT_CODE, "王建国", "李大海", "李小海", "李海燕", "一式5份", number):
        assert needle in agreement, needle
    assert (await Case.get(id=case.id)).status == Status.ARCHIVED
    await context.close()


async def test_outcomes_marked_at_closing_reach_the_table(browser: Any, served: tuple[str, World]  # noqa: F811
                                                          ) -> None:
    from knowledge.wording.dates import TZ
    from services import cases
    from tests.mediation.conftest import new_case

    base, w = served
    ARTIFACTS.mkdir(exist_ok=True)
    case = await new_case(w, case_type="邻里")
    await cases.accept(case.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await _login(page, base, "洪调解")
    await page.goto(f"{base}/admin/cases/{case.id}")
    await page.check("#flag-prevented_mass_petition")  # ticked without the number: refused, nothing saved
    await page.click("#save-flags")
    assert "请填写涉及人数" in await page.content()
    assert not (await Case.get(id=case.id)).prevented_mass_petition
    await page.check("#flag-prevented_mass_petition")
    await page.fill("#flag-prevented_mass_petition_persons", "30")
    await page.check("#flag-prevented_criminal")
    await page.fill("#flag-prevented_criminal_persons", "2")
    await page.click("#save-flags")
    assert "防止群体性上访（30人）" in await page.inner_text("#case-outcomes")
    await _open(page, "#action-fail")
    await page.check("#action-fail input[name=routes] >> nth=0")
    await page.click("#do-fail")
    assert "调解不成" in await page.inner_text("#case-status")
    await page.screenshot(path=str(ARTIFACTS / "case-outcomes.png"), full_page=True)
    await page.click("form[action='/admin/logout'] button")
    await _login(page, base, "司法所王")
    year = case.registered_at.astimezone(TZ).year  # the table counts a case in the town's year of its registration
    await page.goto(f"{base}/admin/cases/table?year={year}")
    row = await page.inner_text("#mediation-table tbody tr:has(td:text-is('邻里'))")
    from queries.mediation_figures import COLUMNS

    cells = dict(zip(("纠纷类型", *COLUMNS), row.split("\t"), strict=True))
    assert (cells["防止群体性上访（件）"], cells["防止群体性上访（人）"]) == ("1", "30")
    assert (cells["防止民转刑（件）"], cells["防止民转刑（人）"], cells["调解不成"]) == ("1", "2", "1")
    assert "0.0%（调解成功0件 ÷ 调结1件）" in await page.inner_text("#success-rate")
    await page.set_viewport_size({"width": 1400, "height": 900})
    await page.screenshot(path=str(ARTIFACTS / "mediation-table.png"), full_page=True)
    await context.close()
