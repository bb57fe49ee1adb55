"""/admin/stats over HTTP: figures, village and period pickers, charts, downloads, permissions."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl

from models.core import Role, Town
from tests.admin.conftest import login, make_staff
from tests.report.seed import seed


async def _client(console: Any, role: Role = Role.ADMIN, name: str = "所长") -> Any:
    client, town = console
    await seed()
    await make_staff(name, role, town)
    await login(client, name)
    return client


async def test_page_shows_the_figures(console: Any) -> None:
    client = await _client(console)
    resp = await client.get("/admin/stats?year=2023")
    assert resp.status == 200
    html = await resp.text()
    assert "江湾镇2023年统计" in html
    assert "4600余份" in html and "精确数 4637" in html
    assert "1个村尚未实现每10户至少有一名“法律明白人”骨干（西河村）" in html
    assert "差2人" in html and "不足3名" in html
    assert 'src="/admin/stats/chart/months.png?year=2023&amp;town=%E6%B1%9F%E6%B9%BE%E9%95%87"' in html
    resp = await client.get("/admin/stats?year=2023&part=q2&village=东山村")
    html = await resp.text()
    assert "江湾镇东山村2023年第二季度统计" in html
    assert 'id="report-warning"' not in html
    html = await (await client.get("/admin/stats?year=2020")).text()  # nothing recorded that year
    assert 'id="report-warning"' in html and "2020年没有任何活动、纠纷或咨询记录" in html


async def test_charts_and_downloads(console: Any) -> None:
    client = await _client(console)
    for name in ("months", "types"):
        resp = await client.get(f"/admin/stats/chart/{name}.png?year=2023")
        assert resp.status == 200 and resp.content_type == "image/png"
        assert (await resp.read()).startswith(b"\x89PNG")
    resp = await client.get("/admin/stats/download?year=2023&format=text")
    assert resp.status == 200 and "发放各类普法宣传资料4600余份" in await resp.text()
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    resp = await client.get("/admin/stats/download?year=2023&format=docx")
    d = docx.Document(io.BytesIO(await resp.read()))
    assert d.paragraphs[0].text == "江湾镇2023年法治建设工作情况"
    resp = await client.get("/admin/stats/download?year=2023&format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(await resp.read()))
    assert wb.sheetnames == ["汇总", "活动明细", "纠纷明细", "覆盖情况"]
    assert (await client.get("/admin/stats/download?year=2023&format=exe")).status == 400
    assert (await client.get("/admin/stats/chart/nope.png?year=2023")).status == 404


async def test_town_admin_is_held_to_their_town(console: Any) -> None:
    client = await _client(console)
    html = await (await client.get("/admin/stats?year=2023&town=白沙镇")).text()
    assert "江湾镇2023年统计" in html and "白沙镇" not in html


async def test_county_admin_sees_every_town(console: Any) -> None:
    client = await _client(console, Role.COUNTY_ADMIN, "县局")
    html = await (await client.get("/admin/stats?year=2023")).text()
    assert "全县2023年统计" in html and "各乡镇对比" in html
    html = await (await client.get("/admin/stats?year=2023&town=白沙镇")).text()
    assert "白沙镇2023年统计" in html


async def test_mediators_and_strangers_are_refused(console: Any) -> None:
    client, town = console
    anon = await client.get("/admin/stats", allow_redirects=False)
    assert anon.status == 302 and "/admin/login" in anon.headers["Location"]
    await make_staff("调解员", Role.MEDIATOR, await Town.get(id=town.id))
    await login(client, "调解员")
    assert (await client.get("/admin/stats")).status == 403
