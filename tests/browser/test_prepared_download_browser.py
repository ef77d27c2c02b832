"""An admin downloads a large CoE table in a real browser, in Korean, at 1400 and 390 px:
on 사용되지 않는 솔루션 they choose XLSX; the table is larger than a page writes at once (the
threshold is lowered for the test), so they land on the download's page, which follows
the background run and then offers the file; the file has the table's Korean headers and
every row. Another person opening the same address gets 404.

Every page passes axe-core with no serious or critical violation and, at 390 px, does not
scroll sideways; screenshots go to var/screenshots (`admin-download-…`)."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from conftest import Org
from tests.browser.persona import NARROW, WIDE, Persona
from tierdesk.common import clock
from tierdesk.insights import prepared
from tierdesk.inventory.tests.factories import SolutionFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_an_admin_follows_a_prepared_download_to_its_file(
    browser: Browser, live_server: Any, org: Org, width: int, monkeypatch: Any, settings: Any
) -> None:
    monkeypatch.setattr(prepared, "PREPARE_ABOVE", 3)
    settings.TIERDESK_DOWNLOADS_IN_BACKGROUND = True
    long_ago = clock.now() - dt.timedelta(days=400)
    for n in range(6):
        SolutionFactory.create(
            environment=org.env_sales,
            business_unit=org.sales,
            name=f"오래된 영업 앱 {n}",
            platform_created_at=long_ago,
            last_used_at=long_ago,
        )
    admin = org.users["admin"]
    admin.preferred_language = ""
    admin.save()

    persona = Persona(browser, SimpleNamespace(url=live_server.url), "admin", width)  # type: ignore[arg-type]
    try:
        page = persona.page
        page.goto("/accounts/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "pw")
        page.locator("main button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

        page.goto("/insights/coe/unused/")
        expect(page.locator("main h1")).to_contain_text("사용되지 않는 솔루션")
        page.locator("#coe-export-xlsx").click()
        expect(page).to_have_url(re.compile(r"/insights/downloads/\d+/$"))
        expect(page.locator("main h1")).to_contain_text("다운로드: 사용되지 않는 솔루션")
        link = page.locator("main a.button.primary", has_text="다운로드")
        expect(link).to_be_visible(timeout=20_000)  # the page follows the run
        expect(page.locator("main")).to_contain_text("파일이 준비되었습니다")
        persona.check("download", no_sideways_scroll=True)

        with page.expect_download() as info:
            link.click()
        download = info.value
        assert re.fullmatch(
            r"unused-solutions-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename
        )
        sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active  # noqa: SIM115
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "솔루션"
        assert {r[0] for r in rows[1:]} >= {f"오래된 영업 앱 {n}" for n in range(6)}

        page.locator("main a", has_text="표로 돌아가기").click()
        expect(page).to_have_url(re.compile(r"/insights/coe/unused/"))
        address = page.url
    finally:
        persona.close()
    assert persona.problems() == []

    other = Persona(browser, SimpleNamespace(url=live_server.url), "platform", width)  # type: ignore[arg-type]
    try:
        page = other.page
        page.goto("/accounts/login/")
        page.fill("#id_username", "platform")
        page.fill("#id_password", "pw")
        page.locator("main button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        from tierdesk.insights.models import PreparedDownload

        pk = PreparedDownload.objects.order_by("-pk").values_list("pk", flat=True).first()
        response = page.goto(f"/insights/downloads/{pk}/")
        assert response is not None and response.status == 404
        assert address
    finally:
        other.close()
