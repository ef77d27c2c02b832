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


def test_a_visitor_marks_an_article_solved_inside_another_site_s_frame(
    browser: Browser, live_server: Any, org: Org
) -> None:
    """The embedded form framed by another site (a page on http://127.0.0.1:<port> framing
    tierdesk on http://localhost:<port>: another host, so another site): no session and no
    CSRF cookie reach the frame, so "this solved it" goes with the signed token the
    suggestions carried — recorded, no ticket."""
    from tierdesk.desk.models import DeskSettings

    settings_row = DeskSettings.load()
    settings_row.allow_anonymous_embed = True
    host = _parent_site()
    settings_row.embed_frame_ancestors = f"'self' {host.url}"
    settings_row.save()
    agent = org.users["agent"]
    guide = article(
        owner=agent,
        title="프린터 연결 안내",
        body="프린터가 연결이 안 되면 드라이버를 다시 설치합니다.",
        audience="anonymous",
        status="published",
    )
    article(owner=agent, title="프린터 내부 절차", body="내부 프린터 연결", status="published")
    article(
        owner=agent, title="프린터 공개 문서", body="프린터 연결", audience="public",
        status="published",
    )  # fmt: skip
    tickets = Ticket.objects.count()
    embed_url = f"{live_server.url}/desk/embed/{org.own.platform_id}/?lang=ko"
    parent = (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>앱</title></head>'
        f'<body><h1>영업 일지</h1><iframe title="도움 요청" src="{embed_url}" width="800" '
        'height="900"></iframe></body></html>'
    )
    host.body = parent.encode()
    context = browser.new_context(locale="ko-KR")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        posted: list[tuple[str, str, dict[str, str]]] = []
        page.on(
            "request",
            lambda r: posted.append((r.method, r.url, r.headers)) if r.method == "POST" else None,
        )
        assert "localhost" in live_server.url  # and the parent is on 127.0.0.1
        page.goto(f"{host.url}/canvas")
        frame = page.frame_locator("iframe")
        panel = frame.locator("section.kb-suggestions")
        frame.locator("[name=subject]").press_sequentially("프린터가 연결이 안 돼요", delay=20)
        expect(panel).to_be_visible()
        expect(panel.locator("h2")).to_have_text("도움이 될 만한 문서")
        expect(panel.locator("a.kb-title")).to_have_count(1)
        expect(panel).to_contain_text("연결 안내")
        expect(panel).not_to_contain_text("내부 절차")
        expect(panel).not_to_contain_text("공개 문서")
        assert frame.locator(".kb-suggest-list").get_attribute("data-token")
        from tests.browser.persona import SCREENSHOTS

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "kb-embed-frame-solved-before.png"))
        panel.get_by_role("button", name="이 문서로 해결됐어요").click()
        expect(panel).to_contain_text("좋아요, 요청은 보내지 않았습니다")
        page.screenshot(path=str(SCREENSHOTS / "kb-embed-frame-solved-after.png"))
        row = Deflection.objects.get()
        assert (row.article_id, row.outcome, row.user_id, row.embed_platform_id) == (
            guide.pk,
            "solved",
            None,
            org.own.platform_id,
        )
        assert row.ticket_id is None and Ticket.objects.count() == tickets
        # it went to the token's endpoint, without a CSRF token (the frame has none)
        assert [(m, u.split("?")[0].removeprefix(live_server.url)) for m, u, _h in posted] == [
            ("POST", "/knowledge/suggest/solved/embed/")
        ]
        assert not any("x-csrftoken" in h for _m, _u, h in posted)
    finally:
        context.close()
        host.server.shutdown()


class _ParentSite:
    """A page of 'another site' that frames the embedded form: a local HTTP server on
    127.0.0.1 (tierdesk's test server answers on localhost)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(site.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.body = b""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _parent_site() -> _ParentSite:
    return _ParentSite()
