"""The platform team → help desk loop in a real browser, in Korean, at 1400 and 390 px: a
platform engineer resolves a ticket escalated past the help desk and proposes an article
from it ("문서 제안"); the topic's knowledge owner — another person, from the help desk —
opens the proposal in their queue, edits it into an article and publishes it; the article
is published and linked from the ticket.

Every page visited passes axe-core with no serious or critical violation and, at 390 px,
does not scroll sideways; screenshots go to var/screenshots (see persona.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from conftest import Org
from tests.browser.persona import NARROW, WIDE, Persona
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.desk import ladder
from tierdesk.desk import services as desk
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket as make_ticket
from tierdesk.knowledge.models import Article, ArticleProposal, TopicOwner
from tierdesk.notify.models import InboxItem

pytestmark = pytest.mark.browser


@pytest.fixture
def opened(browser: Browser, live_server: Any) -> Iterator[dict[str, Persona]]:
    people: dict[str, Persona] = {}
    yield people
    problems = [p for persona in people.values() for p in persona.problems()]
    for persona in people.values():
        persona.close()
    assert not problems, "\n".join(problems)


def _persona(
    browser: Browser, live_server: Any, people: dict[str, Persona], username: str, width: int
) -> Persona:
    """A Korean Chromium signed in as one of the fixture's people (password "pw")."""
    persona = Persona(browser, SimpleNamespace(url=live_server.url), username, width)  # type: ignore[arg-type]
    page = persona.page
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    people[f"{username}@{width}"] = persona
    return persona


