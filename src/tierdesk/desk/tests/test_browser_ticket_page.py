"""An agent works a ticket in a Korean Chromium: triages it seeing the resulting priority
before saving, inserts a canned response and replies mentioning a colleague, sets the
solution the requester named only in words, and merges a duplicate after previewing it.
Screenshots at 1400 and 390 px go to $TIERDESK_SCREENSHOTS (default var/screenshots/)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import Org
from tierdesk.accounts.models import User
from tierdesk.desk import services
from tierdesk.desk.choices import TicketStatus, Topic
from tierdesk.desk.models import CannedResponse, Ticket
from tierdesk.desk.tests.factories import ticket
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel
from tierdesk.notify.models import InboxItem

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[4]
SHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS", ROOT / "var" / "screenshots"))
AXE = ROOT / "var" / "axe" / "node_modules" / "axe-core"


def _korean(browser: Browser, live_server: Any, username: str, width: int = 1400) -> Page:
    context = browser.new_context(
        locale="ko-KR", viewport={"width": width, "height": 900 if width > 1000 else 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"ticket-{name}-{width}.png"), full_page=True)


def _serious_axe_violations(page: Page) -> list[str]:
    script = AXE / "axe.min.js"
    assert script.exists(), "axe-core is missing: scripts/ensure-axe installs it"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(script.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    found = []
    for v in result["violations"]:
        if v["impact"] not in {"serious", "critical"}:
            continue
        targets = [n["target"] for n in v["nodes"]]
        found.append(f"{v['id']}: {targets[:3]}")
    return found


def test_an_agent_triages_replies_with_a_canned_response_sets_the_solution_and_merges(
    browser: Browser, live_server: Any, org: Org
) -> None:
    inventory.solution_update(
        solution=org.own,
        actor=None,
        expected_version=org.own.version,
        changes={"support_model": SupportModel.SELF},
    )
    User.objects.update(preferred_language="")  # everyone follows the browser: Korean
    requester = org.users["requester"]
    CannedResponse.objects.create(
        title="확인 중 안내",
        body="{{ requester.name }}님, {{ ticket.id }} 요청을 확인하고 있습니다.",
    )
    # The requester named the app only in words; it reached the help desk as a P4.
    t = ticket(
        requester=requester,
        subject="영업 일지 저장 버튼이 동작하지 않아요",
        description="영업 일지 앱에서 저장을 누르면 오류가 납니다.",
        topic=Topic.BUG,
    )
    earlier = ticket(requester=org.users["member"], subject="영업 일지 저장 오류")
    services.ticket_resolve(ticket=earlier, actor=org.users["agent"], reason="재시작으로 해결")
    assert t.priority == "p4"

    page = _korean(browser, live_server, "agent")
    page.goto(f"{live_server.url}/desk/tickets/{t.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("nav.crumbs a")).to_have_text("대기열")

    # 1. Triage opens on the ticket's own values and previews the priority.
    page.click("#move-triage summary")
    expect(page.locator("#id_triage-impact")).to_have_value("low")
    expect(page.locator("#id_triage-urgency")).to_have_value("low")
    expect(page.locator("#triage-priority")).to_contain_text("P4")
    page.select_option("#id_triage-urgency", "high")
    expect(page.locator("#triage-priority")).to_contain_text("P3 보통")
    page.select_option("#id_triage-impact", "high")
    expect(page.locator("#triage-priority")).to_contain_text("P1")
    page.select_option("#id_triage-impact", "low")
    _shot(page, "triage")
    page.click("#move-triage button[type=submit]")
    expect(page.locator("#priority")).to_contain_text("P3")
    assert Ticket.objects.get(pk=t.pk).priority == "p3"

    # 2. A canned response goes into the reply box; the agent mentions a colleague.
    page.select_option("#canned-select", label="확인 중 안내")
    page.click("#canned-insert")
    reply = page.locator("#reply-body")
    expect(reply).to_have_value(f"{requester}님, {t.number} 요청을 확인하고 있습니다.")
    assert "?canned=" not in page.url  # inserted in place, no reload
    reply.press("End")
    reply.type(" @platform 로그 확인 부탁드립니다.")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text("@platform")
    expect(page.locator("#timeline")).to_contain_text("요청을 확인하고 있습니다")
    assert Ticket.objects.get(pk=t.pk).watchers.filter(username="platform").exists()
    assert InboxItem.objects.filter(recipient=org.users["platform"], key__endswith=":mention")

    # 3. The agent attaches the solution the requester named in words.
    solution_box = page.locator("#move-set_solution")
    expect(solution_box).to_have_attribute("open", "")
    page.locator("#id_set_solution-solution").press_sequentially("영업", delay=50)
    page.locator("#move-set_solution [role=option]").filter(has_text=org.own.name).click()
    page.fill("#id_set_solution-reason", "본문에 앱 이름이 있음")
    page.click("#move-set_solution button[type=submit]")
    expect(page.locator("#solution-name")).to_have_text(org.own.name)
    expect(page.locator("#timeline")).to_contain_text("솔루션 지정")
    _shot(page, "worked")
    problems = _serious_axe_violations(page)

    # 4. Merge: search, preview (the resolved target will reopen), confirm.
    page.click("#merge-link")
    page.fill("#merge-q", "저장 오류")
    page.click("#merge-search button[type=submit]")
    expect(page.locator("#candidates")).to_contain_text(str(earlier.number))
    expect(page.locator("#candidates")).to_contain_text("해결됨")
    page.click(f"a[href='/desk/tickets/{t.pk}/merge/{earlier.pk}/']")
    expect(page.locator("#preview")).to_contain_text("영업 일지 저장 오류")
    expect(page.locator("#reopen-warning")).to_be_visible()
    _shot(page, "merge-preview")
    problems += _serious_axe_violations(page)
    page.click("#confirm-merge")
    page.wait_for_url(f"**/desk/tickets/{earlier.pk}/")
    target = Ticket.objects.get(pk=earlier.pk)
    assert target.is_open and target.status == TicketStatus.IN_PROGRESS
    assert Ticket.objects.get(pk=t.pk).merged_into_id == earlier.pk
    expect(page.locator("#timeline")).to_contain_text("다시 열림")

    # The same pages on a phone: one column, no sideways scrolling.
    phone = _korean(browser, live_server, "agent", width=390)
    for path, name in (
        (f"/desk/tickets/{earlier.pk}/", "phone"),
        (f"/desk/tickets/{t.pk}/merge/?q=저장", "merge-search"),
    ):
        phone.goto(f"{live_server.url}{path}")
        sideways = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, f"{name} scrolls sideways by {sideways} px"
        _shot(phone, name)
    problems += _serious_axe_violations(phone)
    assert not problems, problems
