"""The desk shows SLA badges, sorts its queue by due time and shows the clock history."""

from __future__ import annotations

import datetime as dt

import pytest

from tierdesk.common import clock
from tierdesk.sla.tests.factories import MONDAY_10, set_tier, ticket

pytestmark = pytest.mark.django_db


def test_queue_badges_and_due_sort(client, org):
    set_tier(org.own, "critical")
    slow = ticket(requester=org.users["requester"], solution=org.own, subject="slow one")
    fast = ticket(
        requester=org.users["requester"],
        solution=org.own,
        subject="urgent one",
        impact="high",
        urgency="high",
        at=MONDAY_10 + dt.timedelta(minutes=1),
    )
    client.force_login(org.users["agent"])
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=30)):
        page = client.get("/desk/queue/", {"team": fast.team_id, "sort": "due"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "sla-breached" in body  # the P1's 15 minutes are gone
    assert body.index("urgent one") < body.index("slow one")
    assert slow.team_id == fast.team_id


def test_ticket_page_shows_the_clock_history(client, org):
    set_tier(org.own, "important")
    t = ticket(requester=org.users["requester"], solution=org.own)
    client.force_login(org.users["agent"])
    body = client.get(f"/desk/tickets/{t.pk}/").content.decode()
    assert "Clock history" in body and "중요" in body  # the policy, named in Korean
