"""The ticket page and the desk pages of issue 11, through the test client: triage opens
on the ticket's own values, canned responses without JavaScript, pickers, merge with
search and preview, vendor cases, logging for someone, the breadcrumb."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from conftest import Org
from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import SupportTeam, TeamMembership, User
from tierdesk.common import clock
from tierdesk.desk import ladder, services
from tierdesk.desk.choices import Channel, TicketStatus, Topic, VendorCaseStatus
from tierdesk.desk.models import CannedResponse, Ticket, VendorCase
from tierdesk.desk.tests.factories import ticket
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def own_ticket(org: Org) -> Ticket:
    inventory.solution_update(
        solution=org.own,
        actor=None,
        expected_version=org.own.version,
        changes={"support_model": SupportModel.SELF},
    )
    return ticket(requester=org.users["requester"], solution=org.own, topic=Topic.BUG)


def test_triage_opens_on_the_tickets_values_with_the_matrix_for_the_preview(org: Org) -> None:
    t = ticket(requester=org.users["requester"], impact="low", urgency="medium")
    page = _client(org.users["agent"]).get(f"/desk/tickets/{t.pk}/").content.decode()
    triage = page[page.index('id="move-triage"') :]
    triage = triage[: triage.index("</details>")]
    assert re.search(r'<option value="low" selected>', triage)
    assert re.search(r'<option value="medium" selected>', triage)
    assert 'value="high" selected' not in triage
    matrix = re.search(r'data-priority-matrix="([^"]+)"', triage)
    assert matrix is not None
    cells = json.loads(matrix.group(1).replace("&quot;", '"'))
    assert cells["high|high"] == "p1" and cells["low|medium"] == "p4"
    assert 'id="triage-priority"' in triage and "prio-p4" in triage
    assert "desk/ticket.js" in page


def test_canned_responses_fill_the_reply_without_javascript(org: Org, own_ticket: Ticket) -> None:
    found = CannedResponse.objects.create(
        title="확인 중", body="{{ requester.name }}님, {{ ticket.id }} 확인 중입니다. <b>x</b>"
    )
    client = _client(org.users["agent"])
    page = client.get(f"/desk/tickets/{own_ticket.pk}/").content.decode()
    assert 'id="canned-select"' in page and "확인 중" in page
    filled = client.get(f"/desk/tickets/{own_ticket.pk}/?canned={found.pk}").content.decode()
    box = filled[filled.index('id="reply-body"') :]
    box = box[: box.index("</textarea>")]
    assert f"{own_ticket.number} 확인 중입니다" in box and "&lt;b&gt;" in box
    # Requesters get no canned responses; a junk id is just ignored.
    mine = _client(org.users["requester"]).get(f"/desk/tickets/{own_ticket.pk}/?canned=abc")
    assert mine.status_code == 200 and b"canned-select" not in mine.content


def test_breadcrumb_leads_desk_workers_to_the_queue_and_requesters_to_their_requests(
    org: Org, own_ticket: Ticket
) -> None:
    for name, target in (("agent", "/desk/queue/"), ("maker", "/desk/queue/")):
        page = _client(org.users[name]).get(f"/desk/tickets/{own_ticket.pk}/").content.decode()
        assert f'class="crumbs" aria-label="Breadcrumb"><a href="{target}"' in page
    page = _client(org.users["requester"]).get(f"/desk/tickets/{own_ticket.pk}/").content.decode()
    assert 'aria-label="Breadcrumb"><a href="/desk/"' in page


def test_assign_and_watch_with_the_person_picker(org: Org, own_ticket: Ticket) -> None:
    client = _client(org.users["maker"])
    page = client.get(f"/desk/tickets/{own_ticket.pk}/").content.decode()
    assert 'data-picker="person"' in page
    response = client.post(
        f"/desk/tickets/{own_ticket.pk}/move/add_watcher/",
        {"add_watcher-person_text": "co_owner"},
    )
    assert response.status_code == 302
    assert own_ticket.watchers.filter(username="co_owner").exists()


def test_setting_the_solution_from_the_page(org: Org) -> None:
    t = ticket(requester=org.users["requester"], topic=Topic.BUG)
    client = _client(org.users["agent"])
    page = client.get(f"/desk/tickets/{t.pk}/").content.decode()
    assert 'id="move-set_solution"' in page and 'data-picker="solution"' in page
    response = client.post(
        f"/desk/tickets/{t.pk}/move/set_solution/",
        {"set_solution-solution_text": org.own.platform_id, "set_solution-reason": "앱 이름"},
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=t.pk).solution == org.own
    # A requester sees no such form, and posting it is refused.
    requester = _client(org.users["requester"])
    assert b"move-set_solution" not in requester.get(f"/desk/tickets/{t.pk}/").content
    refused = requester.post(
        f"/desk/tickets/{t.pk}/move/set_solution/", {"set_solution-solution": org.other.pk}
    )
    assert refused.status_code == 403


def test_merge_search_preview_and_confirm(org: Org) -> None:
    a = ticket(requester=org.users["requester"], subject="엑셀 내보내기 오류")
    b = ticket(requester=org.users["member"], subject="엑셀 내보내기가 안 됨")
    services.ticket_resolve(ticket=Ticket.objects.get(pk=a.pk), actor=None, reason="fixed")
    client = _client(org.users["agent"])
    search = client.get(f"/desk/tickets/{b.pk}/merge/", {"q": "엑셀"}).content.decode()
    assert str(a.number) in search and "status-resolved" in search
    assert f"/desk/tickets/{b.pk}/merge/{a.pk}/" in search
    preview = client.get(f"/desk/tickets/{b.pk}/merge/{a.pk}/").content.decode()
    assert 'id="reopen-warning"' in preview and 'id="confirm-merge"' in preview
    done = client.post(f"/desk/tickets/{b.pk}/move/merge/", {"merge-other": a.number})
    assert done.status_code == 302 and done["Location"] == f"/desk/tickets/{a.pk}/"
    assert Ticket.objects.get(pk=a.pk).is_open
    # A closed target: the preview says no and offers no merge button.
    c = ticket(requester=org.users["member"], subject="또 엑셀")
    services.ticket_close(ticket=Ticket.objects.get(pk=a.pk), actor=None, reason="done")
    closed = client.get(f"/desk/tickets/{c.pk}/merge/{a.pk}/").content.decode()
    assert 'id="refusal"' in closed and 'id="confirm-merge"' not in closed
    # Hidden tickets are missing; requesters may not merge at all.
    assert _client(org.users["requester"]).get(f"/desk/tickets/{a.pk}/merge/").status_code == 403
    assert _client(org.users["maker"]).get(f"/desk/tickets/{c.pk}/merge/").status_code == 404


def test_vendor_cases_list_and_update(org: Org) -> None:
    t = ticket(requester=org.users["requester"], topic=Topic.PLATFORM)
    case = ladder.vendor_case_open(
        ticket=t,
        actor=org.users["platform"],
        health_checked_at=clock.now() - dt.timedelta(hours=1),
        health_result="healthy",
        external_number="2611-ABC",
    )
    platform = _client(org.users["platform"])
    listing = platform.get("/desk/vendor-cases/").content.decode()
    assert "2611-ABC" in listing and "case-waiting_on_vendor" in listing
    assert "2611-ABC" not in platform.get("/desk/vendor-cases/?status=closed").content.decode()
    assert platform.get("/desk/vendor-cases/?status=nonsense").status_code == 200
    assert _client(org.users["agent"]).get("/desk/vendor-cases/").status_code == 403
    page = platform.get(f"/desk/tickets/{t.pk}/").content.decode()
    assert f"/desk/vendor-cases/{case.pk}/update/" in page
    response = platform.post(
        f"/desk/vendor-cases/{case.pk}/update/",
        {f"case{case.pk}-status": "resolved_by_vendor", f"case{case.pk}-note": "패치"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == VendorCaseStatus.RESOLVED_BY_VENDOR
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.IN_PROGRESS
    bad = platform.post(f"/desk/vendor-cases/{case.pk}/update/", {"status": "nope"})
    assert bad.status_code == 302 and VendorCase.objects.get(pk=case.pk).status == case.status


def test_log_a_request_for_someone(org: Org) -> None:
    agent = _client(org.users["agent"])
    page = agent.get("/desk/log/").content.decode()
    assert 'data-picker="person"' in page and 'value="walk_in"' in page
    response = agent.post(
        "/desk/log/",
        {
            "requester_text": "requester",
            "channel": "walk_in",
            "solution_text": "",
            "subject": "자리로 찾아와 문의",
            "description": "",
            "topic": "how_to",
            "impact": "low",
            "urgency": "low",
        },
    )
    assert response.status_code == 302, response.content[:500]
    t = Ticket.objects.get(subject="자리로 찾아와 문의")
    assert t.requester == org.users["requester"] and t.channel == Channel.WALK_IN
    assert t.logged_by == org.users["agent"]
    detail = agent.get(f"/desk/tickets/{t.pk}/").content.decode()
    assert 'id="channel"' in detail and "Walk-in" in detail
    assert _client(org.users["maker"]).get("/desk/log/").status_code == 403
    bad = agent.post("/desk/log/", {"requester_text": "nobody-at-all", "subject": "x"})
    assert bad.status_code == 400


def test_canned_response_pages(org: Org) -> None:
    team = SupportTeam.objects.get(kind=TeamKind.TEAM)
    TeamMembership.objects.filter(team=team, user=org.users["member"]).update(
        role=MembershipRole.LEAD
    )
    lead = _client(org.users["member"])
    form = lead.get("/desk/canned/new/").content.decode()
    assert "Every agent (no team)" not in form  # a lead writes for their team only
    created = lead.post("/desk/canned/new/", {"title": "팀 안내", "body": "b", "team": team.pk})
    assert created.status_code == 302
    found = CannedResponse.objects.get(title="팀 안내")
    assert found.team == team and found.created_by == org.users["member"]
    assert "팀 안내" in lead.get("/desk/canned/").content.decode()
    edited = lead.post(
        f"/desk/canned/{found.pk}/", {"title": "팀 안내 2", "body": "c", "team": team.pk}
    )
    assert edited.status_code == 302
    assert lead.post("/desk/canned/new/", {"title": "x", "body": "y"}).status_code == 400
    other = _client(org.users["agent"])  # not their team: missing to them
    assert other.get(f"/desk/canned/{found.pk}/").status_code == 404
    assert other.get("/desk/canned/new/").status_code == 403
    assert lead.post(f"/desk/canned/{found.pk}/delete/").status_code == 302
    assert not CannedResponse.objects.filter(pk=found.pk).exists()
    platform = _client(org.users["platform"])
    assert "Every agent (no team)" in platform.get("/desk/canned/new/").content.decode()
    assert _client(org.users["requester"]).get("/desk/canned/").status_code == 403


def test_a_requester_sees_close_my_request(org: Org, own_ticket: Ticket) -> None:
    client = _client(org.users["requester"])
    page = client.get(f"/desk/tickets/{own_ticket.pk}/").content.decode()
    assert "Close my request" in page
    refused = client.post(f"/desk/tickets/{own_ticket.pk}/move/close/", {"close-reason": ""})
    assert refused.status_code == 302
    assert Ticket.objects.get(pk=own_ticket.pk).is_open
    client.post(f"/desk/tickets/{own_ticket.pk}/move/close/", {"close-reason": "해결됨"})
    assert Ticket.objects.get(pk=own_ticket.pk).status == TicketStatus.CLOSED


def test_the_queue_chain_gives_a_next_ticket_link_and_ignores_what_is_not_ids(
    org: Org,
) -> None:
    from tierdesk.desk.tests.factories import ticket as make_ticket

    first = make_ticket(requester=org.users["requester"], solution=org.own)
    client = Client()
    client.force_login(org.users["agent"])
    page = client.get(f"/desk/tickets/{first.pk}/?next=41,42,43").content.decode()
    assert 'data-next-ticket href="/desk/tickets/41/?next=42,43"' in page
    assert "desk/console.js" in page
    for junk in ("", "abc", "-1", "1" * 19, "<script>"):
        page = client.get(f"/desk/tickets/{first.pk}/", {"next": junk}).content.decode()
        assert "data-next-ticket" not in page
