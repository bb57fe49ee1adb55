"""Control characters and NUL at every door: stripped before storing, never a 500, documents always render."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.wechat.client import WeChatSimulator
from models.core import User, Village
from models.mediation import Agreement, Case, SessionRecord
from models.outreach import Activity
from services import cases
from services.hygiene import clean_text
from sheets.activity_ledger import COLUMNS, import_activities
from sheets.tabular import read_table
from tests.conftest import TOKEN
from tests.security.conftest import World
from tests.security.test_authz_matrix import _cookie

YESTERDAY = dt.date.today() - dt.timedelta(days=1)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Text as a hostile client sends it: control characters (C0, DEL, C1) mixed into ordinary Chinese.
texts = st.text(st.one_of(st.characters(max_codepoint=0x9F), st.sampled_from("张李王纠纷协议履行地点电话")),
                min_size=1, max_size=24)


def _examples(n: int) -> list[str]:
    out: list[str] = []

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(texts)
    def collect(t: str) -> None:
        out.append(t)

    collect()
    return out


async def _post(w: World, session: tuple[str, str], path: str, form: dict[str, Any]) -> int:
    w.client.session.cookie_jar.clear()
    resp = await w.client.post(path, data={**form, "csrf_token": session[1]}, headers=_cookie(session),
                               allow_redirects=False)
    await resp.read()
    assert resp.status != 500, (path, form)
    return resp.status


async def _get(w: World, session: tuple[str, str], path: str) -> Any:
    w.client.session.cookie_jar.clear()
    return await w.client.get(path, headers=_cookie(session), allow_redirects=False)


def _clean(value: str) -> bool:
    return not CONTROL.search(value)


async def test_random_control_characters_in_every_case_field_then_every_document_renders(world: World) -> None:
    w = world
    s = await w.console_session("admin")
    admin = w.people["admin"]
    for i, t in enumerate(_examples(12)):
        summary = f"两家因为排水沟吵架{i}：{t}"
        await _post(w, s, "/admin/cases/new", {
            "case_type": "邻里", "source": "申请调解", "village": str(w.village.id), "summary": summary,
            "a_name": "张三", "a_phone": "13812341234", "a_address": f"江湾村{t}"[:60], "a_occupation": t[:20],
            "r_name": "李四", "r_address": f"石桥村{t}"[:60]})
        case = await Case.filter(town_id=w.town.id, summary__startswith=f"两家因为排水沟吵架{i}：").first()
        assert case is not None and _clean(case.summary), t  # registered, its text cleaned
        await cases.accept(case.id, cases.Actor(admin), [admin.id], due_days=30)
        await _post(w, s, f"/admin/cases/{case.id}/act/record_session", {
            "held_on": YESTERDAY.isoformat(), "content": f"调解{t}", "place": f"村委会{t}", "participants": t})
        await _post(w, s, f"/admin/cases/{case.id}/act/agree", {
            "terms": f"赔偿{t}", "facts": t, "issues": t, "responsibility": t, "performance": f"转账{t}",
            "amount": "100", "effective_on": YESTERDAY.isoformat()})
        for record in (await SessionRecord.filter(case=case), await Agreement.filter(case=case)):
            for r in record:
                assert all(_clean(v) for v in vars(r).values() if isinstance(v, str))
        resp = await _get(w, s, f"/admin/cases/{case.id}/agreement.docx")
        assert resp.status == 200, t
        Document(io.BytesIO(await resp.read()))  # a readable .docx
        resp = await _get(w, s, f"/admin/cases/{case.id}/dossier.zip")
        assert resp.status == 200, t
        with zipfile.ZipFile(io.BytesIO(await resp.read())) as z:  # every paper of the 卷宗 readable
            for name in z.namelist():
                Document(io.BytesIO(z.read(name)))


async def test_random_control_characters_through_the_api_and_imports(world: World, tmp_path: Path) -> None:
    w = world
    h = await w.api_headers("helper")
    for i, t in enumerate(_examples(10)):
        r = await w.client.post("/api/v1/activities", headers=h, json={
            "kind": "publicity", "date": YESTERDAY.isoformat(), "village_id": w.village.id,
            "theme": f"民法典{t}", "place": f"村委会{t}", "participants": 10 + i})
        assert r.status in {201, 409, 422}, await r.text()
        r = await w.client.patch(f"/api/v1/activities/{w.activity.id}", headers=h, json={"theme": f"宪法{t}"})
        assert r.status in {200, 403, 409, 422}, await r.text()
    assert all(_clean(a.theme) and _clean(a.place) for a in await Activity.all())
    path = tmp_path / "ledger.csv"
    row = f"{YESTERDAY},普法宣传活动,{w.village.name},,,反诈\x01宣传\x0b,30,,,李明"
    path.write_text(",".join(COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    result = await import_activities(read_table(path, COLUMNS), w.town.id, ["法治公开课"])
    assert result.created == 1 and await Activity.exists(theme="反诈宣传")


async def test_nul_bytes_never_give_500(world: World) -> None:
    w = world
    h = await w.api_headers("helper")
    nul = "a\x00b"
    r = await w.client.post("/api/v1/activities", headers=h, json={
        "kind": "publicity", "date": YESTERDAY.isoformat(), "village_id": w.village.id, "theme": nul})
    assert r.status == 201 and (await r.json())["theme"] == "ab"
    r = await w.client.patch(f"/api/v1/activities/{w.activity.id}", headers=h, json={"place": nul})
    assert r.status == 200 and (await r.json())["place"] == "ab"
    r = await w.client.post("/api/v1/auth/login", json={"code": nul})
    assert r.status in {401, 502}
    r = await w.client.post("/api/v1/auth/bind", headers=await w.api_headers("villager"), json={"invite_code": nul})
    assert r.status in {400, 429}
    s = await w.console_session("admin")
    await _post(w, s, "/admin/cases/new", {
        "case_type": "邻里", "source": "申请调解", "village": str(w.village.id),
        "summary": "两家因为排水沟吵架了，\x00需要调解。", "a_name": "张\x00三", "r_name": "李四"})
    assert await Case.exists(summary="两家因为排水沟吵架了，需要调解。")
    await _post(w, s, "/admin/villages", {"name": "新\x00村", "households": "3", "town": str(w.town.id)})
    assert await Village.exists(name="新村")
    await _post(w, s, "/admin/users", {"display_name": "赵\x00六", "role": "helper", "town": str(w.town.id)})
    assert await User.exists(display_name="赵六")
    w.client.session.cookie_jar.clear()
    login_page = await w.client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await login_page.text())
    assert token
    r = await w.client.post("/admin/login", data={"name": "a\x00", "password": "x\x00", "csrf_token": token[1]})
    assert r.status == 401


async def test_a_document_that_cannot_render_gets_a_clear_page(world: World, monkeypatch: Any) -> None:
    w = world
    # text stored before the doors cleaned it (or by hand): the 卷宗 still opens
    await SessionRecord.create(case=w.agreed_case, held_on=YESTERDAY, content="坏\x01字符", place="", participants="")
    s = await w.console_session("admin")
    resp = await _get(w, s, f"/admin/cases/{w.agreed_case.id}/dossier.zip")
    assert resp.status == 200
    with zipfile.ZipFile(io.BytesIO(await resp.read())) as z:
        for name in z.namelist():
            Document(io.BytesIO(z.read(name)))
    # and whatever makes a renderer fail answers a clear page, not a 500
    from reports import documents

    async def broken(kind: str, case_id: int) -> bytes:
        raise ValueError("cannot render")

    monkeypatch.setattr(documents, "render", broken)
    resp = await _get(w, s, f"/admin/cases/{w.agreed_case.id}/dossier.zip")
    assert resp.status == 422 and "文书生成失败" in await resp.text()


async def test_villagers_may_write_dtd_words_and_unknown_encodings_are_refused(world: World) -> None:
    w = world
    reply = await w.say("villager", '<!DOCTYPE x [<!ENTITY a "b">]> 邻居欠钱不还怎么办')
    assert reply  # answered like any text
    sim = WeChatSimulator(TOKEN)
    body = (f'<?xml version="1.0" encoding="bogus"?><xml><ToUserName>gh</ToUserName>'
            f'<FromUserName>o-x</FromUserName><CreateTime>{int(time.time())}</CreateTime>'
            '<MsgType>text</MsgType><Content>hi</Content><MsgId>42</MsgId></xml>')
    req = sim.sign(body)
    resp = await w.client.post("/wechat", params=req.query, data=body.encode())
    assert resp.status == 400


def test_clean_text_keeps_newlines_and_tabs() -> None:
    assert clean_text("一\r\n二\t三\x00\x0b\x85\ud800") == "一\n二\t三"
