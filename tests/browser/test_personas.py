"""Each persona's main task, on the demo organisation a newcomer gets from `tierdesk demo`,
served by `tierdesk serve`, in a Korean Chromium at 1400 and 390 px.

Every page visited passes axe-core with no serious or critical violation and, at 390 px,
does not scroll sideways; screenshots go to var/screenshots (see persona.py). The
requester's own walk (portal, picker, embedded form with a screenshot, the thank-you
link) is `desk/tests/test_portal_browser.py`; the ticket page's tools in depth are
`desk/tests/test_browser_ticket_page.py`."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.persona import NARROW, WIDE, DemoServer, Persona, demo_server

pytestmark = pytest.mark.browser

FIELD_CASES = Path(__file__).resolve().parents[1] / "samples" / "field"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("demo")) as running:
        yield running


def _one(server: DemoServer, sql: str, *args: Any) -> Any:
    """A fact of the demo's database, read the way a person would look it up on a page."""
    with sqlite3.connect(f"file:{server.data_dir / 'tierdesk.sqlite3'}?mode=ro", uri=True) as db:
        row = db.execute(sql, args).fetchone()
    assert row is not None, sql
    return row


@pytest.fixture
def people(browser: Browser, server: DemoServer) -> Iterator[dict[str, Persona]]:
    opened: dict[str, Persona] = {}

    class Opener(dict[str, Persona]):
        def __missing__(self, key: str) -> Persona:
            username, _, width = key.partition("@")
            persona = Persona(browser, server, username, int(width or WIDE))
            persona.sign_in()
            opened[key] = persona
            self[key] = persona
            return persona

    yield Opener()
    problems = [p for persona in opened.values() for p in persona.problems()]
    for persona in opened.values():
        persona.close()
    assert not problems, "\n".join(problems)


