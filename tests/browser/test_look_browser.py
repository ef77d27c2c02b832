"""The look in Chromium, in Korean, at a desktop's width and a phone's: a person who never
chose a language gets Korean from the browser; the skip link comes first; no page scrolls
sideways at 390 px; form errors name the field; screenshots for a reviewer
(TIERDESK_SCREENSHOTS, else the test's temporary directory)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tierdesk.accounts.models import User
from tierdesk.accounts.services import team_add_member
from tierdesk.accounts.tests.factories import SupportTeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("profile", "/accounts/profile/"),
    ("sla", "/sla/"),
    ("oncall", "/sla/on-call/"),
    ("imports", "/inventory/imports/"),
    ("upload", "/inventory/imports/upload/"),
    ("mapping", "/inventory/imports/mappings/new/"),
    ("notfound", "/inventory/solutions/999999/"),
]


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TIERDESK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px too wide"


@pytest.mark.parametrize("width", [1400, 390])
def test_pages_in_korean_at_desktop_and_phone_widths(
    browser: Browser, live_server: Any, tmp_path: Path, width: int
) -> None:
    shots = _shots(tmp_path)
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    assert admin.preferred_language == ""  # never chose: the browser decides
    team_add_member(team=SupportTeamFactory.create(kind="platform", business_unit=None), user=admin)
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    first = page.evaluate(
        "document.querySelector('a[href], button, input:not([type=hidden]), select, textarea')"
        ".className"
    )
    assert first == "skip-link"
    page.screenshot(path=str(shots / f"login-{width}.png"), full_page=True)
    _no_sideways_scroll(page)
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    page.goto(f"{live_server.url}/accounts/profile/")
    page.keyboard.press("Tab")  # the first Tab reaches the skip link
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_have_text("본문으로 건너뛰기")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    for name, path in PAGES:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "ko")
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        _no_sideways_scroll(page)
    expect(page.locator("main h1")).to_have_text("페이지를 열 수 없습니다")

    # a form error names the field by its label, next to the field
    page.goto(f"{live_server.url}/inventory/imports/mappings/new/")
    page.fill("#id_name", "이름 공백")
    page.click("main button[name=read]")  # formnovalidate: the server checks the form
    expect(page.locator(".field.has-error")).to_contain_text("이름")
    assert page.get_attribute("#id_name", "aria-invalid") == "true"
    assert "id_name_error" in (page.get_attribute("#id_name", "aria-describedby") or "")
    page.screenshot(path=str(shots / f"mapping-error-{width}.png"), full_page=True)
    _no_sideways_scroll(page)
    context.close()
