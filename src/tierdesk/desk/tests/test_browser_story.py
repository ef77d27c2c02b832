"""The issue's story in a real browser: a user files from the solution's embedded form;
the ticket lands with the maker of a self-supported app; the maker escalates to the help
desk; the help desk escalates to the platform team, who records the service-health check
and opens a vendor case; the ticket is resolved; the requester reads the whole story in
Korean."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import Org
from tierdesk.accounts.choices import SupportType
from tierdesk.common import clock
from tierdesk.desk.choices import TicketStatus
from tierdesk.desk.models import DeskSettings, Ticket, VendorCase
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel

pytestmark = pytest.mark.browser


def _as(browser: Browser, live_server: Any, username: str) -> Page:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _move(page: Page, move: str, fields: dict[str, str]) -> None:
    page.click(f"#move-{move} summary")
    for name, value in fields.items():
        selector = f"[name='{move}-{name}']"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click(f"#move-{move} button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()


def test_a_ticket_climbs_the_ladder_and_the_requester_reads_it_in_korean(
    browser: Browser, live_server: Any, org: Org
) -> None:
    inventory.solution_update(
        solution=org.own,
        actor=None,
        expected_version=org.own.version,
        changes={"support_model": SupportModel.SELF},
    )
    DeskSettings.objects.update_or_create(pk=1, defaults={"embed_min_fill_seconds": 1})
    requester = org.users["requester"]
    requester.preferred_language = "ko"
    requester.save(update_fields=["preferred_language"])

    # 1. The requester files from the form embedded in the solution, in Korean.
    page = _as(browser, live_server, "requester")
    response = page.goto(f"{live_server.url}/desk/embed/{org.own.platform_id}/?lang=ko")
    assert response is not None and response.status == 200
    assert "frame-ancestors" in (response.headers.get("content-security-policy") or "")
    assert "x-frame-options" not in response.headers
    expect(page.locator("h1")).to_contain_text("영업 일지 도움 요청")
    page.fill("#id_subject", "저장 버튼이 동작하지 않아요")
    page.fill("#id_description", "영업 일지에서 **저장**을 누르면 오류가 납니다.")
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    page.click("button[type=submit]")
    expect(page.locator("#done")).to_contain_text("요청 번호는 TD-")
    ticket = Ticket.objects.get(subject="저장 버튼이 동작하지 않아요")
    assert ticket.channel == "embed" and ticket.requester == requester

    # 2. It lands with the maker of the self-supported app, who escalates to the help desk.
    assert (ticket.level, ticket.agent) == (SupportType.SELF, org.users["maker"])
    maker = _as(browser, live_server, "maker")
    maker.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    expect(maker.locator("#level")).to_have_text("Self")
    _move(maker, "escalate", {"reason": "권한 설정 문제로 보입니다"})
    expect(maker.locator("#level")).to_have_text("Help desk")

    # 3. The help desk escalates to the platform team.
    agent = _as(browser, live_server, "agent")
    agent.goto(f"{live_server.url}/desk/queue/")
    expect(agent.locator("#queue")).to_contain_text(str(ticket.number))
    agent.click(f"a[href='/desk/tickets/{ticket.pk}/']")
    _move(agent, "escalate", {"reason": "플랫폼 결함이 의심됩니다"})
    expect(agent.locator("#level")).to_have_text("Platform team")

    # 4. The platform team records the service-health check and opens a vendor case.
    platform = _as(browser, live_server, "platform")
    platform.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    checked = timezone.localtime(clock.now() - dt.timedelta(hours=1))
    _move(
        platform,
        "vendor_case",
        {
            "health_checked_at": checked.strftime("%Y-%m-%dT%H:%M"),
            "health_result": "healthy",
            "health_link": "https://admin.microsoft.com/servicehealth",
            "external_number": "2611290040000123",
        },
    )
    expect(platform.locator("#cases")).to_contain_text("2611290040000123")
    case = VendorCase.objects.get(ticket=ticket)
    assert case.filed_by == org.users["platform"] and case.health_result == "healthy"
    assert case.health_checked_at is not None and case.health_checked_at < case.filed_at

    # 5. The vendor's fix arrives; the platform team resolves the ticket.
    _move(platform, "resolve", {"reason": "공급업체 수정 배포 후 정상 동작 확인"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED

    # 6. The requester reads the whole story in Korean.
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#status")).to_have_text("해결됨")
    story = page.locator("#timeline")
    for text in (
        "생성됨",
        "자체 지원 솔루션이므로 제작자가 답변합니다.",
        "에스컬레이션됨",
        "권한 설정 문제로 보입니다",
        "헬프 데스크",
        "플랫폼 결함이 의심됩니다",
        "전담 플랫폼 팀",
        "공급업체 케이스 접수",
        "먼저 확인한 서비스 상태: 알려진 문제 없음",
        "해결됨",
        "공급업체 수정 배포 후 정상 동작 확인",
    ):
        expect(story).to_contain_text(text)
    assert story.locator("li.event-escalated").count() == 2
    # A resolved ticket: its requester may confirm it (close) or reopen it, nothing else.
    expect(page.locator("#moves")).to_have_count(1)
    expect(page.locator("#moves summary")).to_have_text(["내 요청 닫기", "다시 열기"])
