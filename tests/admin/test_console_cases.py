"""Console case pages: board filters, masking per role, allowed actions only, documents, management pages."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from knowledge.wording.dates import TZ
from models.core import Role, User, Village
from models.mediation import AuditEntry, Case, Status
from queries.mediation_figures import COLUMNS
from services import cases
from tests.admin.conftest import csrf_from, login
from tests.mediation.conftest import World, make_world, new_case


@pytest.fixture
async def setup(console: Any) -> tuple[Any, World]:
    client, _ = console
    return client, await make_world()


def doc_text(data: bytes) -> str:
    """All paragraph and table text of a .docx."""
    d = Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


async def test_board_filters_and_masking(setup: tuple[Any, World]) -> None:
    client, w = setup
    c1 = await new_case(w, case_type="邻里")
    c2 = await new_case(w, case_type="婚姻家庭")
    c2 = await cases.accept(c2.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)
    assert c1.number is None and c2.number is not None  # the 调字号 comes with 受理
    await cases.register_case(cases.NewCase(town_id=w.other_town.id, case_type="合同", summary="外镇案件",
                                            parties=[cases.PartyIn("外镇人")]), due_days=30)
    await login(client, "周调解")  # a mediator of the town, assigned to nothing
    page = await (await client.get("/admin/cases")).text()
    assert c1.reg_number in page and c2.number in page and "外镇" not in page
    assert "张小三" not in page and "张*三" in page
    only = await (await client.get("/admin/cases", params={"type": "婚姻家庭"})).text()
    assert c2.number in only and c1.reg_number not in only
    by_status = await (await client.get("/admin/cases", params={"status": "mediating"})).text()
    assert c2.number in by_status and c1.reg_number not in by_status
    by_village = await (await client.get("/admin/cases", params={"village": str(w.village2.id)})).text()
    assert c1.reg_number not in by_village
    case_page = await (await client.get(f"/admin/cases/{c2.id}")).text()
    assert "13812341234" not in case_page and "138****1234" in case_page and "110101199003071233" not in case_page
    assert "下载调解协议书" not in case_page
    assert (await client.get(f"/admin/cases/{c2.id}/dossier.zip")).status == 403
    assert (await client.get(f"/admin/cases/{c2.id}/papers/rights.docx")).status == 403
    other = await Case.get(town=w.other_town)
    assert (await client.get(f"/admin/cases/{other.id}")).status == 404


async def test_assigned_mediator_and_admin_see_everything(setup: tuple[Any, World]) -> None:
    client, w = setup
    c = await new_case(w)
    c = await cases.accept(c.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)
    await login(client, "洪调解")
    page = await (await client.get(f"/admin/cases/{c.id}")).text()
    assert "张小三" in page and "13812341234" in page and "110101199003071233" in page
    mine = await (await client.get("/admin/cases/mine")).text()
    assert c.number in mine


async def test_overdue_filter(setup: tuple[Any, World]) -> None:
    client, w = setup
    old = await new_case(w, on=date.today() - timedelta(days=60))
    fresh = await new_case(w)
    await login(client, "司法所王")
    page = await (await client.get("/admin/cases", params={"overdue": "1"})).text()
    assert old.reg_number in page and fresh.reg_number not in page and "超期" in page


async def test_actions_offered_and_performed(setup: tuple[Any, World]) -> None:
    client, w = setup
    c = await new_case(w)
    await login(client, "洪调解")
    page = await (await client.get(f"/admin/cases/{c.id}")).text()
    offered = set(re.findall(r'id="do-([a-z_]+)"', page))
    assert offered == {"accept", "decline"}
    token = csrf_from(page)
    r = await client.post(f"/admin/cases/{c.id}/act/archive", data={"csrf_token": token})
    assert r.status == 403  # not assigned yet: only accept/decline
    r = await client.post(f"/admin/cases/{c.id}/act/accept", data={"csrf_token": token,
                                                                  "mediators": str(w.mediator.id)})
    assert (await Case.get(id=c.id)).status == Status.MEDIATING
    page = await r.text()
    assert set(re.findall(r'id="do-([a-z_]+)"', page)) == {"assign", "record_session", "agree", "fail", "terminate",
                                                          "replace_mediator", "extend", "schedule", "investigate"}
    r = await client.post(f"/admin/cases/{c.id}/act/archive", data={"csrf_token": token})
    assert "未保存" in await r.text() and "不能“归档”" in await r.text()
    effective_on = date.today()  # one day for the agreement and the deadline it sets
    await client.post(f"/admin/cases/{c.id}/act/agree", data={
        "csrf_token": token, "form": "written", "terms": "张小三赔偿李四500元。", "amount": "500",
        "effective_on": effective_on.isoformat(), "facts": "排水沟堵塞", "perform_by": "",
    })
    case = await Case.get(id=c.id)
    assert case.status == Status.AGREED and case.confirmation_deadline == effective_on + timedelta(days=30)
    r = await client.post(f"/admin/cases/{c.id}/act/agree", data={"csrf_token": token, "terms": "again"})
    assert "未保存" in await r.text()
    r = await client.post(f"/admin/cases/{c.id}/act/nonsense", data={"csrf_token": token})
    assert r.status == 404
    r = await client.post(f"/admin/cases/{c.id}/flags", data={"csrf_token": token, "prevented_criminal": "1"})
    assert "请填写涉及人数" in await r.text() and not (await Case.get(id=c.id)).prevented_criminal
    r = await client.post(f"/admin/cases/{c.id}/flags", data={"csrf_token": token, "prevented_criminal": "1",
                                                             "prevented_criminal_persons": "2"})
    assert (await Case.get(id=c.id)).prevented_criminal_persons == 2
    doc = await client.get(f"/admin/cases/{c.id}/agreement.docx")
    assert doc.status == 200 and "filename*=UTF-8''" in doc.headers["Content-Disposition"]
    text = doc_text(await doc.read())
    c = await Case.get(id=c.id)
    assert c.number is not None
    for needle in ("人民调解协议书", c.number, "张小三", "李四", "13812341234", "张小三赔偿李四500元。", "500.00",
                   "排水沟堵塞", "签名、盖章或按指印", "人民调解员（签名）", "江湾镇人民调解委员会", "一式3份",
                   "三十日内共同向人民法院申请司法确认", "洪调解"):
        assert needle in text, needle
    with zipfile.ZipFile(io.BytesIO(await (await client.get(f"/admin/cases/{c.id}/dossier.zip")).read())) as z:
        names = z.namelist()
        closing = doc_text(z.read(next(n for n in names if "结案报告" in n)))
    assert names[:2] == ["01-卷宗封面.docx", "02-卷内目录.docx"] and any("人民调解协议书" in n for n in names)
    assert not any("口头调解协议" in n for n in names)
    for needle in ("人民调解结案报告", "达成书面调解协议", "受理", "张小三赔偿李四500元。"):
        assert needle in closing, needle
    log = await (await client.get(f"/admin/cases/{c.id}")).text()
    assert 'id="notifications"' in log and "【调解受理】" in log and "待发送" in log
    actions = [e.action for e in await AuditEntry.filter(case_id=c.id).order_by("id")]
    assert actions == ["register", "accept", "assign", "agree", "flags"]


async def test_mediator_cannot_act_on_others_case(setup: tuple[Any, World]) -> None:
    client, w = setup
    c = await new_case(w)
    await cases.accept(c.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)
    await login(client, "周调解")
    page = await (await client.get(f"/admin/cases/{c.id}")).text()
    assert 'id="do-' not in page
    r = await client.post(f"/admin/cases/{c.id}/act/terminate", data={"csrf_token": csrf_from(page), "note": "x"})
    assert r.status == 403
    assert (await Case.get(id=c.id)).status == Status.MEDIATING


async def test_register_referral_on_console(setup: tuple[Any, World]) -> None:
    client, w = setup
    await login(client, "司法所王")
    page = await (await client.get("/admin/cases/new")).text()
    token = csrf_from(page)
    bad = await client.post("/admin/cases/new", data={"csrf_token": token, "case_type": "合同",
                                                      "source": "接受委托移送"})
    assert bad.status == 400 and "移送单位" in await bad.text()
    ok = await client.post("/admin/cases/new", data={
        "csrf_token": token, "case_type": "道路交通事故", "source": "接受委托移送", "referred_by": "公安",
        "village": str(w.village.id), "a_name": "赵六", "r_name": "钱七",
        "summary": "两车刮擦，派出所移送调解。"})
    assert ok.status == 200 and "已登记" in await ok.text()
    case = await Case.get(referred_by="公安")
    assert case.source.value == "接受委托移送" and case.registered_by_id == w.admin.id  # type: ignore[attr-defined]


async def test_admin_manages_people_and_villages(setup: tuple[Any, World]) -> None:
    client, w = setup
    await login(client, "司法所王")
    page = await (await client.get("/admin/users")).text()
    assert "洪调解" in page and "河口刘" not in page
    token = csrf_from(page)
    r = await client.post("/admin/users", data={"csrf_token": token, "display_name": "新调解员", "role": "mediator",
                                                "village": "", "phone": "13700000000", "password": "abc"})
    assert "未保存" in await r.text()
    r = await client.post("/admin/users", data={"csrf_token": token, "display_name": "新调解员", "role": "mediator",
                                                "village": "", "phone": "13700000000", "password": "newpass2026"})
    assert "登录账号" in await r.text()  # a console password needs a login of its own
    r = await client.post("/admin/users", data={"csrf_token": token, "display_name": "新调解员", "role": "mediator",
                                                "village": "", "phone": "13700000000", "password": "newpass2026",
                                                "login": "xintiao"})
    new = await User.get(display_name="新调解员")
    assert new.role == Role.MEDIATOR and new.town_id == w.town.id  # type: ignore[attr-defined]
    r = await client.post("/admin/users", data={"csrf_token": token, "display_name": "县里人", "role": "county_admin"})
    assert "未保存" in await r.text()
    assert (await client.get(f"/admin/users/{w.outsider.id}")).status == 404
    r = await client.post("/admin/villages", data={"csrf_token": token, "name": "西岭村", "households": "120"})
    assert (await Village.get(name="西岭村")).households == 120
    v = await Village.get(name="西岭村")
    await client.post(f"/admin/villages/{v.id}", data={"csrf_token": token, "name": "西岭村", "households": "130",
                                                       "groups": "4"})
    assert (await Village.get(id=v.id)).groups == 4
    from tests.admin.conftest import login as relogin

    await client.post("/admin/logout", data={"csrf_token": token})
    await relogin(client, "xintiao", "newpass2026")
    assert (await client.get("/admin/users")).status == 403


async def test_home_lists_overdue(setup: tuple[Any, World]) -> None:
    client, w = setup
    old = await new_case(w, on=date.today() - timedelta(days=45))
    old = await cases.accept(old.id, cases.Actor(w.admin), [w.mediator.id], due_days=30,
                             on=date.today() - timedelta(days=45))
    fresh = await new_case(w)
    await login(client, "洪调解")
    page = await (await client.get("/admin/")).text()
    assert old.number and old.number in page and fresh.reg_number not in page and "调解期限" in page


async def test_search_and_paging(setup: tuple[Any, World]) -> None:
    client, w = setup
    made = [await new_case(w) for _ in range(53)]
    target = made[10]
    await cases.add_party(target.id, cases.Actor(w.admin), cases.PartyIn("欧阳海", "respondent", "13566667777"))
    target = await cases.accept(target.id, cases.Actor(w.admin), [w.mediator2.id], due_days=30)
    await login(client, "司法所王")
    first = await (await client.get("/admin/cases")).text()
    assert "共 53 件" in first and "第 1/2 页" in first and first.count('href="/admin/cases/') >= 50
    second = await (await client.get("/admin/cases", params={"page": "2"})).text()
    assert made[0].reg_number in second and made[-1].reg_number not in second
    for q in ("135-6666-7777", "13566667777", target.number, target.reg_number, "欧阳海"):
        found = await (await client.get("/admin/cases", params={"q": q})).text()
        assert "共 1 件" in found and target.number in found, q
    assert "共 0 件" in await (await client.get("/admin/cases", params={"q": "13500000000"})).text()
    by_mediator = await (await client.get("/admin/cases", params={"mediator": str(w.mediator2.id)})).text()
    assert "共 1 件" in by_mediator
    by_year = await (await client.get("/admin/cases", params={"year": "2001"})).text()
    assert "共 0 件" in by_year


async def test_mediation_table_page(setup: tuple[Any, World]) -> None:
    client, w = setup
    c = await new_case(w)
    await cases.accept(c.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)
    await login(client, "洪调解")
    assert (await client.get("/admin/cases/table")).status == 403
    await client.post("/admin/logout", data={"csrf_token": csrf_from(await (await client.get("/admin/")).text())})
    await login(client, "司法所王")
    page = await (await client.get("/admin/cases/table", params={"year": str(date.today().year)})).text()
    assert "人民调解工作统计表" in page and "合计" in page and "无调结案件" in page
    xlsx = await client.get("/admin/cases/table.xlsx", params={"year": str(date.today().year), "quarter": "1"})
    assert xlsx.status == 200 and xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (await client.get("/admin/cases/table", params={"quarter": "7"})).status == 404


async def test_outcomes_entered_in_the_console_appear_in_the_tables(setup: tuple[Any, World]) -> None:
    client, w = setup
    c = await new_case(w)
    await cases.accept(c.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)
    await login(client, "洪调解")
    page = await (await client.get(f"/admin/cases/{c.id}")).text()
    assert 'id="case-flags"' in page and 'name="prevented_mass_fight_persons"' in page
    token = csrf_from(page)
    bad = await client.post(f"/admin/cases/{c.id}/flags", data={
        "csrf_token": token, "prevented_mass_fight": "1", "prevented_mass_fight_persons": "二十"})
    assert "“防止群体性械斗”的人数请填写0或正整数" in await bad.text()
    bad = await client.post(f"/admin/cases/{c.id}/flags", data={"csrf_token": token, "prevented_suicide_persons": "1"})
    assert "没有勾选“防止因民间纠纷引起自杀”" in await bad.text()
    assert not (await Case.get(id=c.id)).prevented_mass_fight
    r = await client.post(f"/admin/cases/{c.id}/flags", data={
        "csrf_token": token, "prevented_dispute": "1", "prevented_mass_fight": "1",
        "prevented_mass_fight_persons": "２０", "prevented_suicide": "1", "prevented_suicide_persons": "1"})
    page = await r.text()
    assert "标记和统计事项已保存" in page
    assert "预防纠纷；防止群体性械斗（20人）；防止因民间纠纷引起自杀（1人）" in page
    assert "防止群体性械斗涉及20人" in page  # the audit entry in the timeline
    await client.post("/admin/logout", data={"csrf_token": csrf_from(page)})
    await login(client, "司法所王")
    year = str(c.registered_at.astimezone(TZ).year)  # the table counts a case in the town's year of its registration
    table = await (await client.get("/admin/cases/table", params={"year": year})).text()
    row = re.search(r"<tr><td>邻里</td>((?:<td>[^<]*</td>)+)</tr>", table)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    values = dict(zip(COLUMNS, cells, strict=True))
    assert values["预防纠纷（件）"] == "1"
    assert (values["防止群体性械斗（件）"], values["防止群体性械斗（人）"]) == ("1", "20")
    assert (values["防止自杀（件）"], values["防止自杀（人）"], values["受理"]) == ("1", "1", "1")
    assert 'colspan="2">防止群体性械斗</th>' in table and "排查次数（次）" in table
    stats = await (await client.get("/admin/stats", params={"year": year})).text()
    studio = stats[stats.index('id="studio-figures"'):]
    assert "<dt>防止群体性械斗</dt><dd>1件 20人</dd>" in studio and "<dt>预防纠纷</dt><dd>1件</dd>" in studio
    assert "<dt>调解协议</dt><dd>书面0件，口头0件</dd>" in studio and "<dt>调解成功率</dt><dd>无调结案件</dd>" in studio
    assert "<dt>排查次数</dt><dd>0次（村级0次、镇级0次）</dd>" in studio
    assert "矛盾纠纷排查" in stats[:stats.index('id="studio-figures"')]  # the tile


async def test_county_admin_table_has_every_town(setup: tuple[Any, World]) -> None:
    client, w = setup
    c = await new_case(w)
    await cases.accept(c.id, cases.Actor(w.admin), [w.mediator.id], due_days=30)
    other = await cases.register_case(cases.NewCase(
        town_id=w.other_town.id, case_type="合同", summary="欠款", parties=[cases.PartyIn("王五")]), due_days=30)
    await cases.accept(other.id, cases.Actor(w.outsider), [w.outsider.id], due_days=30)
    await login(client, "县局李")
    year = str(date.today().year)
    page = await (await client.get("/admin/cases/table", params={"year": year})).text()
    assert 'id="county-table"' in page and "全县（2个乡镇）" in page
    towns = page[page.index('id="county-table"'):page.index('id="mediation-table"')]
    assert ">江湾镇</a>" in towns and ">河口镇</a>" in towns and "<td>合计</td>" in towns
    one = await (await client.get("/admin/cases/table", params={"year": year, "town": "河口镇"})).text()
    assert "河口镇人民调解委员会" in one and 'id="county-table"' not in one
    assert (await client.get("/admin/cases/table", params={"town": "无此镇"})).status == 404
    xlsx = await client.get("/admin/cases/table.xlsx", params={"year": year})
    wb = load_workbook(io.BytesIO(await xlsx.read()))
    assert wb.sheetnames == ["全县（分乡镇）", "全县（分类型）", "江湾镇", "河口镇"]
    await client.post("/admin/logout", data={"csrf_token": csrf_from(page)})
    await login(client, "司法所王")  # a town admin sees the town, whatever is asked
    own = await (await client.get("/admin/cases/table", params={"year": year, "town": "河口镇"})).text()
    assert "江湾镇人民调解委员会" in own and "河口镇" not in own
