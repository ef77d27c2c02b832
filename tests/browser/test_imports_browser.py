"""An admin, in Korean, in Chromium: uploads the exports PowerShell wrote (UTF-16, `@{…}`
cells), reads the run in words, sees what was not read, builds a column mapping from a
sample — at a desktop width and at a phone's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tierdesk.accounts.models import User
from tierdesk.inventory.models import Solution

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
UTF16 = SAMPLES / "field" / "04-utf16-redirect" / "input"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser: Browser, width: int) -> Page:
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _login(page: Page, live_server: Any) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    admin.preferred_language = "ko"
    admin.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")


@pytest.mark.parametrize("width", [1400, 390])
def test_an_admin_uploads_powershell_exports_and_reads_the_run(
    browser: Browser, live_server: Any, width: int
) -> None:
    page = _page(browser, width)
    _login(page, live_server)
    page.goto(f"{live_server.url}/inventory/imports/")
    expect(page.locator("h1")).to_have_text("가져오기")
    expect(page.locator("section.empty")).to_contain_text("아직")
    page.click("main a.button")
    page.set_input_files("#id_upload", [str(p) for p in sorted(UTF16.iterdir())])
    page.click("main button[type=submit]")
    expect(page.locator("h1 .badge")).to_have_text("가져옴")
    expect(page.locator("main")).to_contain_text("관리 PowerShell")
    expect(page.locator("main")).to_contain_text("추가된 솔루션")
    expect(page.locator("main")).to_contain_text("읽지 않은 열")
    expect(page.locator("main")).to_contain_text("UTF-16 LE")
    assert Solution.objects.count() == 2
    # Nothing spills out of the page at a phone's width: wide tables scroll in their box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.context.close()


def test_an_admin_builds_a_column_mapping_from_a_sample(browser: Browser, live_server: Any) -> None:
    page = _page(browser, 1400)
    _login(page, live_server)
    page.goto(f"{live_server.url}/inventory/imports/mappings/")
    page.click("main a.button")
    page.fill("#id_name", "contoso-register")
    page.set_input_files("#id_sample", str(SAMPLES / "generic" / "solutions.csv"))
    page.click("button[name=read]")
    expect(page.locator("main")).to_contain_text("열 제목 9개")
    page.fill("#column-id", "Solution ID")
    page.fill("#column-env", "Environment")
    page.fill("#column-name", "Title")
    page.fill("textarea[name=values-kind]", "App = canvas_app\nModel app = model_driven_app")
    page.set_input_files("#id_sample", [])
    page.click("main button.primary")
    expect(page.locator(".messages")).to_contain_text("contoso-register")
    expect(page.locator("table.data")).to_contain_text("Solution ID")
    page.context.close()
