"""Ticket search goes through the search engine: subjects AND descriptions, Korean
particles and compounds, typed prefixes, typos and error codes; a number finds its ticket;
nobody finds a ticket they may not see (hidden and missing look the same)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.desk import selectors, services
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket

pytestmark = pytest.mark.django_db


def _found(user: object, q: str) -> set[int]:
    return set(
        selectors.ticket_search(selectors.tickets_visible_to(user), q).values_list("pk", flat=True)
    )


def test_words_of_subject_and_description_are_found_as_koreans_write_them(org: Org) -> None:
    requester = org.users["requester"]
    printer = ticket(requester=requester, subject="프린터가 연결 안됨")
    sync = ticket(
        requester=requester,
        subject="오류가 납니다",
        description="데이터동기화 흐름이 0x80070005 코드로 실패했어요",
    )
    other = ticket(requester=requester, subject="권한 요청")
    platform = org.users["platform"]
    assert _found(platform, "프린터") == {printer.pk}  # particle 가 in the subject
    assert _found(platform, "데이터 동기화") == {sync.pk}  # spaced form of a compound
    assert _found(platform, "0x80070005") == {sync.pk}  # an error code, in the description
    assert _found(platform, "동기") == {sync.pk}  # a prefix being typed
    assert _found(platform, str(printer.number).lower()) == {printer.pk}
    assert other.pk not in _found(platform, "프린터 연결")


def test_an_edited_subject_is_searched_by_its_new_words(org: Org) -> None:
    found = ticket(requester=org.users["requester"], subject="게이트웨이 끊김")
    services.ticket_update(
        ticket=found,
        actor=org.users["platform"],
        expected_version=found.version,
        changes={"subject": "라이선스 할당 문의"},
    )
    assert _found(org.users["platform"], "라이선스") == {found.pk}
    assert _found(org.users["platform"], "게이트웨이") == set()


def test_nobody_finds_a_ticket_they_may_not_see(org: Org) -> None:
    mine = ticket(requester=org.users["requester"], subject="비밀 프로젝트 예산 승인")
    assert _found(org.users["requester"], "예산 승인") == {mine.pk}
    assert _found(org.users["other_maker"], "예산 승인") == set()
    assert _found(org.users["other_maker"], str(mine.number)) == set()
    # the portal's search page and the API answer the same
    client = Client()
    client.force_login(org.users["other_maker"])
    page = client.get("/desk/tickets/", {"q": "예산 승인"})
    assert page.status_code == 200 and str(mine.number) not in page.content.decode()
    api = APIClient()
    api.force_authenticate(org.users["other_maker"])
    assert api.get("/api/v1/tickets/", {"q": "예산"}).json()["results"] == []
    api.force_authenticate(org.users["requester"])
    results = api.get("/api/v1/tickets/", {"q": "예산"}).json()["results"]
    assert [r["id"] for r in results] == [mine.pk]


def test_hostile_text_never_breaks_the_search(org: Org) -> None:
    ticket(requester=org.users["requester"], subject='"quoted" OR -minus * NEAR(a b)')
    for q in ['"', "OR", "*", "a:*", "NEAR(", "\x00", "!" * 3000, "TD-", "td-abc"]:
        assert isinstance(_found(org.users["platform"], q), set)
    assert Ticket.objects.count() == 1
