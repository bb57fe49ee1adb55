"""The dashboard in Debian's Chromium (Playwright): log in, pick a period and a village, see charts; screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from models.core import Role
from tests.admin.conftest import PASSWORD, make_staff
from tests.report.seed import seed

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
ARTIFACTS.mkdir(exist_ok=True)

pytestmark = pytest.mark.browser


async def test_dashboard_in_chromium(console: Any) -> None:
    if not HAVE_CHROMIUM:
        pytest.fail("Debian's chromium is required: apt-get install -y chromium", pytrace=False)
    client, town = console
    await seed()
    await make_staff("所长", Role.ADMIN, town)
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            await page.goto(f"{base}/admin/stats?year=2023")
            await page.fill("input[name=name]", "所长")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url("**/admin/stats?year=2023")
            assert await page.text_content("h1") == "江湾镇2023年统计"
            tiles = await page.inner_text("#tiles")
            assert "4600余份" in tiles and "5次" in tiles
            for img in await page.query_selector_all(".charts img"):
                assert await img.evaluate("i => i.complete && i.naturalWidth > 300")
            await page.screenshot(path=str(ARTIFACTS / "stats_dashboard.png"), full_page=True)

            await page.select_option("select[name=part]", "q2")
            await page.select_option("select[name=village]", "东山村")
            await page.click("form.filters button[type=submit]")
            await page.wait_for_load_state("networkidle")
            assert await page.text_content("h1") == "江湾镇东山村2023年第二季度统计"
            assert "东山村共有“法律明白人”5人" in await page.inner_text("#report-text")

            async with page.expect_download() as info:
                await page.click("#downloads a[data-format=xlsx]")
            download = await info.value
            assert download.suggested_filename.endswith(".xlsx")
            await page.set_viewport_size({"width": 390, "height": 844})
            await page.screenshot(path=str(ARTIFACTS / "stats_dashboard_phone.png"), full_page=True)
        finally:
            await browser.close()