def _escalated(org: Org) -> Ticket:
    """A data question the help desk passed to the platform team, which answered it."""
    u = org.users
    for name in ("platform", "agent", "requester"):
        u[name].preferred_language = "ko"
        u[name].save(update_fields=["preferred_language"])
    found = make_ticket(
        requester=u["requester"],
        subject="매일 아침 흐름이 401 오류로 멈춰요",
        description="영업 일지 흐름이 Unauthorized(401) 오류로 실패합니다. 어제부터 그렇습니다.",
        topic="data",
    )
    platform_team = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    ladder.ticket_assign(ticket=found, actor=u["admin"], team=platform_team, reason="연결 문제")
    desk.ticket_reply(
        ticket=found,
        author=u["platform"],
        body=(
            "연결 참조의 서비스 계정 암호가 바뀌어 있었습니다. "
            "데이터 > 연결에서 다시 로그인했습니다."
        ),
    )
    TopicOwner.objects.create(topic="data", owner=u["agent"])
    return Ticket.objects.get(pk=found.pk)


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_a_platform_engineer_proposes_and_the_topic_owner_publishes(
    browser: Browser, live_server: Any, org: Org, opened: dict[str, Persona], width: int
) -> None:
    found = _escalated(org)
    narrow = width == NARROW

    # The platform engineer resolves the escalation; the ticket page offers "문서 제안".
    platform = _persona(browser, live_server, opened, "platform", width)
    page = platform.page
    page.goto(f"/desk/tickets/{found.pk}/")
    expect(page.locator("#kb-propose")).to_have_count(0)  # not resolved yet
    page.locator("#move-resolve summary").click()
    page.fill(
        "#move-resolve textarea[name=resolve-reason]", "연결을 고치고 흐름을 다시 실행했습니다."
    )
    page.locator("#move-resolve button[type=submit]").click()
    panel = page.locator("#kb-propose")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("지식 베이스")
    platform.check("ticket-resolved", no_sideways_scroll=narrow)
    panel.get_by_role("link", name="문서 제안").click()
    expect(page.locator("h1")).to_have_text("문서 제안")
    expect(page.locator("[name=title]")).to_have_value("매일 아침 흐름이 401 오류로 멈춰요")
    expect(page.locator("[name=question]")).to_have_value(re.compile("Unauthorized"))
    resolution = page.locator("[name=resolution]")
    expect(resolution).to_have_value(re.compile("서비스 계정 암호"))
    expect(resolution).to_have_value(re.compile("흐름을 다시 실행했습니다"))
    expect(page.locator("[name=topic]")).to_have_value("data")
    platform.check("proposal-form", no_sideways_scroll=narrow)
    page.fill("[name=title]", "흐름이 401 오류로 멈출 때")
    page.get_by_role("button", name="제안하기").click()
    expect(page).to_have_url(re.compile(rf"/desk/tickets/{found.pk}/$"))
    expect(page.locator("ul.messages")).to_contain_text("제안했습니다")
    expect(page.locator("#kb-waiting")).to_contain_text("흐름이 401 오류로 멈출 때")
    proposal = ArticleProposal.objects.get()
    assert (proposal.status, proposal.proposed_by_id) == ("open", org.users["platform"].pk)

    # The topic's owner (the help desk's agent) finds it in their queue and publishes it.
    agent = _persona(browser, live_server, opened, "agent", width)
    page = agent.page
    page.goto("/knowledge/proposals/")
    mine = page.locator("#kb-proposals-mine")
    expect(mine.locator("h2")).to_have_text("내가 처리할 제안")
    agent.check("proposal-queue", no_sideways_scroll=narrow)
    mine.get_by_role("link", name="흐름이 401 오류로 멈출 때").click()
    expect(page.locator("#proposal-status")).to_have_text("담당자 대기")
    body = page.locator("#article-form textarea[name=body]")
    expect(body).to_have_value(re.compile(r"^## 질문\n\n영업 일지 흐름이"))
    expect(body).to_have_value(re.compile(r"## 해결 방법\n\n연결 참조의"))
    agent.check("proposal-detail", no_sideways_scroll=narrow)
    # The article's language decides its headings: English, then back to Korean.
    page.select_option("#article-form select[name=language]", "en")
    expect(body).to_have_value(re.compile(r"^## Question\n"))
    page.select_option("#article-form select[name=language]", "ko")
    expect(body).to_have_value(re.compile(r"^## 질문\n"))
    page.fill("#article-form [name=title]", "흐름이 401 오류로 멈출 때 연결 고치기")
    page.fill(
        "#article-form textarea[name=body]",
        body.input_value() + "\n암호를 바꾸면 연결도 다시 로그인해야 합니다.\n",
    )
    page.get_by_role("button", name="문서 게시").click()
    expect(page.locator("#article-title")).to_have_text("흐름이 401 오류로 멈출 때 연결 고치기")
    expect(page.locator("ul.messages")).to_contain_text("게시했습니다")
    expect(page.locator("#kb-links")).to_contain_text(found.number or "")
    agent.check("article-published", no_sideways_scroll=narrow)

    made = Article.objects.get(title="흐름이 401 오류로 멈출 때 연결 고치기")
    assert made.status == "published" and made.owner_id == org.users["agent"].pk
    assert list(made.tickets.all()) == [found]
    assert "암호를 바꾸면" in made.body
    proposal.refresh_from_db()
    assert (proposal.status, proposal.article_id) == ("published", made.pk)
    notice = InboxItem.objects.get(recipient=org.users["platform"], key__startswith="kb-proposal:")
    assert notice.url == f"/knowledge/{made.pk}/"

    # Back on the ticket: it became that article.
    page = platform.page
    page.goto(f"/desk/tickets/{found.pk}/")
    became = page.locator("#kb-became")
    expect(became.get_by_role("link", name=made.title)).to_have_attribute(
        "href", f"/knowledge/{made.pk}/"
    )
    expect(page.locator("#kb-propose-link")).to_have_count(0)
    platform.check("ticket-became-article", no_sideways_scroll=narrow)

    # Coverage per topic: the escalation now has its article; the owners' page names agent.
    page = agent.page
    page.goto("/knowledge/proposals/")
    page.get_by_role("link", name="주제별 문서화 현황").click()
    expect(page.locator("h1")).to_have_text("문서화 현황")
    expect(page.locator("#kb-coverage-total")).to_have_text(
        "에스컬레이션 1건 중 1건에 문서가 있습니다 (100%)."
    )
    expect(page.locator("#kb-coverage-data")).to_contain_text("100%")
    agent.check("coverage", no_sideways_scroll=narrow)
    page.goto("/knowledge/topic-owners/")
    expect(page.locator("#kb-topic-owners")).to_contain_text(str(org.users["agent"]))
    expect(page.locator("#kb-owner-form")).to_have_count(0)  # admins and platform leads only
    agent.check("topic-owners", no_sideways_scroll=narrow)
