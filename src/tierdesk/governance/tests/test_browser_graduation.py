"""A graduation walked end to end in Chromium by the demo `maker` and `platform` accounts:
request → checklist → approval → handover acknowledged → tier and support model changed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tierdesk.demo.builder import build
from tierdesk.governance.choices import GraduationStatus
from tierdesk.governance.demo import demo_build
from tierdesk.governance.models import GraduationRequest
from tierdesk.inventory.choices import SupportModel, Tier
from tierdesk.inventory.models import Solution

pytestmark = pytest.mark.browser


def _page_for(browser: Browser, live_server: Any, username: str) -> Page:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "ko" if username == "maker" else "en")
    # The demo maker reads Korean; this walk-through checks the English wording.
    # the switch submits through app.js (deferred): wait until the page has run it
    page.wait_for_load_state("load")
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


def test_graduation_end_to_end_in_the_browser(browser: Browser, live_server: Any) -> None:
    build(size="small")
    demo_build()
    busy = set(GraduationRequest.objects.values_list("solution_id", flat=True))
    solution = (
        Solution.objects.filter(
            maker__username="maker", is_deleted=False, tier__in=["", Tier.PRODUCTIVITY]
        )
        .exclude(id__in=busy)
        .order_by("id")
        .first()
    )
    assert solution is not None

    maker = _page_for(browser, live_server, "maker")
    maker.goto(f"{live_server.url}/governance/solutions/{solution.pk}/")
    maker.click("#request-graduation")
    maker.select_option("#id_target_tier", Tier.CRITICAL)
    maker.fill("#id_justification", "The whole sales unit relies on it **every day**.")
    maker.click("form.card button[type=submit]")
    expect(maker.locator("#graduation-status")).to_have_text("Checklist in progress")
    expect(maker.locator("strong")).to_contain_text("every day")
    rows = maker.locator("#checklist tbody tr")
    expect(rows).to_have_count(8)
    for index in range(8):
        row = maker.locator("#checklist tbody tr").nth(index)
        row.locator("input[name=evidence]").fill(f"https://wiki.example/app/{index}")
        row.locator("button").click()
        expect(maker.locator("#checklist tbody tr").nth(index)).to_contain_text("✔")
    maker.click("#submit-graduation")
    expect(maker.locator("#graduation-status")).to_have_text("Waiting for the platform team")
    graduation_url = maker.url
    maker.context.close()

    platform = _page_for(browser, live_server, "platform")
    platform.goto(f"{live_server.url}/governance/")
    expect(platform.locator("#graduations")).to_contain_text(solution.name)
    platform.goto(graduation_url)
    platform.click("#approve-graduation")
    expect(platform.locator("#graduation-status")).to_have_text("Approved, waiting for handover")
    platform.click("#acknowledge-handover")
    expect(platform.locator("#graduation-status")).to_have_text("Handed over")
    expect(platform.locator("#actions")).to_contain_text("released from first-line support")
    platform.goto(f"{live_server.url}/governance/solutions/{solution.pk}/")
    expect(platform.locator("#confirmed-tier")).to_contain_text("Critical")
    expect(platform.locator("#support-model")).to_have_text("Formal support")
    expect(platform.locator(".timeline")).to_contain_text("Handover acknowledged")
    platform.context.close()

    solution.refresh_from_db()
    assert solution.tier == Tier.CRITICAL
    assert solution.support_model == SupportModel.FORMAL
    assert solution.supporting_team is not None and solution.supporting_team.kind == "platform"
    graduation = GraduationRequest.objects.get(solution=solution)
    assert graduation.status == GraduationStatus.COMPLETED
