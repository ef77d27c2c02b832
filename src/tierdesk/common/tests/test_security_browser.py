"""In a real browser the Content-Security-Policy blocks nothing tierdesk needs: pages, htmx,
the language switch, the admin and the Swagger UI work, with no violation reported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from conftest import Org

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    yield page, violations
    context.close()


def _login(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_pages_htmx_and_the_language_switch_run_under_the_policy(
    page: tuple[Page, list[str]], live_server: Any, org: Org
) -> None:
    browser_page, violations = page
    _login(browser_page, live_server, "admin")
    browser_page.goto(f"{live_server.url}/inventory/solutions/")
    browser_page.fill("input[name=q]", "영업")  # htmx swaps the table in place
    expect(browser_page.locator("#solution-table")).not_to_contain_text("Line check")
    # htmx inserted no <style> of its own; app.css hides the indicator.
    assert browser_page.locator("head style").count() == 0
    assert not browser_page.locator("#loading").is_visible()
    # The language switch submits on change from app.js (no inline handler).
    # the switch submits through app.js (deferred): wait until the page has run it
    browser_page.wait_for_load_state("load")
    browser_page.select_option("#language-select", "ko")
    expect(browser_page.locator("html")).to_have_attribute("lang", "ko")
    for path in (
        "/admin/",
        f"/admin/accounts/user/{org.users['maker'].pk}/change/",
        "/admin/accounts/supportteam/add/",
    ):
        browser_page.goto(f"{live_server.url}{path}")
        expect(browser_page.locator("#site-name")).to_be_visible()
    assert violations == []


def test_the_swagger_ui_runs_under_its_own_policy(
    page: tuple[Page, list[str]], live_server: Any, org: Org
) -> None:
    browser_page, violations = page
    _login(browser_page, live_server, "maker")
    browser_page.goto(f"{live_server.url}/api/docs/")
    expect(browser_page.locator(".swagger-ui .info .title")).to_contain_text("tierdesk API")
    expect(browser_page.locator(".opblock-tag-section").first).to_be_visible()
    # Opening an operation draws icons from data: URIs (img-src) and runs more script.
    browser_page.locator(".opblock-summary").first.click()
    browser_page.locator("button.try-out__btn").first.click()
    expect(browser_page.locator(".execute-wrapper button").first).to_be_visible()
    assert violations == []
