"""The platform team's pages: who opens them, what the rules allow, examples only of
tickets the reader may see, Korean first, bad input answers 400."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tierdesk.insights import selectors, services
from tierdesk.insights.finder import automation_candidates_find as find
from tierdesk.insights.models import AutomationCandidate
from tierdesk.insights.tests.factories import resolved
from tierdesk.insights.tests.test_finder import ENVIRONMENT

pytestmark = pytest.mark.django_db


def _client(org, role: str) -> Client:
    user = org.users[role]
    if user.preferred_language:
        user.preferred_language = ""  # has not chosen: the browser's Korean applies
        user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


def _candidate(**fields) -> AutomationCandidate:
    tickets = resolved(ENVIRONMENT, ticket_type="environment_request", **fields)
    find(actor=None)
    candidate = AutomationCandidate.objects.get()
    assert candidate.examples.count() == len(tickets)
    return candidate


def test_empty_page_says_when_and_offers_find_now(org) -> None:
    page = _client(org, "platform").get("/insights/automation/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "자동화 후보" in text and "다음 주간 검색" in text and "지금 찾기" in text
    manager = _client(org, "manager").get("/insights/automation/").content.decode()
    assert "지금 찾기" not in manager  # reads, never runs
    for role in ("agent", "maker", "requester", "partner"):
        assert _client(org, role).get("/insights/automation/").status_code == 403


def test_find_now_creates_candidates_and_lists_them_in_korean(org) -> None:
    resolved(ENVIRONMENT, ticket_type="environment_request", topic="environment")
    client = _client(org, "platform")
    response = client.post("/insights/automation/run/")
    assert response.status_code == 302
    page = client.get("/insights/automation/").content.decode()
    assert "환경 요청 카탈로그 항목" in page and "승인 흐름" in page
    assert "요청 6건" in page or ">6<" in page
    assert _client(org, "manager").post("/insights/automation/run/").status_code == 403


def test_decisions_follow_the_rules(org) -> None:
    candidate = _candidate()
    platform, manager = org.users["platform"], org.users["manager"]
    assert selectors.candidate_moves(platform, candidate) == ["accept", "reject", "link"]
    assert selectors.candidate_moves(manager, candidate) == []
    with pytest.raises(PermissionDenied):
        services.candidate_accept(candidate=candidate, actor=manager)
    with pytest.raises(PermissionDenied):
        services.candidate_start(candidate=candidate, actor=platform)  # not accepted yet
    services.candidate_accept(candidate=candidate, actor=platform)
    services.candidate_link_work(candidate=candidate, actor=platform, link="https://dev.example/1")
    services.candidate_start(candidate=candidate, actor=platform)
    services.candidate_finish(candidate=candidate, actor=platform)
    candidate.refresh_from_db()
    assert candidate.status == "done" and candidate.decided_by == platform
    assert candidate.work_is_url
    assert list(candidate.events.values_list("type", flat=True)) == [
        "done",
        "started",
        "linked",
        "accepted",
        "found",
    ]


def test_page_actions_and_bad_input(org) -> None:
    candidate = _candidate()
    client = _client(org, "platform")
    url = f"/insights/automation/{candidate.pk}/"
    page = client.get(url).content.decode()
    assert "수락" in page and "거절" in page
    assert client.post(url, {"action": "reject", "reason": " "}).status_code == 400
    assert client.post(url, {"action": "jump"}).status_code == 400
    bad = client.post(url, {"action": "link", "work_link": "javascript:alert(1)"})
    assert bad.status_code == 400
    assert client.post(url, {"action": "reject", "reason": "이미 포털에 있음"}).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "rejected" and candidate.reason == "이미 포털에 있음"
    assert client.post(url, {"action": "start"}).status_code == 403  # a rejected one
    assert _client(org, "manager").post(url, {"action": "accept"}).status_code == 403
    assert _client(org, "manager").post(url, {"action": "reject", "reason": ""}).status_code == 403
    assert _client(org, "agent").get(url).status_code == 403
    assert client.get("/insights/automation/999999/").status_code == 404


def test_examples_only_of_tickets_the_reader_may_see(org) -> None:
    candidate = _candidate(is_confidential=True)
    url = f"/insights/automation/{candidate.pk}/"
    subject = ENVIRONMENT[0]
    platform = _client(org, "platform").get(url).content.decode()
    admin = _client(org, "admin").get(url).content.decode()
    assert subject not in platform and "볼 수 있는 예시 요청이 없습니다" in platform
    assert subject in admin
    listing = _client(org, "platform").get("/insights/automation/").content.decode()
    assert subject not in listing


def test_navigation_entry(org) -> None:
    """One top-bar entry, 인사이트, whose page links to the automation candidates."""
    home = _client(org, "platform").get("/").content.decode()
    assert 'href="/insights/"' in home
    assert 'href="/insights/"' not in _client(org, "agent").get("/").content.decode()
    hub = _client(org, "platform").get("/insights/").content.decode()
    assert 'href="/insights/automation/"' in hub
