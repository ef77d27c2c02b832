"""The agent console in a Korean Chromium: j/k/o and ? in the queue, "a" takes the ticket,
a bulk assignment, and screenshots at 1400, 768 and 390 px (to var/screenshots/ or
$TIERDESK_SCREENSHOTS) with no sideways scrolling on the tablet and the phone."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import Org
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[4]
SHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS", ROOT / "var" / "screenshots"))


@pytest.fixture
def korean(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _sign_in(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def _shot(page: Page, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    if width <= 768:
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{name} at {width} px scrolls sideways by {wide} px"


def test_agent_works_the_queue_by_keyboard_and_in_bulk(
    korean: Page, live_server: Any, org: Org
) -> None:
    agent = org.users["agent"]
    agent.preferred_language = ""  # follows the browser: Korean
    agent.save(update_fields=["preferred_language"])
    requester = org.users["requester"]
    tickets = [
        ticket(requester=requester, subject=f"저장 버튼이 동작하지 않아요 {i}", urgency="high")
        for i in range(4)
    ]
    page = korean
    _sign_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/desk/queue/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator(".console-views")).to_contain_text("내 미해결")
    rows = page.locator("table[data-queue] tbody tr")
    expect(rows).to_have_count(4)

    # j / k move the current row; the ticket link has the focus.
    page.locator("body").press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bis-current\b"))
    expect(rows.nth(0)).not_to_have_class(re.compile(r"\bis-current\b"))
    focused = page.evaluate("document.activeElement.className")
    assert "ticket-link" in focused

    # ? shows the shortcut help; Escape closes it.
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("단축키")
    _shot(page, "queue-shortcuts", 1400)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Keys are not taken while typing in a field.
    page.fill("input[name=q]", "")
    page.locator("input[name=q]").press("j")
    expect(page.locator("input[name=q]")).to_have_value("j")
    page.locator("input[name=q]").fill("")
    page.locator("input[name=q]").press("Enter")  # the filter form: search nothing
    expect(rows).to_have_count(4)

    # a takes the current ticket (its "Take" button, through htmx).
    page.reload()
    page.locator("body").press("j")
    current_id = int(rows.nth(0).get_attribute("data-ticket") or 0)
    page.keyboard.press("a")
    expect(page.locator(f"#t{current_id}")).to_contain_text(str(agent))
    assert Ticket.objects.get(pk=current_id).agent_id == agent.pk

    # Bulk: tick two others and assign them to me.
    others = [t for t in tickets if t.pk != current_id][:2]
    for t in others:
        page.check(f"#t{t.pk} input[name=ticket]")
    expect(page.locator("[data-bulk-count]")).to_contain_text("선택: 2건")
    expect(page.locator("[data-bulk-for=status]")).to_be_hidden()  # only the action's fields
    page.select_option("select[name=action]", "status")
    expect(page.locator("[data-bulk-for=status]")).to_be_visible()
    page.select_option("select[name=action]", "assign_me")
    page.click("#bulk-form button[type=submit]")
    expect(page.locator("ul.messages")).to_contain_text("2건 변경")
    for t in others:
        t.refresh_from_db()
        assert t.agent_id == agent.pk

    # Select all ticks every row.
    page.check("[data-select-all]")
    assert page.locator("input[name=ticket]:checked").count() == rows.count()
    page.uncheck("[data-select-all]")

    # o opens the current ticket, with the rest of the page as its "next" chain.
    page.reload()
    page.locator("body").press("j")
    first_id = rows.nth(0).get_attribute("data-ticket")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(rf"/desk/tickets/{first_id}/\?next=\d+"))

    page.goto(f"{live_server.url}/desk/queue/")
    for width in (1400, 768, 390):
        _shot(page, "queue", width)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#work-title")).to_have_text("내 작업")
    for width in (1400, 768, 390):
        _shot(page, "home-agent", width)
