"""The requester's day in Korean Chromium, at 1400 and 390 px: file through the portal
(naming the app by part of its name and picking it), find it in "my requests", file
through the form embedded in the app — sent too fast once, kept and sent again, with a
screenshot — and follow the thank-you link to the ticket. No requester page scrolls
sideways; screenshots go to $TIERDESK_SCREENSHOTS (var/screenshots/) for a reviewer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Frame, Page, expect

from conftest import Org
from tests.browser.persona import AXE, AXE_TAGS
from tierdesk.desk.models import DeskSettings, Ticket, TicketAttachment

pytestmark = pytest.mark.browser

# Where the persona tests write theirs too (tests/browser/persona.py); TIERDESK_SCREENSHOTS
# moves them (the reviewers read /tmp/hc/).
ROOT = Path(__file__).resolve().parents[4]
SHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS", ROOT / "var" / "screenshots"))
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
HOST_PAGE = "/__frame_host__/"


def _no_sideways_scroll(where: Page | Frame, name: str) -> None:
    width = where.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width[0]} > {width[1]} px"


def _shot(page: Page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{name}-{width}.png"), full_page=True)


PROBLEMS: list[str] = []


def _axe(where: Page | Frame, name: str) -> None:
    """axe-core's serious and critical violations (WCAG 2.1 A/AA and best practice)."""
    if not where.evaluate("typeof window.axe !== 'undefined'"):
        where.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = where.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    for violation in result["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = [" ".join(n["target"]) for n in violation["nodes"][:3]]
            PROBLEMS.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")


def _check(page: Page, name: str, width: int, frame: Frame | None = None) -> None:
    _no_sideways_scroll(frame or page, name)
    _axe(frame or page, name)
    _shot(page, name, width)


@pytest.mark.parametrize("width, height", [(1400, 900), (390, 844)], ids=["wide", "phone"])
def test_requester_files_by_portal_and_embed_in_korean(
    browser: Browser, live_server: Any, org: Org, width: int, height: int
) -> None:
    PROBLEMS.clear()
    # `member` works in the sales unit and sees its apps, like most requesters who name one.
    member = org.users["member"]
    member.preferred_language = "ko"
    member.save(update_fields=["preferred_language"])
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "member")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # 1. "My requests" is empty and says what to do.
    page.goto(f"{live_server.url}/desk/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("h1")).to_have_text("내 요청")
    expect(page.locator("section.empty")).to_contain_text("아직 요청이 없습니다")
    _check(page, "1-empty", width)
    page.locator("section.empty a.button", has_text="새 요청").click()

    # 2. The request form: part of the app's name offers it; picking it files the request.
    expect(page.locator("h1")).to_have_text("새 요청")
    _check(page, "2-form", width)
    page.fill("#id_subject", "영업 일지 저장이 안 돼요")
    page.fill("#id_description", "저장을 누르면 **오류**가 납니다.")
    # typed, not picked from the suggestions: the server offers what matches
    page.fill("#id_solution", "영업")
    expect(page.locator(".picker-list [role=option]").first).to_be_visible()
    page.keyboard.press("Escape")  # closes the suggestions, keeps the text
    expect(page.locator("#id_solution")).to_have_value("영업")
    page.locator("button[type=submit]", has_text="요청 보내기").click()
    expect(page.locator(".solution-choice fieldset")).to_contain_text(org.own.name)
    expect(page.locator(".solution-choice fieldset")).to_contain_text("모르겠어요 / 해당 없음")
    expect(page.locator("#id_subject")).to_have_value("영업 일지 저장이 안 돼요")
    _check(page, "3-choices", width)
    page.locator(f"input[name=solution_choice][value='{org.own.pk}']").check()
    page.locator("button[type=submit]", has_text="요청 보내기").click()
    page.wait_for_url(lambda url: "/desk/tickets/" in url)
    portal_ticket = Ticket.objects.get(subject="영업 일지 저장이 안 돼요")
    assert portal_ticket.solution == org.own and portal_ticket.requester == member
    expect(page.locator(".messages")).to_contain_text(str(portal_ticket.number))

    # 3. A second request names the app with the picker's suggestions.
    page.goto(f"{live_server.url}/desk/new/")
    page.fill("#id_subject", "영업 일지 권한을 받고 싶어요")
    page.locator("#id_solution").press_sequentially("영업", delay=50)
    option = page.locator(".picker-list [role=option]", has_text=org.own.name)
    expect(option).to_be_visible()
    _check(page, "3b-picker", width)
    option.click()
    expect(page.locator("#id_solution")).to_have_value(org.own.name)
    page.locator("button[type=submit]", has_text="요청 보내기").click()
    page.wait_for_url(lambda url: "/desk/tickets/" in url)
    picked = Ticket.objects.get(subject="영업 일지 권한을 받고 싶어요")
    assert picked.solution == org.own

    # 4. Both are in "my requests", with status, app and a close action.
    page.goto(f"{live_server.url}/desk/")
    row = page.locator(f"#request-{portal_ticket.number}")
    expect(row).to_contain_text(org.own.name)
    expect(row.locator(".badge")).to_have_text("신규")
    expect(row.locator("a.close-request")).to_have_text("닫기")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_contain_text("2")
    _check(page, "4-my-requests", width)
    page.goto(f"{live_server.url}/desk/tickets/?q=영업")
    expect(page.locator("table.requests")).to_contain_text(str(portal_ticket.number))
    _check(page, "5-search", width)

    # 5. The form embedded in the app, inside a frame as the app shows it.
    embed = f"/desk/embed/{org.own.platform_id}/?lang=ko"
    page.route(
        f"{live_server.url}{HOST_PAGE}",
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8",
            body=(
                "<!doctype html><html lang='ko'><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                "<title>영업 일지</title></head><body>"
                f"<iframe id='help' title='도움 요청' src='{embed}' width='100%' height='1400' "
                "frameborder='0'></iframe></body></html>"
            ),
        ),
    )
    page.goto(f"{live_server.url}{HOST_PAGE}")
    frame = page.frame_locator("#help")
    expect(frame.locator("h1")).to_contain_text("영업 일지 도움 요청")
    inner = page.frame(url=lambda url: "/desk/embed/" in url)
    assert inner is not None
    _check(page, "6-embed", width, inner)
    # sent at once (faster than the minimum fill time): not filed, kept, asked again
    frame.locator("#id_subject").fill("보고서 버튼이 안 눌려요")
    frame.locator("#id_description").fill("월말 보고서에서 보내기를 눌러도 반응이 없습니다.")
    frame.locator("button[type=submit]").click()
    expect(frame.locator("#notice")).to_contain_text("아직 보내지 않았습니다")
    expect(frame.locator("#id_subject")).to_have_value("보고서 버튼이 안 눌려요")
    assert not Ticket.objects.filter(subject="보고서 버튼이 안 눌려요").exists()
    inner = page.frame(url=lambda url: "/desk/embed/" in url)
    assert inner is not None
    _check(page, "7-send-again", width, inner)
    shot: FilePayload = {"name": "화면.png", "mimeType": "image/png", "buffer": PNG}
    frame.locator("input[name=screenshots]").set_input_files([shot])
    frame.locator("button[type=submit]").click()
    expect(frame.locator("#done")).to_contain_text("요청 번호는 TD-")
    embedded = Ticket.objects.get(subject="보고서 버튼이 안 눌려요")
    assert embedded.channel == "embed" and embedded.requester == member
    assert TicketAttachment.objects.get(ticket=embedded).content_type == "image/png"
    inner = page.frame(url=lambda url: "done=" in url)
    assert inner is not None
    _check(page, "8-thank-you", width, inner)

    # 6. The thank-you link opens the ticket (in a new tab, out of the app's frame).
    with context.expect_page() as opened:
        frame.locator("#ticket-link").click()
    ticket_page = opened.value
    ticket_page.wait_for_load_state()
    assert f"/desk/tickets/{embedded.pk}/" in ticket_page.url
    expect(ticket_page.locator("h1")).to_contain_text("보고서 버튼이 안 눌려요")
    expect(ticket_page.locator("body")).to_contain_text("화면.png")
    _check(ticket_page, "9-ticket", width)

    # 7. All three are in "my requests", newest activity first.
    page.goto(f"{live_server.url}/desk/")
    rows = page.locator("table.requests tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(str(embedded.number))
    _check(page, "10-my-requests", width)
    context.close()
    assert not PROBLEMS, "\n".join(PROBLEMS)


@pytest.fixture(autouse=True)
def _quick_fill(db: None) -> None:
    """The minimum fill time stays at 3 s: Playwright types faster, so the first embedded
    submission above really is refused as too fast."""
    DeskSettings.objects.update_or_create(
        pk=1, defaults={"embed_min_fill_seconds": 3, "allow_anonymous_embed": False}
    )
