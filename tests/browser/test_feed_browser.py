"""A product update opens a review task, in a real browser, in Korean, at a desktop's
width and a phone's: a platform-team lead adds a feed served by an HTTP server on this
machine and fetches it now; the post touches a published article; its owner signs in, sees
"검토 작업", opens the task from the post and marks the article reviewed. Every page is
checked by axe-core (no serious or critical violation), never scrolls sideways at 390 px,
and is photographed under var/screenshots/ (`feeds-…`)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from conftest import Org
from tests.browser.persona import DEMO_PASSWORD, Persona
from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.accounts.services import team_add_member
from tierdesk.knowledge.models import FeedSubscription, ReviewTask
from tierdesk.knowledge.tests.factories import article
from tierdesk.knowledge.tests.test_feeds import FeedServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1400, 390])
def test_a_feed_item_opens_a_review_task_its_owner_marks_reviewed(
    browser: Browser, live_server: Any, org: Org, width: int
) -> None:
    lead, owner = org.users["platform"], org.users["agent"]
    team_add_member(
        team=SupportTeam.objects.get(kind=TeamKind.PLATFORM), user=lead, role=MembershipRole.LEAD
    )
    for user in (lead, owner):
        user.set_password(DEMO_PASSWORD)
        user.preferred_language = ""  # never chose: the Korean browser decides
        user.save()
    FeedSubscription.objects.update(enabled=False)  # the product blogs are not on this machine
    capacity = article(
        owner=owner,
        topic="platform",
        title="개발자 환경의 Dataverse 저장 용량",
        body=(
            "Developer 환경마다 Dataverse database storage capacity가 정해져 있습니다. "
            "용량이 부족하면 관리자에게 capacity 추가를 요청하세요."
        ),
        status="published",
    )
    article(owner=owner, title="프린터 연결 방법", status="published")
    server_url = SimpleNamespace(url=live_server.url)

    with FeedServer() as feeds:
        # the platform-team lead adds the feed and fetches it now
        admin = Persona(browser, server_url, lead.username, width)  # type: ignore[arg-type]
        admin.sign_in()
        page = admin.page
        page.goto("/knowledge/feeds/")
        expect(page.locator("main h1")).to_have_text("제품 업데이트 피드")
        page.get_by_label("이름").fill("Power Apps 블로그 (이 컴퓨터)")
        page.get_by_label("피드 주소").fill(f"{feeds.url}/feed/power_apps_rss.xml")
        page.get_by_label("주제").select_option("platform")
        page.get_by_role("button", name="피드 추가").click()
        expect(page.locator("ul.messages")).to_contain_text("피드를 추가했습니다")
        feed = FeedSubscription.objects.get(url=f"{feeds.url}/feed/power_apps_rss.xml")
        row = page.locator(f"#feed-{feed.pk}")
        row.get_by_role("button", name="지금 가져오기").click()
        expect(page.locator("ul.messages")).to_contain_text("새 게시물 3개, 검토 작업 1개")
        expect(page.locator(f"#feed-{feed.pk}")).to_contain_text("읽음")
        admin.check("feeds-list", no_sideways_scroll=True)
        page.get_by_role("link", name="최근 제품 업데이트").first.click()
        expect(page.locator("main h1")).to_have_text("최근 제품 업데이트")
        post = page.locator("table.kb-feed-items tr", has_text="Developer environments")
        expect(post).to_contain_text("작업 1건")
        assert post.locator("a[target=_blank]").get_attribute("rel") == "noopener noreferrer"
        admin.check("feeds-items", no_sideways_scroll=True)
        admin.context.close()

        # the article's owner sees the task, opens it from the post and marks it reviewed
        task = ReviewTask.objects.get()
        assert task.article_id == capacity.pk
        person = Persona(browser, server_url, owner.username, width)  # type: ignore[arg-type]
        person.sign_in()
        page = person.page
        page.goto("/knowledge/review/")
        link = page.locator("#kb-review-tasks-link")
        expect(link).to_have_text("검토 작업 (1건 열림)")
        link.click()
        expect(page.locator("main h1")).to_have_text("검토 작업")
        row = page.locator(f"#task-{task.pk}")
        expect(row).to_contain_text("Developer, Dataverse, storage, capacity, database")
        expect(row.get_by_role("link", name="문서 수정")).to_have_attribute(
            "href", f"/knowledge/{capacity.pk}/edit/"
        )
        person.check("feeds-tasks", no_sideways_scroll=True)
        row.get_by_role("link", name="Developer environments: new Dataverse storage").click()
        expect(page).to_have_url(re.compile(rf"/knowledge/review-tasks/{task.pk}/$"))
        expect(page.locator("main h1")).to_contain_text("개발자 환경의 Dataverse 저장 용량")
        original = page.get_by_role("link", name=re.compile("원문 보기"))
        expect(original).to_have_attribute("rel", "noopener noreferrer")
        expect(original).to_have_attribute(
            "href",
            "https://www.example.com/power-platform/blog/power-apps/"
            "developer-environments-storage-capacity/",
        )
        person.check("feeds-task", no_sideways_scroll=True)
        page.locator("main").get_by_role("button", name="검토 완료").click()
        expect(page.locator("ul.messages")).to_contain_text("검토 완료로 표시했습니다")
        expect(page.locator("#kb-tasks-open-title")).to_have_text("열린 작업 0건")
        person.check("feeds-task-done", no_sideways_scroll=True)
        person.context.close()

    task.refresh_from_db()
    assert (task.status, task.closed_by_id) == ("done", owner.pk)
    assert admin.problems() + person.problems() == []
