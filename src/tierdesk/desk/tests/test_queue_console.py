"""The agent queue: sorts (next SLA due first by default), filters of the built-in views,
the markers ("escalated to us", "new since you looked"), indexes and a flat query count."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.common.models import PageLook
from tierdesk.desk import ladder, queue, selectors, services
from tierdesk.desk.choices import TicketStatus
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket
from tierdesk.sla.tests.factories import MONDAY_10, set_tier
from tierdesk.sla.tests.factories import ticket as sla_ticket

pytestmark = pytest.mark.django_db


def _q(**params: Any) -> dict[str, Any]:
    """Query parameters for the test client."""
    return params


def _client(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


def _numbers(body: str) -> list[str]:
    """Ticket numbers in the order the queue's rows show them."""
    return re.findall(r'class="ticket-link" href="[^"]*">(TD-\d+)<', body)


def _help_desk() -> SupportTeam:
    return SupportTeam.objects.get(kind=TeamKind.HELP_DESK)


def test_next_due_first_is_the_default_then_priority_and_recently_updated(org: Org) -> None:
    set_tier(org.own, "critical")
    slow = sla_ticket(requester=org.users["requester"], solution=org.own, subject="slow one")
    fast = sla_ticket(
        requester=org.users["requester"],
        solution=org.own,
        subject="urgent one",
        impact="high",
        urgency="high",
        at=MONDAY_10 + dt.timedelta(minutes=5),
    )
    team = fast.team_id
    client = _client(org, "agent")
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=10)):
        by_due = client.get("/desk/queue/", _q(team=team)).content.decode()
        by_priority = client.get("/desk/queue/", _q(team=team, sort="priority"))
    assert _numbers(by_due) == [fast.number, slow.number]  # filed later, due first
    assert _numbers(by_priority.content.decode()) == [fast.number, slow.number]
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=20)):
        services.ticket_update(
            ticket=slow,
            actor=org.users["agent"],
            expected_version=slow.version,
            changes={"subject": "slow one, edited"},
        )
        by_update = client.get("/desk/queue/", _q(team=team, sort="updated"))
    assert _numbers(by_update.content.decode()) == [slow.number, fast.number]
    assert 'aria-current="true">SLA' in by_due  # the header says which sort is on


def test_breached_due_today_and_waiting_views(org: Org) -> None:
    set_tier(org.own, "critical")
    p1 = sla_ticket(
        requester=org.users["requester"],
        solution=org.own,
        subject="p1",
        impact="high",
        urgency="high",
    )
    p4 = sla_ticket(requester=org.users["requester"], solution=org.own, subject="p4")
    waiting = sla_ticket(requester=org.users["requester"], solution=org.own, subject="waits")
    services.ticket_set_status(ticket=waiting, actor=None, status=TicketStatus.WAITING_ON_REQUESTER)
    client = _client(org, "agent")
    team = p1.team_id
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=30)):  # the P1's 15 minutes are gone
        breached = client.get("/desk/queue/", _q(team=team, due="breached"))
        today = client.get("/desk/queue/", _q(team=team, due="today"))
        waits = client.get(
            "/desk/queue/?" + f"team={team}&status=waiting_on_requester&status=waiting_on_vendor"
        )
    assert p1.number in _numbers(breached.content.decode())
    assert p4.number not in _numbers(breached.content.decode())
    assert p1.number in _numbers(today.content.decode())
    assert _numbers(waits.content.decode()) == [waiting.number]
    assert "sla-breached" in breached.content.decode()


def _escalated_to_platform(org: Org, subject: str = "needs the platform team") -> Ticket:
    t = ticket(requester=org.users["requester"], subject=subject)
    assert t.team_id == _help_desk().pk
    return ladder.ticket_escalate(ticket=t, actor=org.users["agent"], reason="platform bug")


