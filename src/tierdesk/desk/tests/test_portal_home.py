"""The portal's home is "my requests": tabs with counts, newest activity first, the team
that has each request, and "close" where the close rule allows it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from conftest import Org
from tierdesk.accounts.models import User
from tierdesk.desk import services
from tierdesk.desk.choices import TicketStatus
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket
from tierdesk.desk.views.portal import portal_counts


def _client(user: User) -> Client:
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client(headers={"accept-language": "ko"})
    client.force_login(user)
    return client


@pytest.fixture
def requests(org: Org) -> dict[str, Ticket]:
    """One request of `requester` in each state, and one of someone else."""
    me = org.users["requester"]
    made = {
        "new": ticket(requester=me, subject="새로 낸 요청", solution=org.own),
        "waiting": ticket(requester=me, subject="답을 기다리는 요청"),
        "resolved": ticket(requester=me, subject="해결된 요청"),
        "closed": ticket(requester=me, subject="닫힌 요청"),
        "others": ticket(requester=org.users["member"], subject="남의 요청"),
    }
    services.ticket_set_status(
        ticket=made["waiting"], actor=None, status=TicketStatus.WAITING_ON_REQUESTER
    )
    services.ticket_resolve(ticket=made["resolved"], actor=None, reason="됐습니다")
    services.ticket_close(ticket=made["closed"], actor=None)
    return {k: Ticket.objects.get(pk=t.pk) for k, t in made.items()}


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr id="request-(TD-\d+)"', page)


def test_tabs_count_and_filter(org: Org, requests: dict[str, Ticket]) -> None:
    me = org.users["requester"]
    assert portal_counts(me) == {"all": 4, "open": 1, "waiting": 1, "resolved": 1, "closed": 1}
    client = _client(me)
    page = client.get("/desk/").content.decode()
    assert str(requests["others"].number) not in page
    assert len(_rows(page)) == 4
    for name, expected in [
        ("open", "new"),
        ("waiting", "waiting"),
        ("resolved", "resolved"),
        ("closed", "closed"),
    ]:
        shown = _rows(client.get("/desk/", {"show": name}).content.decode())
        assert shown == [requests[expected].number], name
    # the tab in use is marked, each tab carries its count
    page = client.get("/desk/", {"show": "waiting"}).content.decode()
    assert re.search(
        r'class="tab tab-waiting" aria-current="page">[^<]+<span class="badge">1<', page
    )
    assert re.search(r'class="tab tab-all">[^<]+<span class="badge">4<', page)
    # anything else is "all", never an error
    assert len(_rows(client.get("/desk/", {"show": "<x>"}).content.decode())) == 4


def test_newest_activity_first(org: Org, requests: dict[str, Ticket]) -> None:
    services.ticket_reply(ticket=requests["new"], author=org.users["agent"], body="확인 중입니다")
    page = _client(org.users["requester"]).get("/desk/").content.decode()
    assert _rows(page)[0] == requests["new"].number


def test_rows_say_status_solution_and_who_has_it(org: Org, requests: dict[str, Ticket]) -> None:
    page = _client(org.users["requester"]).get("/desk/").content.decode()
    row = page.split(f'id="request-{requests["new"].number}"')[1].split("</tr>")[0]
    assert 'class="badge status-new"' in row
    assert org.own.name in row
    t = requests["new"]
    assert (t.team.name if t.team else "") in row
    assert 'data-label="' in row and "<td>" not in row  # every cell is labelled for the cards
    assert 'class="data cards requests"' in page


def test_close_offered_only_where_the_rule_allows(org: Org, requests: dict[str, Ticket]) -> None:
    me = org.users["requester"]
    client = _client(me)
    page = client.get("/desk/").content.decode()

    def closable(key: str) -> bool:
        row = page.split(f'id="request-{requests[key].number}"')[1].split("</tr>")[0]
        return "close-request" in row

    assert closable("new") and closable("waiting") and closable("resolved")
    assert not closable("closed")
    link = f'href="/desk/tickets/{requests["resolved"].pk}/#move-close"'
    assert link in page
    # following it: the close action on the ticket page closes the request
    response = client.post(
        f"/desk/tickets/{requests['resolved'].pk}/move/close/", {"close-reason": "해결됐어요"}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=requests["resolved"].pk).status == TicketStatus.CLOSED
    counts = portal_counts(me)
    assert counts["resolved"] == 0 and counts["closed"] == 2
    # a manager reads and files nothing: no close for them even on their own request
    manager = org.users["manager"]
    Ticket.objects.filter(pk=requests["others"].pk).update(requester=manager)
    page = _client(manager).get("/desk/").content.decode()
    assert str(requests["others"].number) in page and "close-request" not in page


@pytest.mark.parametrize("role", ["requester", "agent", "platform", "maker", "admin", "manager"])
def test_every_role_sees_only_what_they_filed(org: Org, role: str) -> None:
    user = org.users[role]
    mine = ticket(requester=user, subject=f"{role}의 요청")
    theirs = ticket(requester=org.users["other_maker"], subject="다른 사람", solution=org.other)
    page = _client(user).get("/desk/").content.decode()
    assert str(mine.number) in page
    assert str(theirs.number) not in page  # even for those who may read it: this is "my requests"


def test_empty_state_says_what_to_do(org: Org) -> None:
    page = _client(org.users["requester"]).get("/desk/").content.decode()
    assert 'class="empty"' in page
    assert "아직 요청이 없습니다" in page
    assert 'href="/desk/new/"' in page
    assert '<nav class="tabs"' not in page  # no empty tabs
    # a manager cannot file: no "new request" in the empty state
    page = _client(org.users["manager"]).get("/desk/").content.decode()
    assert 'href="/desk/new/"' not in page


def test_empty_tab_points_back_to_all(org: Org) -> None:
    ticket(requester=org.users["requester"])
    page = _client(org.users["requester"]).get("/desk/", {"show": "closed"}).content.decode()
    assert 'class="empty"' in page and 'href="?show=all"' in page


def test_search_page_is_korean_with_empty_states(org: Org) -> None:
    client = _client(org.users["requester"])
    page = client.get("/desk/tickets/").content.decode()
    assert "티켓 검색" in page and 'class="empty"' in page
    page = client.get("/desk/tickets/", {"q": "없는 제목"}).content.decode()
    assert 'class="empty"' in page and 'href="/desk/tickets/"' in page
    t = ticket(requester=org.users["requester"], subject="찾을 요청")
    page = client.get("/desk/tickets/", {"q": "찾을"}).content.decode()
    assert str(t.number) in page and 'class="data cards requests"' in page
