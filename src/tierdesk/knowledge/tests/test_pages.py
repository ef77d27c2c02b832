"""The knowledge pages in Korean: the list with its filters and empty state, writing a
draft, the article page, the moves, a stale edit's conflict page, revisions and their diff,
and the review queue; hidden articles answer 404, refused writes 403."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from conftest import Org
from tierdesk.common import clock
from tierdesk.knowledge import services
from tierdesk.knowledge.models import Article
from tierdesk.knowledge.tests.factories import article


def _client(org: Org, role: str) -> Client:
    user = org.users[role]
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(user)
    return client


def test_the_list_is_korean_with_filters_and_an_empty_state(org: Org) -> None:
    requester = _client(org, "requester")
    page = requester.get("/knowledge/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>지식 베이스</h1>" in html
    assert "아직 볼 수 있는 문서가 없습니다." in html
    assert "새 문서" not in html  # a requester writes no article
    assert 'href="/knowledge/"' in html  # the navigation entry
    article(owner=org.users["agent"], title="내부 절차", status="published")
    article(owner=org.users["agent"], title="초안 문서", audience="public")
    article(owner=org.users["agent"], title="VPN 안내", audience="public", status="published")
    html = requester.get("/knowledge/").content.decode()
    assert "VPN 안내" in html and "내부 절차" not in html and "초안 문서" not in html
    assert 'data-label="주제"' in html and "사내 공개" in html and "게시됨" in html
    agent = _client(org, "agent")
    html = agent.get("/knowledge/?status=draft").content.decode()
    assert "초안 문서" in html and "VPN 안내" not in html and "새 문서" in html
    html = agent.get("/knowledge/?audience=internal&status=bogus").content.decode()
    assert "내부 절차" in html and "VPN 안내" not in html
    html = agent.get("/knowledge/?language=en").content.decode()
    assert "볼 수 있는 문서 중에 검색과 맞는 문서가 없습니다." in html


def test_an_agent_writes_a_draft_the_owner_publishes(org: Org) -> None:
    agent = _client(org, "agent")
    assert agent.get("/knowledge/new/").status_code == 200
    response = agent.post(
        "/knowledge/new/",
        {
            "title": "프린터 드라이버 설치",
            "body": "## 순서\n\n1. 설정을 엽니다\n2. **프린터**를 추가합니다",
            "topic": "how_to",
            "audience": "public",
            "language": "ko",
            "solutions": org.own.platform_id,
            "note": "처음 씀",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Article.objects.get(title="프린터 드라이버 설치")
    assert made.owner == org.users["agent"] and made.status == "draft"
    assert list(made.solutions.all()) == [org.own]
    page = agent.get(f"/knowledge/{made.pk}/").content.decode()
    assert "<h3>순서</h3>" in page and "<strong>프린터</strong>" in page
    assert "검토 요청" in page and "게시" in page and "개정 이력" in page
    assert agent.post(f"/knowledge/{made.pk}/submit/").status_code == 302
    assert agent.post(f"/knowledge/{made.pk}/submit/").status_code == 400  # not a draft now
    # a requester cannot even see it until it is published
    requester = _client(org, "requester")
    assert requester.get(f"/knowledge/{made.pk}/").status_code == 404
    assert agent.post(f"/knowledge/{made.pk}/publish/").status_code == 302
    made.refresh_from_db()
    assert made.status == "published" and made.published_at is not None
    page = requester.get(f"/knowledge/{made.pk}/").content.decode()
    assert "프린터 드라이버 설치" in page and "개정 이력" not in page and "편집" not in page
    assert requester.post(f"/knowledge/{made.pk}/retire/").status_code == 403
    assert requester.get(f"/knowledge/{made.pk}/edit/").status_code == 403


def test_bad_form_input_is_a_400_with_messages(org: Org) -> None:
    agent = _client(org, "agent")
    response = agent.post(
        "/knowledge/new/",
        {
            "title": "",
            "body": "본문",
            "topic": "nope",
            "audience": "public",
            "language": "ko",
            "tickets": "TD-999999",
            "translation_of": "abc",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "TD-999999" in html and "볼 수 있는 문서 중에 이 번호의 문서가 없습니다." in html
    assert not Article.objects.exists()


def test_a_stale_edit_shows_both_versions(org: Org) -> None:
    found = article(owner=org.users["agent"], title="VPN 접속", body="첫 줄")
    agent = _client(org, "agent")
    form = {
        "version": found.version,
        "title": "VPN 접속",
        "body": "내가 고친 줄",
        "topic": "other",
        "audience": "internal",
        "language": "ko",
        "owner_team": "",
        "note": "",
    }
    form["owner"] = str(org.users["agent"].pk)
    services.article_update(
        article=found, actor=None, expected_version=found.version, data={"body": "남이 고친 줄"}
    )
    response = agent.post(f"/knowledge/{found.pk}/edit/", form)
    html = response.content.decode()
    assert response.status_code == 409
    assert "다른 사람이 이 문서를 바꿨습니다" in html and "남이 고친 줄" in html
    assert "<del>남이</del><ins>내가</ins>" in html
    assert found.version == 2  # the service refreshed it
    assert 'name="version" value="2"' in html
    form["version"] = 2  # "apply mine on top"
    assert agent.post(f"/knowledge/{found.pk}/edit/", form).status_code == 302
    assert Article.objects.get(pk=found.pk).body == "내가 고친 줄"


def test_revisions_and_their_diff(org: Org) -> None:
    found = article(
        owner=org.users["member"], title="A <b>제목</b>", body="첫 줄", audience="public"
    )
    services.article_update(
        article=found, actor=org.users["member"], expected_version=1, data={"body": "첫 줄 고침"}
    )
    member = _client(org, "member")
    html = member.get(f"/knowledge/{found.pk}/revisions/2/").content.decode()
    assert "<h1>개정판 2</h1>" in html and "<ins> 고침</ins>" in html
    assert "&lt;b&gt;" in member.get(f"/knowledge/{found.pk}/revisions/1/").content.decode()
    assert member.get(f"/knowledge/{found.pk}/revisions/3/").status_code == 404
    services.article_publish(article=found, actor=None)
    # readers read the article, not its history
    assert _client(org, "requester").get(f"/knowledge/{found.pk}/revisions/1/").status_code == 404


def test_hidden_is_missing(org: Org) -> None:
    internal = article(owner=org.users["agent"], status="published")
    for role in ("requester", "maker", "partner", "member"):
        client = _client(org, role)
        for path in ("", "edit/", "revisions/1/"):
            assert client.get(f"/knowledge/{internal.pk}/{path}").status_code == 404
        assert client.post(f"/knowledge/{internal.pk}/retire/").status_code == 404
    assert _client(org, "manager").get(f"/knowledge/{internal.pk}/").status_code == 200
    assert _client(org, "manager").post(f"/knowledge/{internal.pk}/retire/").status_code == 403


def test_the_review_queue_page(org: Org) -> None:
    member = org.users["member"]
    due = article(owner=member, title="곧 검토할 문서", review_by=clock.today() + timedelta(days=3))
    article(owner=member, title="검토 중 문서", status="in_review")
    html = _client(org, "member").get("/knowledge/review/").content.decode()
    assert "<h1>내가 검토할 문서</h1>" in html
    assert "곧 검토할 문서" in html and "검토 중 문서" in html
    services.article_update(
        article=due,
        actor=None,
        expected_version=due.version,
        data={"review_by": clock.today() - timedelta(days=1)},
    )
    assert "기한 지남" in _client(org, "member").get("/knowledge/review/").content.decode()
    html = _client(org, "requester").get("/knowledge/review/").content.decode()
    assert "검토할 때가 된 담당 문서가 없습니다." in html


def test_search_finds_only_what_the_reader_may_read(org: Org) -> None:
    owner = org.users["agent"]
    article(owner=owner, title="프린터 연결", body="설정을 엽니다", status="published")  # internal
    article(
        owner=owner,
        title="프린터 드라이버",
        body="설치합니다",
        audience="public",
        status="published",
    )
    html = _client(org, "requester").get("/knowledge/?q=프린터").content.decode()
    assert "드라이버" in html and "프린터 연결" not in html
    html = _client(org, "agent").get("/knowledge/?q=프린터&audience=internal").content.decode()
    assert "연결" in html and "드라이버" not in html
    rows = _client(org, "requester").get("/api/v1/knowledge/articles/?q=프린터").json()["results"]
    assert [r["title"] for r in rows] == ["프린터 드라이버"]
