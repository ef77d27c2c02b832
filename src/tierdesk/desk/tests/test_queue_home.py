"""The home page per role: a requester goes to their requests, a desk worker sees their
work, a maker their requests and their solutions' tickets, managers and admins links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from tierdesk.common import clock
from tierdesk.desk import ladder, services
from tierdesk.desk.choices import TicketStatus
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket
from tierdesk.sla.tests.factories import MONDAY_10, set_tier
from tierdesk.sla.tests.factories import ticket as sla_ticket

pytestmark = pytest.mark.django_db


def _home(org: Org, role: str) -> tuple[int, str, str]:
    client = Client()
    client.force_login(org.users[role])
    response = client.get("/")
    return response.status_code, response.get("Location", ""), response.content.decode()


def test_a_requester_lands_on_their_requests(org: Org) -> None:
    status, location, _body = _home(org, "requester")
    assert (status, location) == (302, "/desk/")


def test_a_desk_worker_sees_their_work(org: Org) -> None:
    set_tier(org.own, "critical")
    agent = org.users["agent"]
    late = sla_ticket(
        requester=org.users["requester"],
        solution=org.own,
        subject="late one",
        impact="high",
        urgency="high",
    )
    waits = sla_ticket(requester=org.users["requester"], solution=org.own, subject="waits")
    sla_ticket(requester=org.users["requester"], solution=org.own, subject="nobody's")
    for t in (late, waits):
        ladder.ticket_assign(ticket=t, actor=agent, agent=agent, reason="mine")
    services.ticket_set_status(ticket=waits, actor=agent, status=TicketStatus.WAITING_ON_REQUESTER)
    with clock.frozen(MONDAY_10 + dt.timedelta(hours=1)):
        status, _location, body = _home(org, "agent")
    assert status == 200
    assert "Your work" in body
    for href, count in (
        ("?mine=1", 2),
        ("?mine=1&amp;due=breached", 1),
        ("?mine=1&amp;status=waiting_on_requester", 1),
        (f"?team={late.team_id}&amp;unassigned=1", 1),
    ):
        assert f'href="/desk/queue/{href}"' in body, href
        tile = body[body.index(f'href="/desk/queue/{href}"') :]
        assert f'<span class="num">{count}</span>' in tile[: tile.index("</a>")], href
    assert 'class="alert"' in body  # breached shows in red
    assert body.index("late one") < body.index("waits")  # next due first
    assert "solutions you can see" not in body  # their work, not the inventory


@pytest.mark.parametrize("role", ["platform", "partner", "member"])
def test_other_desk_workers_get_the_work_home(org: Org, role: str) -> None:
    status, _location, body = _home(org, role)
    assert status == 200
    assert "Your work" in body and "My open tickets" in body


def test_a_maker_sees_requests_and_tickets_on_their_solutions_first(org: Org) -> None:
    ticket(requester=org.users["maker"], subject="my own question")
    ticket(requester=org.users["requester"], solution=org.own, subject="about your app")
    ticket(requester=org.users["requester"], solution=org.other, subject="not yours")
    status, _location, body = _home(org, "maker")
    assert status == 200
    assert "my own question" in body and "about your app" in body
    assert "not yours" not in body
    assert body.index("Your open requests") < body.index("solutions you can see")
    assert "Your work" not in body
    _s, _l, co_owner = _home(org, "co_owner")
    assert "about your app" in co_owner


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_keep_the_summary_with_links(org: Org, role: str) -> None:
    status, _location, body = _home(org, role)
    assert status == 200
    assert "Where to look" in body and 'href="/sla/"' in body and 'href="/desk/queue/"' in body
    assert "solutions you can see" in body
    assert ('href="/admin/"' in body) == (role == "admin")


def test_home_in_korean(org: Org) -> None:
    org.users["agent"].preferred_language = ""  # follows the browser
    org.users["agent"].save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(org.users["agent"])
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for word in ("내 작업", "내 미해결 티켓", "오늘 기한", "위반", "요청자 응답 대기"):
        assert word in body, word


@pytest.mark.parametrize("role", ["agent", "member", "maker", "manager", "admin", "partner"])
def test_home_reads_a_fixed_number_of_queries(
    org: Org, role: str, django_assert_max_num_queries: Any
) -> None:
    """The same number of queries with 3 tickets or 30 (no query per ticket): session,
    user, roles, the work tiles' capped counts, the first rows, the summary and the bell."""
    client = Client()
    client.force_login(org.users[role])
    for n in (3, 30):
        while Ticket.objects.count() < n:
            ticket(requester=org.users["requester"], solution=org.own)
        with django_assert_max_num_queries(16):
            assert client.get("/").status_code == 200