def test_escalated_to_us_marks_the_arrival_until_someone_takes_it(org: Org) -> None:
    arrived = _escalated_to_platform(org)
    platform = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    assert arrived.team_id == platform.pk
    back_down = _escalated_to_platform(org, "comes back down")
    ladder.ticket_de_escalate(ticket=back_down, actor=org.users["platform"], reason="desk")
    client = _client(org, "platform")
    body = client.get("/desk/queue/", _q(team=platform.pk)).content.decode()
    row = body[body.index(f'id="t{arrived.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "marker escalated" in row
    view = client.get("/desk/queue/", _q(team=platform.pk, escalated="1")).content.decode()
    assert _numbers(view) == [arrived.number]
    # The help desk, where the other ticket came back to, does not call it escalated.
    desk_body = _client(org, "agent").get("/desk/queue/", _q(team=_help_desk().pk))
    assert "marker escalated" not in desk_body.content.decode()
    ladder.ticket_assign(
        ticket=arrived, actor=org.users["platform"], agent=org.users["platform"], reason="mine"
    )
    PageLook.objects.all().delete()  # a first look: nothing counts as arrived since then
    after = client.get("/desk/queue/", _q(team=platform.pk)).content.decode()
    assert "marker escalated" not in after
    # The view still lists what arrived by escalation this week, taken or not.
    listed = client.get("/desk/queue/", _q(team=platform.pk, escalated="1"))
    assert _numbers(listed.content.decode()) == [arrived.number]


def test_escalated_marker_ages_out(org: Org) -> None:
    _escalated_to_platform(org)
    platform = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    with clock.frozen(clock.now() + queue.ESCALATED_WINDOW + dt.timedelta(hours=1)):
        body = _client(org, "platform").get("/desk/queue/", _q(team=platform.pk))
        view = _client(org, "platform").get("/desk/queue/", _q(team=platform.pk, escalated="1"))
    assert "marker escalated" not in body.content.decode()
    assert _numbers(view.content.decode()) == []


def test_new_since_you_looked_lasts_the_sitting_and_can_be_cleared(org: Org) -> None:
    start = clock.now()
    old = ticket(requester=org.users["requester"], subject="old one")
    client = _client(org, "agent")
    team = _q(team=old.team_id)
    with clock.frozen(start + dt.timedelta(minutes=1)):
        first = client.get("/desk/queue/", team).content.decode()
    assert "marker new" not in first  # the first look marks nothing
    with clock.frozen(start + dt.timedelta(hours=2)):
        fresh = ticket(requester=org.users["requester"], subject="fresh one")
    with clock.frozen(start + dt.timedelta(hours=3)):
        back = client.get("/desk/queue/", team).content.decode()
    with clock.frozen(start + dt.timedelta(hours=3, minutes=5)):
        again = client.get("/desk/queue/", team).content.decode()
    for body in (back, again):  # the whole sitting keeps the marker
        row = body[body.index(f'id="t{fresh.pk}"') :]
        assert "marker new" in row[: row.index("</tr>")]
        row = body[body.index(f'id="t{old.pk}"') :]
        assert "marker new" not in row[: row.index("</tr>")]
    with clock.frozen(start + dt.timedelta(hours=3, minutes=6)):
        seen = client.post("/desk/queue/seen/", {"next": f"team={old.team_id}"})
        assert seen.status_code == 302
        assert seen["Location"] == f"/desk/queue/?team={old.team_id}"
        cleared = client.get("/desk/queue/", team).content.decode()
    assert "marker new" not in cleared


def test_a_look_is_written_at_most_once_a_minute(org: Org) -> None:
    client = _client(org, "agent")
    start = clock.now()
    with clock.frozen(start):
        client.get("/desk/queue/")
    with (
        clock.frozen(start + dt.timedelta(seconds=20)),
        CaptureQueriesContext(connection) as captured,
    ):
        client.get("/desk/queue/")
    writes = [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [q for q in writes if "common_pagelook" in q["sql"]]
    look = PageLook.objects.get(user=org.users["agent"])
    assert look.seen_at == start


def _queue_queries(client: Client, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/desk/queue/", params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"sort": "priority"}, {"due": "breached"}])
def test_the_queue_page_costs_the_same_with_3_or_30_tickets(org: Org, params: Any) -> None:
    """Guard: the number of queries does not grow with the rows (no query per row)."""
    for i in range(3):
        ticket(requester=org.users["requester"], subject=f"first {i}")
    escalated = _escalated_to_platform(org)
    client = _client(org, "platform")
    team = _q(team=escalated.team_id, **params)
    _queue_queries(client, team)  # the first look is stored; later ones within a minute not
    small = _queue_queries(client, team)
    for i in range(30):
        _escalated_to_platform(org, f"more {i}")
    large = _queue_queries(client, team)
    assert large == small
    assert large <= 18, large


def _plan(qs: Any) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
@pytest.mark.parametrize(
    "query, index",
    [
        ("", "desk_"),  # next due first: the team's open tickets from an index
        ("sort=priority", "desk_queue"),
        ("escalated=1", "desk_level_changed"),
        ("status=waiting_on_requester&status=waiting_on_vendor", "desk_"),
    ],
)
def test_the_queue_reads_through_its_indexes(org: Org, query: str, index: str) -> None:
    agent = org.users["agent"]
    ticket(requester=org.users["requester"])
    filters, _teams = queue.filters_from_query(agent, QueryDict(f"team={_help_desk().pk}&{query}"))
    ids = queue.ticket_queue(agent, filters).values_list("id", flat=True)[:51]
    plan = _plan(ids)
    assert re.search(rf"INDEX {index}\w* \(team_id=\? AND", plan), plan
    assert "SCAN desk_ticket" not in plan, plan
    if query == "sort=priority":
        assert "TEMP B-TREE" not in plan, plan  # walked in index order
    mine, _ = queue.filters_from_query(agent, QueryDict("mine=1"))
    plan = _plan(queue.ticket_queue(agent, mine).values_list("id", flat=True)[:51])
    assert "INDEX desk_mine (agent_id=? AND is_open=?)" in plan, plan


@pytest.mark.parametrize("role", ["admin", "platform", "agent", "manager", "member", "partner"])
def test_a_team_queue_shows_exactly_what_the_visibility_rule_allows(org: Org, role: str) -> None:
    """The queue drops the visibility condition only where it holds for every row."""
    help_desk = _help_desk()
    ticket(requester=org.users["requester"], subject="open")
    ticket(requester=org.users["other_maker"], subject="secret", is_confidential=True)
    ticket(requester=org.users["requester"], solution=org.partner_solution, subject="partner")
    user = org.users[role]
    for team in queue.queue_teams_for(user):
        filters = queue.QueueFilters(team=team)
        shown = set(queue.ticket_queue(user, filters).values_list("id", flat=True))
        allowed = set(
            selectors.tickets_visible_to(user)
            .filter(team=team, is_open=True)
            .values_list("id", flat=True)
        )
        assert shown == allowed, (role, team)
    assert queue.sees_whole_team(org.users["agent"], help_desk)


def test_bad_query_strings_answer_the_default_or_404_never_500(org: Org) -> None:
    client = _client(org, "agent")
    for params in (
        {"sort": "bogus"},
        {"status": "nope", "priority": "p9", "level": "x", "due": "soon"},
        {"page": "99999999999999999999999"},
        {"page": "-1"},
        {"q": "x" * 5000},
    ):
        assert client.get("/desk/queue/", params).status_code == 200, params
    assert client.get("/desk/queue/", _q(team="abc")).status_code == 404
    assert client.get("/desk/queue/", _q(team="9" * 30)).status_code == 404
    other = SupportTeam.objects.get(kind=TeamKind.TEAM)
    assert _client(org, "partner").get("/desk/queue/", _q(team=other.pk)).status_code == 404


def test_the_page_has_its_keys_help_and_no_inline_script_or_style(org: Org) -> None:
    ticket(requester=org.users["requester"])
    body = _client(org, "agent").get("/desk/queue/").content.decode()
    assert '<dialog id="shortcuts"' in body
    assert "desk/console.js" in body and "desk/console.css" in body
    assert "data-shortcuts-open" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert " style=" not in body and "onclick" not in body
    assert "data-select-all" in body and 'form="bulk-form"' in body
    # Each ticket link carries the rows after it, for the ticket page's "next ticket".
    assert "?next=" in body or body.count('class="ticket-link"') == 1


def test_korean_queue_speaks_korean(org: Org) -> None:
    org.users["agent"].preferred_language = ""  # follows the browser
    org.users["agent"].save(update_fields=["preferred_language"])
    ticket(requester=org.users["requester"])
    client = _client(org, "agent")
    body = client.get("/desk/queue/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for word in ("내 미해결", "오늘 기한", "위반", "대기 중", "에스컬레이션됨", "단축키"):
        assert word in body, word
