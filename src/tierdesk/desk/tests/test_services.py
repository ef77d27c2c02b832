from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import Org
from tierdesk.accounts.choices import SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.common.records import VersionConflict
from tierdesk.desk import ladder, services
from tierdesk.desk.choices import HealthResult, Priority, TicketEventType, TicketStatus, Topic
from tierdesk.desk.models import DeskTeamChannel, PriorityRule, Ticket, TicketEvent
from tierdesk.desk.tests.factories import ticket
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel
from tierdesk.notify.models import Notification


@pytest.fixture
def self_ticket(org: Org) -> Ticket:
    inventory.solution_update(
        solution=org.own,
        actor=None,
        expected_version=org.own.version,
        changes={"support_model": SupportModel.SELF},
    )
    return ticket(requester=org.users["requester"], solution=org.own, topic=Topic.BUG)


def test_priority_comes_from_the_editable_matrix(org: Org) -> None:
    t = ticket(requester=org.users["requester"], impact="high", urgency="high")
    assert t.priority == Priority.P1
    PriorityRule.objects.filter(impact="high", urgency="high").update(priority=Priority.P2)
    t = ticket(requester=org.users["requester"], impact="high", urgency="high")
    assert t.priority == Priority.P2


def test_stale_edit_conflicts_and_can_be_merged(org: Org, self_ticket: Ticket) -> None:
    read = self_ticket.version
    services.ticket_update(
        ticket=Ticket.objects.get(pk=self_ticket.pk),
        actor=org.users["maker"],
        expected_version=read,
        changes={"subject": "첫 번째 편집"},
    )
    with pytest.raises(VersionConflict) as conflict:
        services.ticket_update(
            ticket=Ticket.objects.get(pk=self_ticket.pk),
            actor=org.users["agent"],
            expected_version=read,
            changes={"impact": "high"},
        )
    assert conflict.value.current.subject == "첫 번째 편집"
    merged = services.ticket_update(
        ticket=conflict.value.current,
        actor=org.users["agent"],
        expected_version=conflict.value.current.version,
        changes={"impact": "high"},
    )
    assert merged.subject == "첫 번째 편집" and merged.impact == "high"


def test_the_whole_ladder_is_recorded(org: Org, self_ticket: Ticket) -> None:
    maker, agent, platform = org.users["maker"], org.users["agent"], org.users["platform"]
    t = ladder.ticket_escalate(ticket=self_ticket, actor=maker, reason="권한 문제 같아요")
    assert t.team is not None
    assert (t.level, t.team.kind) == (SupportType.HELP_DESK, TeamKind.HELP_DESK)
    assert t.escalation["steps"][0]["level"] == SupportType.HELP_DESK
    t = ladder.ticket_escalate(ticket=t, actor=agent, reason="platform defect?")
    assert t.level == SupportType.PLATFORM
    with pytest.raises(PermissionDenied):
        ladder.vendor_case_open(
            ticket=t,
            actor=agent,
            health_checked_at=clock.now(),
            health_result=HealthResult.HEALTHY,
            external_number="2611290010001",
        )
    case = ladder.vendor_case_open(
        ticket=t,
        actor=platform,
        health_checked_at=clock.now() - dt.timedelta(minutes=5),
        health_result=HealthResult.HEALTHY,
        external_number="2611290010001",
    )
    t.refresh_from_db()
    assert (t.status, t.level, case.filed_by) == (
        TicketStatus.WAITING_ON_VENDOR,
        SupportType.VENDOR,
        platform,
    )
    t = ladder.ticket_de_escalate(ticket=t, actor=platform, reason="vendor fixed it")
    assert t.team is not None and t.team.kind == TeamKind.HELP_DESK
    t = ladder.ticket_hand_back(ticket=t, actor=agent, reason="maker confirms")
    assert (t.level, t.agent) == (SupportType.SELF, maker)
    t = services.ticket_resolve(ticket=t, actor=maker, reason="fixed")
    kinds = list(
        TicketEvent.objects.filter(ticket=t)
        .order_by("created_at", "id")
        .values_list("type", flat=True)
    )
    assert kinds == [
        TicketEventType.CREATED,
        TicketEventType.ROUTED,
        TicketEventType.ESCALATED,
        TicketEventType.ESCALATED,
        TicketEventType.VENDOR_CASE_OPENED,
        TicketEventType.DE_ESCALATED,
        TicketEventType.HANDED_BACK,
        TicketEventType.RESOLVED,
    ]
    assert all(
        e.actor is not None for e in TicketEvent.objects.filter(ticket=t).exclude(type="routed")
    )
    with pytest.raises(ValidationError):
        ladder.ticket_escalate(ticket=t, actor=agent, reason="closed already")


