"""Real browser: headless Chromium from the machine's package, driven by Playwright.

These never skip: without Chromium they fail (scripts/ensure-chromium installs it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import Org
from tierdesk.common import clock
from tierdesk.inventory import services

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _login(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_log_in_switch_to_korean_open_a_solution_and_see_its_chart(
    page: Page, live_server: Any, org: Org
) -> None:
    for offset in range(14):
        services.usage_fact_record(
            solution=org.own,
            date=clock.today() - dt.timedelta(days=offset),
            source="browser",
            measures={"unique_users": 3 + offset % 4, "sessions": 5 + offset},
        )
    _login(page, live_server, "maker")
    # The stylesheet is served (from the package, by WhiteNoise) and applied.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    # the switch submits through app.js (deferred): wait until the page has run it
    page.wait_for_load_state("load")
    page.select_option("#language-select", "ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("nav[aria-label]")).to_contain_text("솔루션")
    page.click("nav >> text=솔루션")
    expect(page.locator("h1")).to_have_text("솔루션")
    page.click(f"a[href='/inventory/solutions/{org.own.pk}/']")
    expect(page.locator("h1")).to_contain_text("영업 일지")
    chart = page.locator("#usage svg.chart")
    expect(chart).to_be_visible()
    assert page.locator("#usage polyline").count() == 2
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80
    # Someone else's solution stays invisible, also in the browser.
    response = page.goto(f"{live_server.url}/inventory/solutions/{org.other.pk}/")
    assert response is not None and response.status == 404


def test_filters_update_the_list_in_place(page: Page, live_server: Any, org: Org) -> None:
    _login(page, live_server, "admin")
    page.goto(f"{live_server.url}/inventory/solutions/")
    expect(page.locator("#solution-table")).to_contain_text("Line check")
    page.fill("input[name=q]", "영업")
    expect(page.locator("#solution-table")).not_to_contain_text("Line check")
    expect(page.locator("#solution-table")).to_contain_text("영업 일지")
    assert "q=" in page.url  # the filtered view can be bookmarked and shared
