"""Saved views (named rules, personal and team scope) and bulk actions on the queue (each
ticket through its own service: allowed rows change, refused rows say why)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from conftest import Org
from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import SupportTeam, TeamMembership
from tierdesk.accounts.services import team_add_member
from tierdesk.common.models import SavedView
from tierdesk.desk import queue, services
from tierdesk.desk.choices import TicketStatus
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket

pytestmark = pytest.mark.django_db


def _q(**params: Any) -> dict[str, Any]:
    """Query parameters for the test client."""
    return params


def _client(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


def _team(kind: str) -> SupportTeam:
    return SupportTeam.objects.get(kind=kind)


# ------------------------------------------------------------------------ saved views


def test_who_may_save_a_view(org: Org) -> None:
    u = org.users
    desk = _team(TeamKind.HELP_DESK)
    for role in ("admin", "platform", "agent", "manager", "maker", "member", "partner"):
        assert queue.can_save_view(u[role]), role  # a personal view: anyone with a queue
    assert not queue.can_save_view(u["requester"])
    assert queue.can_save_view(u["admin"], desk)
    assert queue.can_save_view(u["platform"], desk)
    assert not queue.can_save_view(u["agent"], desk)  # a member, not its lead
    assert not queue.can_save_view(u["manager"], desk)  # reads, never writes for a team
    TeamMembership.objects.filter(team=desk, user=u["agent"]).update(role=MembershipRole.LEAD)
    assert queue.can_save_view(u["agent"], desk)
    other = _team(TeamKind.PARTNER)
    other.lead = u["member"]
    other.save()
    assert queue.can_save_view(u["member"], other)  # the team's lead by the team's own field
    vendor = SupportTeam.objects.create(name="Vendor", kind=TeamKind.VENDOR)
    assert not queue.can_save_view(u["admin"], vendor)


def test_saved_views_are_personal_or_the_teams(org: Org) -> None:
    u = org.users
    desk = _team(TeamKind.HELP_DESK)
    mine = queue.saved_view_create(actor=u["agent"], name=" 내  P1 ", query="priority=p1&page=3")
    assert mine.name == "내 P1" and mine.query == "priority=p1"  # no page number kept
    shared = queue.saved_view_create(
        actor=u["admin"], name="위반 P1", query="due=breached&priority=p1", team=desk
    )
    second = queue.saved_view_create(actor=u["agent"], name="Two", query="sort=updated")
    assert second.position == mine.position + 1
    helper = u["agent"]
    assert set(queue.saved_views_listed(helper, desk)) == {mine, shared, second}
    assert set(queue.saved_views_listed(u["platform"], None)) == set()  # not its team
    assert shared in queue.saved_views_listed(u["platform"], desk)  # looking at that queue
    assert list(queue.saved_views_listed(u["member"], None)) == []
    with pytest.raises(Http404):
        queue.saved_view_get_for_user(u["platform"], mine.pk)  # someone else's personal view
    with pytest.raises(Http404):
        queue.saved_view_get_for_user(u["member"], shared.pk)  # not their team's
    with pytest.raises(ValidationError):
        queue.saved_view_create(actor=u["agent"], name="내 P1", query="")
    with pytest.raises(ValidationError):
        queue.saved_view_create(actor=u["agent"], name="   ", query="")
    with pytest.raises(ValidationError):
        queue.saved_view_create(actor=u["agent"], name="x" * 81, query="")
    # The same name in another scope is fine.
    queue.saved_view_create(actor=u["platform"], name="내 P1", query="")
    with pytest.raises(PermissionDenied):
        queue.saved_view_create(actor=u["agent"], name="Team", query="", team=desk)
    with pytest.raises(PermissionDenied):
        queue.saved_view_update(actor=u["agent"], view=shared, name="mine now")
    with pytest.raises(PermissionDenied):
        queue.saved_view_delete(actor=u["platform"], view=mine)
    queue.saved_view_update(actor=u["platform"], view=shared, name="P1 위반")
    queue.saved_view_update(actor=u["agent"], view=mine, query="mine=1&bogus=1&status=new")
    mine.refresh_from_db()
    assert mine.query == "mine=1&status=new"
    with pytest.raises(ValidationError):
        queue.saved_view_update(actor=u["agent"], view=second, name="내 P1")
    queue.saved_view_delete(actor=u["agent"], view=second)
    assert not SavedView.objects.filter(pk=second.pk).exists()


def test_saving_renaming_and_deleting_from_the_page(org: Org) -> None:
    client = _client(org, "agent")
    desk = _team(TeamKind.HELP_DESK)
    query = f"team={desk.pk}&priority=p1"
    made = client.post("/desk/queue/views/", {"name": "급한 것", "query": query})
    assert made.status_code == 302 and made["Location"] == f"/desk/queue/?{query}"
    view = SavedView.objects.get(name="급한 것")
    page = client.get(made["Location"]).content.decode()
    href = query.replace("&", "&amp;")
    assert f'href="?{href}" aria-current="page">급한 것</a>' in page
    again = client.post("/desk/queue/views/", {"name": "급한 것", "query": query})
    assert again.status_code == 400
    assert "already exists" in again.content.decode()
    team = client.post(
        "/desk/queue/views/",
        {"name": "팀", "query": query, "scope": "team", "team": desk.pk},
    )
    assert team.status_code == 403
    bad = client.post("/desk/queue/views/", {"name": "팀", "scope": "team", "team": "x"})
    assert bad.status_code == 400
    renamed = client.post(f"/desk/queue/views/{view.pk}/", {"name": "P1 먼저"})
    assert renamed.status_code == 302
    view.refresh_from_db()
    assert view.name == "P1 먼저"
    other = _client(org, "platform")
    assert other.post(f"/desk/queue/views/{view.pk}/", {"name": "x"}).status_code == 404
    assert other.post(f"/desk/queue/views/{view.pk}/delete/").status_code == 404
    assert client.post(f"/desk/queue/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()
    page = client.get("/desk/queue/").content.decode()
    assert "Save these filters as a view" in page
    assert "Everyone in" not in page  # the agent is no lead: no team option offered
    lead_page = _client(org, "platform").get("/desk/queue/", _q(team=desk.pk))
    assert "Everyone in" in lead_page.content.decode()


def test_built_in_views_follow_the_team_and_mark_the_current_one(org: Org) -> None:
    desk = _team(TeamKind.HELP_DESK)
    client = _client(org, "agent")
    body = client.get("/desk/queue/", _q(team=desk.pk, due="breached")).content.decode()
    assert f'href="?team={desk.pk}&amp;due=breached" aria-current="page"' in body
    assert 'href="?mine=1"' in body
    assert f'href="?team={desk.pk}&amp;escalated=1"' in body


# ------------------------------------------------------------------------ bulk actions


def _bulk(client: Client, tickets: list[Ticket], **data: Any) -> Any:
    return client.post(
        "/desk/queue/bulk/", {"ticket": [t.pk for t in tickets], "next": "mine=1", **data}
    )


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_bulk_assign_to_me_changes_the_allowed_and_reports_the_refused(org: Org) -> None:
    requester = org.users["requester"]
    first, second = ticket(requester=requester), ticket(requester=requester)
    closed = ticket(requester=requester, subject="done")
    services.ticket_close(ticket=closed, actor=None)
    hidden = ticket(requester=org.users["other_maker"], subject="secret", is_confidential=True)
    hidden.team = _team(TeamKind.PLATFORM)
    hidden.save(update_fields=["team"])
    response = _bulk(_client(org, "agent"), [first, second, closed, hidden], action="assign_me")
    assert response.status_code == 302
    assert response["Location"] == "/desk/queue/?mine=1"
    said = _messages(response)
    assert said[0] == "2 changed, 1 refused, 1 not found."
    assert said[1].startswith(f"{closed.number}: ")
    for t in (first, second):
        t.refresh_from_db()
        assert t.agent == org.users["agent"]
    closed.refresh_from_db()
    assert closed.agent is None


def test_bulk_status_triage_team_person_and_link(org: Org) -> None:
    requester = org.users["requester"]
    agent = org.users["agent"]
    client = _client(org, "agent")
    a, b = ticket(requester=requester, subject="a"), ticket(requester=requester, subject="b")
    services.ticket_set_status(ticket=b, actor=None, status=TicketStatus.IN_PROGRESS)
    assert _bulk(client, [a, b], action="triage", impact="high", urgency="high").status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.priority) == (TicketStatus.TRIAGED, "p1")  # new → triaged
    assert (b.status, b.priority) == (TicketStatus.IN_PROGRESS, "p1")  # keeps its status
    response = _bulk(client, [a, b], action="status", status="waiting_on_requester")
    assert response.status_code == 302
    assert _messages(response)[-1] == "2 changed."
    assert set(Ticket.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        TicketStatus.WAITING_ON_REQUESTER
    }
    helper = org.users["platform"]
    team_add_member(team=_team(TeamKind.HELP_DESK), user=helper)
    person = _bulk(client, [a], action="assign_person", person=helper.pk)
    assert person.status_code == 302
    a.refresh_from_db()
    assert a.agent == helper
    original = ticket(requester=requester, subject="the first one")
    linked = _bulk(client, [b], action="link", original=str(original.number).lower())
    assert linked.status_code == 302
    b.refresh_from_db()
    assert b.duplicate_of == original
    moved = _bulk(client, [b], action="assign_team", team=_team(TeamKind.PLATFORM).pk)
    assert moved.status_code == 302
    b.refresh_from_db()
    assert b.team == _team(TeamKind.PLATFORM) and b.agent is None
    resolved = _bulk(client, [a], action="status", status="resolved", reason="fixed")
    assert resolved.status_code == 302
    a.refresh_from_db()
    assert a.status == TicketStatus.RESOLVED
    del agent


def test_bulk_refused_by_rule_or_form_changes_nothing(org: Org) -> None:
    t = ticket(requester=org.users["requester"], solution=org.own)
    before = Ticket.objects.get(pk=t.pk).version
    # The requester sees their ticket but works none: the service's rule refuses.
    refused = _bulk(_client(org, "requester"), [t], action="status", status="in_progress")
    assert refused.status_code == 403
    assert "You may not change its status." in refused.content.decode()
    # Someone who cannot see it: as if it did not exist.
    hidden = _bulk(_client(org, "partner"), [t], action="assign_me")
    assert hidden.status_code == 404
    agent = _client(org, "agent")
    for data, status in (
        ({"action": "triage", "impact": "high"}, 400),  # no urgency
        ({"action": "status"}, 400),
        ({"action": "link", "original": "TD-999999"}, 400),
        ({"action": "assign_person", "person": "nobody-here"}, 400),
        ({"action": "explode"}, 400),
    ):
        assert _bulk(agent, [t], **data).status_code == status, data
    assert agent.post("/desk/queue/bulk/", {"action": "assign_me"}).status_code == 400
    bad_id = agent.post("/desk/queue/bulk/", {"ticket": ["abc"], "action": "assign_me"})
    assert bad_id.status_code == 400
    too_many = agent.post(
        "/desk/queue/bulk/", {"ticket": [str(i) for i in range(1, 150)], "action": "assign_me"}
    )
    assert too_many.status_code == 400
    assert Ticket.objects.get(pk=t.pk).version == before


def test_one_refused_ticket_does_not_undo_the_others(org: Org) -> None:
    """Each ticket is its own transaction: the first change stays when the second fails."""
    requester = org.users["requester"]
    ok, stale = ticket(requester=requester, subject="ok"), ticket(requester=requester)
    services.ticket_set_status(ticket=stale, actor=None, status=TicketStatus.IN_PROGRESS)
    outcome = queue.queue_bulk(
        actor=org.users["agent"],
        ticket_ids=[ok.pk, stale.pk],
        action=queue.BulkAction(kind="status", status="bogus"),
    )
    assert outcome.changed == [] and len(outcome.refused) == 2
    outcome = queue.queue_bulk(
        actor=org.users["member"],  # works only its own team's tickets
        ticket_ids=[ok.pk, stale.pk],
        action=queue.BulkAction(kind="assign_me"),
    )
    assert outcome.missing == 2  # the help desk's tickets are hidden from a business team
    outcome = queue.queue_bulk(
        actor=org.users["agent"],
        ticket_ids=[ok.pk, stale.pk, ok.pk],
        action=queue.BulkAction(kind="triage", impact="medium", urgency="high"),
    )
    assert [t.pk for t in outcome.changed] == [ok.pk, stale.pk]  # each id once
    assert Ticket.objects.get(pk=ok.pk).priority == "p2"