def test_escalation_uses_the_snapshot_not_the_edited_path(org: Org, self_ticket: Ticket) -> None:
    t = ladder.ticket_escalate(ticket=self_ticket, actor=org.users["maker"], reason="help")
    snapshot = t.escalation["steps"]
    SupportTeam.objects.create(name="New platform team", kind=TeamKind.PLATFORM)
    t = ladder.ticket_escalate(ticket=t, actor=org.users["agent"], reason="deeper")
    assert t.team_id == snapshot[1]["team"]


def test_redirect_tells_the_requester_where_and_why(org: Org) -> None:
    inventory.solution_update(
        solution=org.own,
        actor=None,
        expected_version=org.own.version,
        changes={"support_model": SupportModel.SELF},
    )
    t = ticket(requester=org.users["requester"], solution=org.own, topic=Topic.PLATFORM)
    assert t.level == SupportType.HELP_DESK
    t = ladder.ticket_redirect(ticket=t, actor=org.users["agent"], reason="앱 자체 문제")
    assert t.agent == org.users["maker"]
    note = Notification.objects.get(recipient=org.users["requester"], subject__contains="redirect")
    assert "앱 자체 문제" in note.body and str(org.users["maker"]) in note.body


def test_notifications_are_idempotent_and_reach_the_team_channel(org: Org) -> None:
    help_desk = SupportTeam.objects.get(kind=TeamKind.HELP_DESK)
    DeskTeamChannel.objects.create(team=help_desk, teams_webhook_url="https://example.com/hook")
    t = ticket(requester=org.users["requester"], topic=Topic.HOW_TO)
    post = Notification.objects.get(channel="teams")
    assert post.key.startswith(f"ticket:{t.pk}:") and post.card is not None
    event = TicketEvent.objects.get(ticket=t, type=TicketEventType.ROUTED)
    from tierdesk.desk import notifications

    assert notifications.notify_team_channel(ticket=t, event=event, headline="x") is False