def test_agent_triages_replies_with_a_canned_response_redirects_and_escalates(
    people: dict[str, Persona], server: DemoServer
) -> None:
    # Two new help-desk tickets about a solution: one goes back to the solution's own
    # channel, the other up to the platform team.
    rows = sqlite3.connect(f"file:{server.data_dir / 'tierdesk.sqlite3'}?mode=ro", uri=True)
    with rows:
        new = rows.execute(
            "SELECT t.id, t.number FROM desk_ticket t"
            " JOIN accounts_supportteam s ON s.id = t.team_id"
            " WHERE t.status = 'new' AND t.level = 'help_desk' AND t.solution_id IS NOT NULL"
            " AND s.kind = 'help_desk' ORDER BY t.id LIMIT 2"
        ).fetchall()
    assert len(new) == 2
    (redirect_id, redirect_number), (escalate_id, escalate_number) = new

    agent = people["agent@1400"]
    page = agent.page
    page.goto("/")
    agent.check("home")
    page.goto("/desk/queue/")
    expect(page.locator("h1")).to_contain_text("대기열")
    agent.check("queue")

    page.goto(f"/desk/tickets/{redirect_id}/")
    expect(page.locator("h1")).to_contain_text(redirect_number)
    # Triage opens on the ticket's own values and shows the priority before saving.
    page.locator("#move-triage summary").click()
    page.select_option("#triage-form [name$=impact]", "high")
    page.select_option("#triage-form [name$=urgency]", "high")
    expect(page.locator("#triage-priority .badge")).to_have_class(re.compile(r"prio-p[12]"))
    agent.check("ticket-triage")
    page.locator("#triage-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    # A canned response with the requester's name filled in, then the reply.
    page.select_option("#canned-select", label="접수 확인")
    page.locator("#canned-insert").click()
    expect(page.locator("#reply-body")).to_have_value(re.compile(r"님, 안녕하세요"))
    assert "{{" not in page.locator("#reply-body").input_value()
    page.locator("#reply-form button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text("요청")
    # The solution has its own support channel: redirect there.
    page.locator("#move-redirect summary").click()
    page.fill("#move-redirect textarea[name$=reason]", "앱 제작자 팀이 직접 지원하는 앱입니다.")
    page.locator("#move-redirect button[type=submit]").click()
    expect(page.locator("#level")).not_to_contain_text("헬프데스크")
    agent.check("ticket-redirected")

    # The other one needs the platform team.
    page.goto(f"/desk/tickets/{escalate_id}/")
    page.locator("#move-escalate summary").click()
    page.fill(
        "#move-escalate textarea[name$=reason]",
        "연결 커넥터 오류로 보여 플랫폼 팀 확인이 필요합니다.",
    )
    page.locator("#move-escalate button[type=submit]").click()
    expect(page.locator("#level")).to_contain_text("플랫폼")

    # The platform engineer finds it marked as escalated to them, takes it, opens a case
    # with the vendor after checking service health, and resolves it when the vendor did.
    platform = people["platform@1400"]
    page = platform.page
    page.goto(f"/desk/queue/?escalated=1&q={escalate_number}")
    row = page.locator(f"#t{escalate_id}")
    expect(row).to_be_visible()
    expect(row.locator(".marker.escalated")).to_be_visible()
    platform.check("queue-escalated")
    row.locator("button[data-take]").click()
    expect(page.locator(f"#t{escalate_id}")).to_contain_text("박플랫폼")
    page.goto(f"/desk/tickets/{escalate_id}/")
    page.locator("#move-vendor_case summary").click()
    form = page.locator("#move-vendor_case form")
    form.locator("[name$=health_checked_at]").fill("2026-11-30T09:00")
    form.locator("[name$=health_result]").select_option("healthy")
    form.locator("[name$=external_number]").fill("2611300040001234")
    platform.check("ticket-vendor-case-form")
    form.locator("button[type=submit]").click()
    case = page.locator("#cases .vendor-case").last
    expect(case).to_contain_text("2611300040001234")
    case.locator("summary").click()
    case.locator("[name$=status]").select_option("resolved_by_vendor")
    case.locator("[name$=note]").fill("Microsoft가 커넥터 수정을 배포했습니다.")
    case.locator("button[type=submit]").click()
    expect(page.locator("#cases .vendor-case").last).to_contain_text("공급업체 해결")
    page.locator("#move-resolve summary").click()
    page.fill(
        "#move-resolve textarea[name$=reason]", "공급업체 수정 배포 후 정상 동작을 확인했습니다."
    )
    page.locator("#move-resolve button[type=submit]").click()
    expect(page.locator("#status")).to_contain_text("해결")
    platform.check("ticket-resolved")
    page.goto("/desk/vendor-cases/")
    expect(page.locator("main")).to_contain_text("2611300040001234")
    platform.check("vendor-cases")


def test_partner_sees_only_the_tickets_of_the_solutions_they_support(
    people: dict[str, Persona], server: DemoServer
) -> None:
    (hidden,) = _one(
        server,
        "SELECT t.id FROM desk_ticket t LEFT JOIN accounts_supportteam s ON s.id = t.team_id"
        " WHERE t.is_open AND (s.kind IS NULL OR s.kind != 'partner') AND t.requester_id !="
        " (SELECT id FROM accounts_user WHERE username = 'partner') ORDER BY t.id LIMIT 1",
    )
    for width in (WIDE, NARROW):
        partner = people[f"partner@{width}"]
        page = partner.page
        page.goto("/desk/queue/")
        partner.check("queue", no_sideways_scroll=width == NARROW)
        assert page.locator(f"#t{hidden}").count() == 0
        response = page.goto(f"/desk/tickets/{hidden}/")
        assert response is not None and response.status == 404
        expect(page.locator("h1")).to_be_visible()
        partner.check("hidden-ticket", no_sideways_scroll=width == NARROW)


def test_admin_imports_a_powershell_export(people: dict[str, Persona]) -> None:
    admin = people["admin@1400"]
    page = admin.page
    page.goto("/inventory/imports/")
    admin.check("imports")
    page.locator("main a.button").first.click()
    admin.check("import-upload")
    files = sorted((FIELD_CASES / "01-getadminpowerapp-owner-column" / "input").iterdir())
    page.set_input_files("#id_upload", [str(p) for p in files])
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1 .badge")).to_have_text("가져옴")
    admin.check("import-run")


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_requester_pages_fit_a_phone_and_read_in_korean(
    people: dict[str, Persona], width: int
) -> None:
    requester = people[f"requester@{width}"]
    page = requester.page
    page.goto("/")
    expect(page.locator("h1")).to_have_text("내 요청")
    requester.check("home", no_sideways_scroll=True)
    page.locator("main a.button", has_text="새 요청").first.click()
    requester.check("new-request", no_sideways_scroll=True)
    page.goto("/desk/tickets/")
    requester.check("search", no_sideways_scroll=True)
    page.goto("/desk/")
    page.locator("table.requests tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("TD-")
    requester.check("ticket", no_sideways_scroll=True)
    page.goto("/notifications/")
    requester.check("notifications", no_sideways_scroll=True)


def test_agent_writes_an_article_that_a_requester_finds_in_their_own_words(
    people: dict[str, Persona],
) -> None:
    agent = people["agent@1400"]
    page = agent.page
    page.goto("/knowledge/")
    agent.check("knowledge")
    page.goto("/knowledge/new/")
    page.fill("#id_title", "Teams 알림이 오지 않을 때")
    page.fill(
        "#id_body",
        "Teams 알림 설정에서 **활동** 알림을 켜고, Power Automate 흐름의 연결을 다시 "
        "로그인합니다. 오류 코드 `AADSTS50076`이 보이면 다단계 인증을 다시 합니다.",
    )
    page.select_option("#id_audience", "public")
    page.select_option("#id_language", "ko")
    agent.check("knowledge-new")
    page.locator("#article-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Teams 알림이 오지 않을 때")
    # A draft: the requester cannot read it yet (hidden answers as missing).
    article_url = page.url.split("?")[0]
    requester = people["requester@390"]
    response = requester.page.goto(article_url)
    assert response is not None and response.status == 404
    page.locator("button.primary", has_text="게시").click()
    expect(page.locator("main")).to_contain_text("게시됨")
    agent.check("knowledge-published")

    # The requester types it their own way — a particle, an ending, the code — and finds it
    # first, the match highlighted, on a phone.
    rpage = requester.page
    rpage.goto("/knowledge/?q=Teams 알림이 안 와요")
    first = rpage.locator("table.kb-articles tbody tr").first
    expect(first).to_contain_text("Teams 알림이 오지 않을 때")
    expect(first.locator("mark").first).to_be_visible()
    requester.check("knowledge-search", no_sideways_scroll=True)
    rpage.goto("/knowledge/?q=AADSTS50076")
    expect(rpage.locator("table.kb-articles tbody tr").first).to_contain_text("Teams 알림")
    first = rpage.locator("table.kb-articles tbody tr a").first
    first.click()
    expect(rpage.locator("h1")).to_contain_text("Teams 알림이 오지 않을 때")
    requester.check("knowledge-article", no_sideways_scroll=True)
