"""The console's 排查 page: figures of the year, overdue villages, logging and withdrawing, roles."""

from __future__ import annotations

import datetime as dt

from knowledge.wording.dates import today
from models.core import Role, Village
from models.screening_tables import Screening, ScreeningSource
from services.screening import create_screening
from tests.admin.conftest import csrf_from, login, make_staff


async def test_admin_logs_and_withdraws_and_sees_overdue_villages(console) -> None:
    client, town = console
    east = await Village.create(town=town, name="东村")
    await Village.create(town=town, name="西村")
    await make_staff("所长", Role.ADMIN, town)
    await login(client, "所长")
    page = await client.get("/admin/screenings")
    html = await page.text()
    assert page.status == 200 and "还没有排查记录" in html and "东村：还没有登记过排查" in html
    last_year = dt.date(today().year - 1, 6, 1)
    form = {"csrf_token": csrf_from(html), "date": last_year.isoformat(), "level": "village",
            "village": str(east.id), "scope": "全村", "found": "3", "resolved": "2", "registered": "1"}
    r = await client.post("/admin/screenings", data=form)
    assert "已保存排查记录" in await r.text()
    again = await client.post("/admin/screenings", data=form)
    assert "已经登记过" in await again.text()
    bad = await client.post("/admin/screenings", data={**form, "registered": "2"})
    assert "不能超过" in await bad.text()
    future = await client.post("/admin/screenings", data={**form, "date": "2999-01-01"})
    assert "未来" in await future.text()
    assert await Screening.all().count() == 1
    year_page = await (await client.get(f"/admin/screenings?year={last_year.year}")).text()
    assert "排查1次" in year_page and "发现矛盾纠纷3件" in year_page
    s = await Screening.get()
    r = await client.post(f"/admin/screenings/{s.id}/withdraw", data={"csrf_token": csrf_from(year_page)})
    assert "已撤回" in await r.text()
    assert (await Screening.get()).withdrawn


async def test_mediators_read_and_other_towns_are_out_of_reach(console) -> None:
    client, town = console
    from models.core import Town

    other = await Town.create(name="别镇")
    far = await Village.create(town=other, name="远村")
    row = await create_screening(other.id, None, {"date": dt.date(2026, 3, 1), "village_id": far.id, "found": 1},
                                 source=ScreeningSource.IMPORT, today=dt.date(2026, 3, 1))
    await make_staff("调解员", Role.MEDIATOR, town)
    await login(client, "调解员")
    html = await (await client.get("/admin/screenings?year=2026")).text()
    assert "远村" not in html and "screening-new" not in html
    r = await client.post(f"/admin/screenings/{row.id}/withdraw", data={"csrf_token": csrf_from(html)},
                          allow_redirects=False)
    assert r.status in {302, 303, 403}
    assert not (await Screening.get(id=row.id)).withdrawn


async def test_points_page_and_its_download(console) -> None:
    client, town = console
    village = await Village.create(town=town, name="东村")
    from models.core import User

    await User.create(role=Role.HELPER, display_name="甲乙", town=town, village=village, is_core=True)
    await make_staff("所长", Role.ADMIN, town)
    await login(client, "所长")
    html = await (await client.get("/admin/points")).text()
    assert "甲乙" in html and "骨干" in html and "东村" in html
    r = await client.get(f"/admin/points.xlsx?year={today().year}")
    assert r.status == 200 and (await r.read())[:2] == b"PK"
    await make_staff("调解员", Role.MEDIATOR, town)
    other = await client.get("/admin/points")  # still the admin's session
    assert other.status == 200