def test_attachments_are_limited_by_type_and_size(
    org: Org, self_ticket: Ticket, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    ok = services.ticket_attach(
        ticket=self_ticket,
        actor=org.users["requester"],
        upload=SimpleUploadedFile("screen.png", b"\x89PNG....", content_type="image/png"),
    )
    assert ok.size == 8 and ok.content_type == "image/png"
    with pytest.raises(ValidationError):
        services.ticket_attach(
            ticket=self_ticket,
            actor=org.users["requester"],
            upload=SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream"),
        )
    with pytest.raises(ValidationError):
        services.ticket_attach(
            ticket=self_ticket,
            actor=org.users["requester"],
            upload=SimpleUploadedFile("big.txt", b"x" * (11 * 1024 * 1024)),
        )


def test_merge_moves_replies_and_watchers(org: Org) -> None:
    a = ticket(requester=org.users["requester"], topic=Topic.HOW_TO)
    b = ticket(requester=org.users["member"], topic=Topic.HOW_TO)
    services.ticket_reply(ticket=b, author=org.users["member"], body="same here")
    target = ladder.ticket_merge(source=b, target=a, actor=org.users["agent"])
    b.refresh_from_db()
    assert b.merged_into == target and b.status == TicketStatus.CLOSED
    assert target.messages.filter(body="same here").exists()
    assert org.users["member"] in target.watchers.all()


def test_inbound_email_is_threaded_by_subject_tag_and_references(org: Org) -> None:
    t = ticket(requester=org.users["requester"], topic=Topic.HOW_TO)
    requester = org.users["requester"]
    first = services.ticket_inbound_email(
        message=services.InboundMessage(
            from_address=requester.email,
            subject=f"RE: [{t.number}] New reply",
            body="감사합니다\n\n> quoted",
            message_id="<m1@example.com>",
        )
    )
    assert first is not None and first.body == "감사합니다"
    second = services.ticket_inbound_email(
        message=services.InboundMessage(
            from_address=requester.email,
            subject="no tag",
            body="one more",
            message_id="<m2@example.com>",
            references=("<m1@example.com>",),
        )
    )
    assert second is not None and second.ticket_id == t.pk
    stranger = services.ticket_inbound_email(
        message=services.InboundMessage(
            from_address=org.users["other_maker"].email,
            subject=f"[{t.number}]",
            body="let me in",
        )
    )
    assert stranger is None


def _outbox(ticket_pk: int) -> list[tuple[Any, ...]]:
    return list(
        Notification.objects.filter(key__startswith=f"ticket:{ticket_pk}:")
        .order_by("key")
        .values_list(
            "key", "channel", "recipient", "address", "cc", "subject", "body", "card", "status"
        )
    )


def test_creation_messages_are_those_notification_enqueue_would_queue(org: Org) -> None:
    """A new ticket's messages go in one bulk insert; they must be exactly the rows the
    one-at-a-time path (notification_enqueue) queues: keys, texts, cards, and a
    suppressed row for someone who switched e-mail off."""
    from tierdesk.desk import notifications
    from tierdesk.notify.choices import DeliveryStatus
    from tierdesk.notify.models import NotificationPreference

    inventory.solution_update(
        solution=org.own,
        actor=None,
        expected_version=org.own.version,
        changes={"support_model": SupportModel.SELF},
    )
    NotificationPreference.objects.create(user=org.users["co_owner"], email=False)
    help_desk = SupportTeam.objects.get(kind=TeamKind.HELP_DESK)
    DeskTeamChannel.objects.create(team=help_desk, teams_webhook_url="https://example.com/hook")
    own = ticket(requester=org.users["requester"], solution=org.own, topic=Topic.BUG)
    anonymous = services.ticket_create(
        requester=None, requester_email="guest@example.com", subject="도와주세요", language="ko"
    )
    bulk = {t.pk: _outbox(t.pk) for t in (own, anonymous)}
    by_status = {row[2]: row[8] for row in bulk[own.pk]}
    assert by_status == {
        org.users["maker"].pk: DeliveryStatus.PENDING,
        org.users["co_owner"].pk: DeliveryStatus.SUPPRESSED,
    }
    assert {row[1] for row in bulk[anonymous.pk]} == {"email", "teams"}

    Notification.objects.all().delete()
    for t in (own, anonymous):
        event = TicketEvent.objects.get(ticket=t, type=TicketEventType.ROUTED)
        notifications.notify_people(
            ticket=t,
            event=event,
            recipients=[t.agent, *t.watchers.order_by("id")],
            headline="New ticket for you",
            text="A new ticket was routed to you.",
            actor=t.requester,
        )
        notifications.notify_team_channel(ticket=t, event=event, headline="New ticket")
        if t.requester is None:
            notifications.notify_address(
                ticket=t,
                event=event,
                address=t.requester_email,
                headline="We received your request",
                text="We received your request and will answer by e-mail.",
                lang=t.language,
            )
    assert {t.pk: _outbox(t.pk) for t in (own, anonymous)} == bulk
