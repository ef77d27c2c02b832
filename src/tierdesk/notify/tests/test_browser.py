"""The bell, the notification centre and the outbox in Chromium, in Korean, at 1400 and
390 px: what a person does (sees the count, opens one, marks the rest read), axe-core finds
no serious or critical violation, and nothing scrolls sideways on a phone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import Org
from tierdesk.notify import services
from tierdesk.notify.choices import Channel, DeliveryStatus
from tierdesk.notify.models import InboxItem, Notification

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SCREENSHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS", ROOT / "var" / "screenshots"))


@pytest.fixture(params=[1400, 390])
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="ko-KR", viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _login(page: Page, live_server: Any, username: str) -> None:
    """Sign in as someone who has not chosen a language: the browser's Korean applies."""
    from tierdesk.accounts.models import User

    User.objects.filter(username=username).update(preferred_language="")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _checked(page: Page, name: str) -> None:
    """axe-core's serious and critical findings, sideways scrolling, a screenshot."""
    assert AXE.is_file(), "scripts/ensure-axe installs axe-core"
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    bad = [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert bad == [], (name, bad)
    sideways = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0, (name, sideways)
    width = page.viewport_size["width"] if page.viewport_size else 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"notify-{name}-{width}.png"), full_page=True)


def test_a_person_reads_their_notifications(page: Page, live_server: Any, org: Org) -> None:
    maker = org.users["maker"]
    for i in range(3):
        services.inbox_post(
            recipient=maker,
            key=f"ticket:{i}",
            subject=f"[TD-00000{i}] 새 답변이 달렸습니다: 영업 일지가 열리지 않아요",
            url="/notifications/?from=bell",
            body="상담원이 답변했습니다.\n확인해 주세요.",
        )
    _login(page, live_server, "maker")
    bell = page.locator("a.bell")
    expect(bell).to_have_attribute("aria-label", "읽지 않은 알림 3개")
    bell.click()
    expect(page.locator("h1")).to_have_text("알림")
    expect(page.locator(".inbox-item.unread")).to_have_count(3)
    _checked(page, "centre")
    page.locator(".inbox-item .subject").first.click()  # opens it: marked read
    expect(page.locator("a.bell")).to_have_attribute("aria-label", "읽지 않은 알림 2개")
    page.get_by_role("button", name="모두 읽음으로 표시").click()
    expect(page.locator("ul.messages")).to_contain_text("알림 2개를 읽음으로 표시했습니다")
    expect(page.locator(".inbox-item.unread")).to_have_count(0)
    expect(page.locator("a.bell")).to_have_attribute("aria-label", "알림: 읽지 않은 알림 없음")
    assert InboxItem.objects.filter(read_at__isnull=True).count() == 0


def test_the_platform_team_reads_the_outbox(page: Page, live_server: Any, org: Org) -> None:
    failed, _ = services.notification_enqueue(
        key="ticket:1:1:team1:teams",
        channel=Channel.TEAMS,
        address="https://hooks.example/secret",
        subject="TD-000001 · P2 · 새 티켓",
        body="영업 일지가 열리지 않아요",
    )
    Notification.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.DEAD, attempts=8, last_error="Teams answered 400"
    )
    services.notification_enqueue(
        key="ticket:1:1:maker:email",
        channel=Channel.EMAIL,
        address="maker.with.a.rather.long.address@hanbit.example",
        recipient=org.users["maker"],
        subject="[TD-000001] 새 티켓이 배정되었습니다: 영업 일지가 열리지 않아요",
        body="새 티켓이 배정되었습니다.\n\nhttp://127.0.0.1:8000/desk/tickets/1/",
    )
    _login(page, live_server, "platform")
    page.goto(f"{live_server.url}/notifications/outbox/")
    expect(page.locator("h1")).to_have_text("발송함")
    expect(page.locator("table.outbox")).to_contain_text("전송 포기")
    _checked(page, "outbox")
    page.select_option("select[name=status]", "dead")
    page.get_by_role("button", name="필터").click()
    expect(page.locator("table.outbox tbody tr")).to_have_count(1)
    page.locator("table.outbox tbody a").first.click()
    expect(page.locator(".messages")).to_contain_text("Teams answered 400")
    _checked(page, "outbox-detail")
