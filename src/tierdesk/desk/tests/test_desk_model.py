"""Issue 11's desk model: level changes stamped, the solution set by agents (routing and
SLA follow), merge that reopens rather than buries, vendor case status, canned responses,
@mentions, requests logged for someone, requesters closing their own request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import Org
from tierdesk.accounts.choices import MembershipRole, SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, TeamMembership
from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.common import clock
from tierdesk.desk import ladder, selectors, services
from tierdesk.desk.choices import (
    Channel,
    TicketEventType,
    TicketStatus,
    Topic,
    VendorCaseStatus,
)
from tierdesk.desk.models import CannedResponse, Ticket, TicketEvent, VendorCase
from tierdesk.desk.tests.factories import ticket
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel, Tier
from tierdesk.notify.models import InboxItem, Notification
from tierdesk.sla.models import SlaClock


def _self_supported(org: Org) -> None:
    inventory.solution_update(
        solution=org.own,
        actor=None,
        expected_version=org.own.version,
        changes={"support_model": SupportModel.SELF},
    )


def _fresh(t: Ticket) -> Ticket:
    return Ticket.objects.get(pk=t.pk)


# ------------------------------------------------------------------ level_changed_at


def test_level_changed_at_is_stamped_when_filed_and_when_the_level_moves(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], solution=org.own)
    assert t.level_changed_at == t.created_at
    filed = _fresh(t).level_changed_at
    services.ticket_reply(ticket=_fresh(t), author=org.users["maker"], body="봤어요")
    assert _fresh(t).level_changed_at == filed  # a reply is no move
    ladder.ticket_escalate(ticket=_fresh(t), actor=org.users["maker"], reason="desk")
    moved = _fresh(t)
    assert filed is not None and moved.level_changed_at is not None
    assert moved.level == SupportType.HELP_DESK and moved.level_changed_at > filed
    # The same level again (assigning someone at the help desk) keeps the time.
    ladder.ticket_assign(ticket=moved, actor=org.users["agent"], agent=org.users["agent"])
    assert _fresh(t).level_changed_at == moved.level_changed_at


# ------------------------------------------------------------------ setting the solution


def test_an_agent_sets_the_solution_and_routing_and_sla_follow(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], topic=Topic.BUG)  # named the app in words
    assert t.level == SupportType.HELP_DESK and t.solution is None
    assert "redirect" not in selectors.allowed_moves(org.users["agent"], t)
    before = set(SlaClock.objects.filter(ticket_id=t.pk).values_list("id", flat=True))
    done = ladder.ticket_set_solution(
        ticket=_fresh(t), actor=org.users["agent"], solution=org.own, reason="본문에 앱 이름"
    )
    # Nobody had picked it up: it goes where the solution's support model says.
    assert done.solution == org.own
    assert (done.level, done.agent) == (SupportType.SELF, org.users["maker"])
    kinds = list(TicketEvent.objects.filter(ticket=t).values_list("type", flat=True))
    assert TicketEventType.SOLUTION_SET in kinds and kinds.count(TicketEventType.ROUTED) == 2
    event = TicketEvent.objects.get(ticket=t, type=TicketEventType.SOLUTION_SET)
    assert event.parameters["after"] == org.own.name and event.parameters["reason"]
    assert SlaClock.objects.filter(ticket_id=t.pk).exists()
    assert before  # the clocks were there and still are (re-synced, not dropped)


def test_a_picked_up_ticket_keeps_its_place_and_offers_the_redirect(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], topic=Topic.BUG)
    ladder.ticket_triage(ticket=_fresh(t), actor=org.users["agent"])
    done = ladder.ticket_set_solution(ticket=_fresh(t), actor=org.users["agent"], solution=org.own)
    assert done.level == SupportType.HELP_DESK
    assert "redirect" in selectors.allowed_moves(org.users["agent"], done)
    ladder.ticket_redirect(ticket=done, actor=org.users["agent"], reason="제작자가 지원")
    assert _fresh(t).agent == org.users["maker"]


def test_a_tier_change_through_the_solution_reattaches_the_sla(org: Org) -> None:
    inventory.solution_update(
        solution=org.other,
        actor=None,
        expected_version=org.other.version,
        changes={"tier": Tier.CRITICAL, "support_model": SupportModel.FORMAL},
    )
    t = ticket(requester=org.users["requester"], impact="high", urgency="high")
    ladder.ticket_triage(ticket=_fresh(t), actor=org.users["agent"])
    policies_before = {
        c.snapshot["policy"]["name"] for c in SlaClock.objects.filter(ticket_id=t.pk)
    }
    ladder.ticket_set_solution(ticket=_fresh(t), actor=org.users["agent"], solution=org.other)
    running = SlaClock.objects.filter(ticket_id=t.pk).exclude(stage="cancelled")
    policies_after = {c.snapshot["policy"]["name"] for c in running}
    assert policies_after != policies_before  # the critical solution's policy now


def test_who_may_set_a_solution(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], solution=org.own)
    for name in ("requester", "maker", "manager", "member"):
        with pytest.raises(PermissionDenied):
            ladder.ticket_set_solution(ticket=_fresh(t), actor=org.users[name], solution=None)
    maker_ticket = ticket(requester=org.users["maker"], topic=Topic.BUG)
    with pytest.raises(ValidationError):  # it names no solution already
        ladder.ticket_set_solution(
            ticket=_fresh(maker_ticket), actor=org.users["agent"], solution=None
        )
    done = ladder.ticket_set_solution(ticket=_fresh(t), actor=org.users["platform"], solution=None)
    assert done.solution is None


# ---------------------------------------------------------------------------- merging


def test_merging_into_a_resolved_ticket_reopens_it(org: Org) -> None:
    a = ticket(requester=org.users["requester"], subject="원래 질문")
    b = ticket(requester=org.users["member"], subject="같은 질문")
    services.ticket_resolve(ticket=_fresh(a), actor=org.users["agent"], reason="fixed")
    target = ladder.ticket_merge(source=_fresh(b), target=_fresh(a), actor=org.users["agent"])
    target = _fresh(target)
    assert target.is_open and target.status == TicketStatus.IN_PROGRESS
    reopened = TicketEvent.objects.get(ticket=target, type=TicketEventType.REOPENED)
    assert reopened.actor == org.users["agent"]
    assert _fresh(b).merged_into_id == a.pk


def test_merging_into_a_closed_ticket_is_refused(org: Org) -> None:
    a = ticket(requester=org.users["requester"])
    b = ticket(requester=org.users["member"])
    services.ticket_close(ticket=_fresh(a), actor=org.users["agent"], reason="done")
    with pytest.raises(ValidationError):
        ladder.ticket_merge(source=_fresh(b), target=_fresh(a), actor=org.users["agent"])
    assert _fresh(b).is_open and _fresh(b).merged_into_id is None


def test_merge_candidates_are_visible_tickets_by_number_or_subject(org: Org) -> None:
    _self_supported(org)
    a = ticket(requester=org.users["requester"], solution=org.own, subject="저장 오류")
    b = ticket(requester=org.users["requester"], solution=org.own, subject="저장이 안 돼요")
    hidden = ticket(requester=org.users["other_maker"], solution=org.other, subject="저장 실패")
    agent, maker = org.users["agent"], org.users["maker"]
    assert b in selectors.merge_candidates(agent, a, "")  # same solution
    assert selectors.merge_candidates(agent, a, str(b.number)) == [b]
    found = selectors.merge_candidates(maker, a, "저장")
    assert b in found and hidden not in found and a not in found


# ------------------------------------------------------------------------ vendor cases


def _vendor_case(org: Org) -> tuple[Ticket, VendorCase]:
    t = ticket(requester=org.users["requester"], topic=Topic.PLATFORM)
    case = ladder.vendor_case_open(
        ticket=_fresh(t),
        actor=org.users["platform"],
        health_checked_at=clock.now() - dt.timedelta(hours=1),
        health_result="healthy",
        external_number="MS-1",
    )
    return _fresh(t), case


def test_vendor_case_status_moves_the_ticket_and_its_sla_pause(org: Org) -> None:
    t, case = _vendor_case(org)
    assert case.status == VendorCaseStatus.WAITING_ON_VENDOR
    assert t.status == TicketStatus.WAITING_ON_VENDOR and t.level == SupportType.VENDOR
    assert SlaClock.objects.filter(ticket_id=t.pk, stage="paused").exists()
    ladder.vendor_case_update(
        case=case,
        actor=org.users["platform"],
        status=VendorCaseStatus.RESOLVED_BY_VENDOR,
        note="패치 배포됨",
    )
    case.refresh_from_db()
    t = _fresh(t)
    assert case.status == VendorCaseStatus.RESOLVED_BY_VENDOR and case.last_note == "패치 배포됨"
    assert t.status == TicketStatus.IN_PROGRESS
    assert not SlaClock.objects.filter(ticket_id=t.pk, stage="paused").exists()
    ladder.vendor_case_update(case=case, actor=org.users["platform"], status="closed")
    case.refresh_from_db()
    assert case.closed_at is not None
    with pytest.raises(ValidationError):
        ladder.vendor_case_update(case=case, actor=org.users["platform"], status="open")
    assert (
        TicketEvent.objects.filter(ticket=t, type=TicketEventType.VENDOR_CASE_UPDATED).count() == 2
    )


def test_only_the_platform_team_updates_vendor_cases(org: Org) -> None:
    _t, case = _vendor_case(org)
    for name in ("agent", "requester", "manager", "maker"):
        with pytest.raises(PermissionDenied):
            ladder.vendor_case_update(case=case, actor=org.users[name], status="open")
    ladder.vendor_case_update(case=case, actor=org.users["admin"], status="open")


# -------------------------------------------------------------------- canned responses


def test_canned_responses_substitute_only_whitelisted_variables(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], solution=org.own)
    body = (
        "{{ requester.name }}님, {{ticket.id}} 건은 {{ agent.name }}이(가) 봅니다. "
        "{{ solution.name }} · {{ settings.SECRET_KEY }} {% debug %} {{ requester.password }}"
    )
    text = services.canned_render(body, ticket=t, agent=org.users["agent"])
    assert str(org.users["requester"]) in text and str(t.number) in text
    assert str(org.users["agent"]) in text and org.own.name in text
    assert "{{ settings.SECRET_KEY }}" in text and "{% debug %}" in text
    assert "{{ requester.password }}" in text


def test_leads_manage_their_teams_canned_responses(org: Org) -> None:
    help_desk = SupportTeam.objects.get(kind=TeamKind.HELP_DESK)
    sales_team = SupportTeam.objects.get(kind=TeamKind.TEAM)
    TeamMembership.objects.filter(team=help_desk, user=org.users["agent"]).update(
        role=MembershipRole.LEAD
    )
    agent = org.users["agent"]
    mine = services.canned_response_save(
        actor=agent, instance=None, data={"title": "인사", "body": "안녕하세요", "team": help_desk}
    )
    assert mine.created_by == agent
    with pytest.raises(PermissionDenied):  # not their team
        services.canned_response_save(
            actor=agent, instance=None, data={"title": "x", "body": "y", "team": sales_team}
        )
    with pytest.raises(PermissionDenied):  # everyone's: the platform team and admins
        services.canned_response_save(
            actor=agent, instance=None, data={"title": "x", "body": "y", "team": None}
        )
    with pytest.raises(PermissionDenied):  # a member who does not lead
        services.canned_response_save(
            actor=org.users["member"],
            instance=None,
            data={"title": "x", "body": "y", "team": sales_team},
        )
    global_one = services.canned_response_save(
        actor=org.users["platform"], instance=None, data={"title": "공통", "body": "b"}
    )
    with pytest.raises(PermissionDenied):
        services.canned_response_delete(actor=agent, instance=global_one)
    services.canned_response_delete(actor=agent, instance=mine)
    assert not CannedResponse.objects.filter(pk=mine.pk).exists()
    # Who uses which: the global one everyone at a desk; a team's its members.
    assert global_one in selectors.canned_responses_for(org.users["member"])
    team_one = services.canned_response_save(
        actor=org.users["admin"],
        instance=None,
        data={"title": "t", "body": "b", "team": sales_team},
    )
    assert team_one in selectors.canned_responses_for(org.users["member"])
    assert team_one not in selectors.canned_responses_for(agent)


# --------------------------------------------------------------------------- mentions


def test_mentions_notify_who_may_read_and_make_them_watchers(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], solution=org.own)
    outsider = UserFactory.create(username="outsider")
    services.ticket_reply(
        ticket=_fresh(t),
        author=org.users["maker"],
        body="@platform 봐 주세요. @outsider @nobody @co_owner. 메일 a@agent.com",
    )
    watchers = set(_fresh(t).watchers.values_list("username", flat=True))
    assert {"platform", "co_owner"} <= watchers
    assert "outsider" not in watchers and "agent" not in watchers
    items = InboxItem.objects.filter(key__startswith=f"ticket:{t.pk}:", key__endswith=":mention")
    assert set(items.values_list("recipient__username", flat=True)) == {"platform", "co_owner"}
    assert outsider.pk not in items.values_list("recipient_id", flat=True)
    event = TicketEvent.objects.get(ticket=t, type=TicketEventType.MENTIONED)
    assert not event.is_internal and "outsider" not in str(event.parameters)


def test_a_note_mentions_only_who_reads_notes(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], solution=org.own)
    services.ticket_note(
        ticket=_fresh(t), author=org.users["maker"], body="@requester @agent 내부 확인"
    )
    watchers = set(_fresh(t).watchers.values_list("username", flat=True))
    assert "agent" in watchers and "requester" not in watchers
    event = TicketEvent.objects.get(ticket=t, type=TicketEventType.MENTIONED)
    assert event.is_internal and event.parameters["people"] == ["agent"]


def test_mention_names_are_read_like_people_write_them() -> None:
    assert services.mentioned_usernames("@kim, @lee. mail@x.com @kim (@park_j)") == [
        "kim",
        "lee",
        "park_j",
    ]


# ---------------------------------------------------------------- logged for someone


def test_the_help_desk_logs_a_phone_request_for_someone(org: Org) -> None:
    _self_supported(org)
    agent, requester = org.users["agent"], org.users["requester"]
    t = services.ticket_create(
        requester=requester,
        actor=agent,
        subject="전화 문의",
        solution=org.own,
        channel=Channel.PHONE,
        check_solution=True,
    )
    assert t.channel == Channel.PHONE and t.logged_by == agent and not t.is_bypass
    created = TicketEvent.objects.get(ticket=t, type=TicketEventType.CREATED)
    assert created.parameters["logged_by"] == str(agent)
    told = Notification.objects.filter(recipient=requester, key__startswith=f"ticket:{t.pk}:")
    assert (told.count() == 1 and agent.get_full_name()) or str(agent) in told.get().body
    assert selectors.can_file_for_someone(agent)
    for name in ("maker", "member", "requester", "partner", "manager"):
        assert not selectors.can_file_for_someone(org.users[name])
    with pytest.raises(PermissionDenied):
        services.ticket_create(
            requester=requester, actor=org.users["member"], subject="x", channel=Channel.PHONE
        )


def test_a_solution_the_logger_may_not_see_is_refused(org: Org) -> None:
    partner = org.users["partner"]
    # The partner agent is no desk worker: refused before the solution matters.
    with pytest.raises(PermissionDenied):
        services.ticket_create(
            requester=org.users["requester"], actor=partner, subject="x", solution=org.other
        )


# ----------------------------------------------------------- requesters closing requests


def test_a_requester_closes_their_open_request_with_a_reason(org: Org) -> None:
    _self_supported(org)
    t = ticket(requester=org.users["requester"], solution=org.own)
    requester = org.users["requester"]
    assert "close" in selectors.status_moves(requester, t)
    with pytest.raises(ValidationError):
        services.ticket_close(ticket=_fresh(t), actor=requester, reason="  ")
    services.ticket_close(ticket=_fresh(t), actor=requester, reason="스스로 해결했어요")
    closed = _fresh(t)
    assert closed.status == TicketStatus.CLOSED and not closed.is_open
    told = Notification.objects.filter(recipient=org.users["maker"], subject__contains="requester")
    assert told.exists() or Notification.objects.filter(recipient=org.users["maker"]).exists()
    assert not SlaClock.objects.filter(ticket_id=t.pk, stage__in=["running", "paused"]).exists()


def test_a_requester_confirms_a_resolution_without_a_reason(org: Org) -> None:
    t = ticket(requester=org.users["requester"])
    services.ticket_resolve(ticket=_fresh(t), actor=org.users["agent"], reason="fixed")
    services.ticket_close(ticket=_fresh(t), actor=org.users["requester"])
    assert _fresh(t).status == TicketStatus.CLOSED
    assert not selectors.can_close(org.users["requester"], _fresh(t))


def test_someone_elses_request_is_not_theirs_to_close(org: Org) -> None:
    t = ticket(requester=org.users["requester"])
    with pytest.raises(PermissionDenied):
        services.ticket_close(ticket=_fresh(t), actor=org.users["member"], reason="x")


# --------------------------------------------------------------------- the migration


def test_the_data_migration_reads_level_changes_from_the_timeline(org: Org) -> None:
    import importlib

    from django.apps import apps

    _self_supported(org)
    t = ticket(requester=org.users["requester"], solution=org.own)
    ladder.ticket_escalate(ticket=_fresh(t), actor=org.users["maker"], reason="x")
    escalated_at = TicketEvent.objects.get(ticket=t, type="escalated").created_at
    _t2, case = _vendor_case(org)
    Ticket.objects.update(level_changed_at=None)
    VendorCase.objects.update(status="open")
    migration: Any = importlib.import_module(
        "tierdesk.desk.migrations.0006_level_changed_at_and_vendor_case_status_from_history"
    )
    migration.forwards(apps, None)
    assert _fresh(t).level_changed_at == escalated_at
    case.refresh_from_db()
    assert case.status == VendorCaseStatus.WAITING_ON_VENDOR
