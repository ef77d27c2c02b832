"""Deflection in a real browser, in Korean: a requester types their problem into the
portal's form, a published article appears, "이 문서로 해결됐어요" records it — and no
ticket is filed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import Org
from tierdesk.desk.models import Ticket
from tierdesk.knowledge.models import Deflection
from tierdesk.knowledge.tests.factories import article

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_requester_types_sees_the_article_and_marks_it_solved(
    page: Page, live_server: Any, org: Org
) -> None:
    agent = org.users["agent"]
    printer = article(
        owner=agent,
        title="프린터 연결 오류 해결",
        body="프린터가 연결이 안 되면 드라이버를 다시 설치합니다.",
        audience="public",
        status="published",
    )
    article(owner=agent, title="프린터 연결 내부 절차", body="내부 프린터 연결", status="published")
    requester = org.users["requester"]
    requester.preferred_language = "ko"
    requester.save(update_fields=["preferred_language"])
    tickets = Ticket.objects.count()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "requester")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/desk/new/")
    panel = page.locator("section.kb-suggestions")
    expect(panel).to_be_hidden()
    page.locator("[name=subject]").press_sequentially("프린터가 연결이 안 돼요", delay=20)
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("도움이 될 만한 문서")
    link = panel.locator(f"a[href='/knowledge/{printer.pk}/']")
    expect(link).to_contain_text("프린터")
    expect(panel).not_to_contain_text("내부 절차")
    assert page.locator("input[name=kb_shown]").input_value() == str(printer.pk)
    panel.get_by_role("button", name="이 문서로 해결됐어요").click()
    expect(panel).to_contain_text("좋아요, 요청은 보내지 않았습니다")
    row = Deflection.objects.get()
    assert (row.article_id, row.outcome, row.user_id) == (
        printer.pk,
        "solved",
        org.users["requester"].pk,
    )
    assert row.ticket_id is None and Ticket.objects.count() == tickets
