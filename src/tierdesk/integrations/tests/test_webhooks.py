"""Webhooks through the outbox against a real receiver on 127.0.0.1: retried with
back-off, disabled after failures in a row with a notice to the admins, never sent after
removal; a person's subscription hears only of tickets they may read; ticket events of
each kind; Teams cards get their buttons; the pages and their rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from conftest import Org
from tierdesk.common import clock
from tierdesk.desk import services as desk
from tierdesk.desk.tests.factories import ticket
from tierdesk.integrations import services
from tierdesk.integrations.choices import Origin
from tierdesk.integrations.models import WebhookSubscription
from tierdesk.integrations.tests.conftest import Receiver
from tierdesk.notify.choices import Channel, DeliveryStatus
from tierdesk.notify.models import Notification
from tierdesk.notify.senders import adaptive_card
from tierdesk.notify.services import notification_enqueue, outbox_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback(settings: Any) -> None:
    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = True
    settings.TIERDESK_BASE_URL = "https://tierdesk.example.com"


def _webhooks() -> list[Notification]:
    return list(Notification.objects.filter(channel=Channel.WEBHOOK).order_by("id"))


def test_failures_are_retried_with_back_off_then_the_subscription_is_disabled(
    org: Org, settings: Any, receiver: Receiver
) -> None:
    settings.TIERDESK_WEBHOOK_MAX_FAILURES = 3
    admin = org.users["admin"]
    hook = services.subscription_create(actor=admin, url=receiver.url, origin=Origin.ADMIN)
    ticket(requester=org.users["requester"], solution=org.own)
    receiver.status = 503
    now = clock.now()
    first = outbox_deliver(now=now)
    assert (first.sent, first.retried) == (0, 1)
    row = _webhooks()[0]
    assert row.status == DeliveryStatus.PENDING and row.next_attempt_at == now + dt.timedelta(
        seconds=30
    )
    assert outbox_deliver(now=now + dt.timedelta(seconds=10)).retried == 0  # not due yet
    outbox_deliver(now=now + dt.timedelta(seconds=31))  # second failure: 60 s back-off
    row.refresh_from_db()
    assert row.next_attempt_at == now + dt.timedelta(seconds=31 + 60)
    hook.refresh_from_db()
    assert hook.consecutive_failures == 2 and hook.is_active
    outbox_deliver(now=now + dt.timedelta(seconds=100))
    hook.refresh_from_db()
    assert not hook.is_active and hook.disabled_at is not None
    assert len(receiver.received) == 3
    notice = Notification.objects.get(key__startswith=f"webhook-disabled:{hook.pk}:")
    assert notice.recipient == admin and receiver.url in notice.body
    # Disabled: what is still queued is given up, never sent.
    receiver.status = 200
    outbox_deliver(now=now + dt.timedelta(hours=2))
    assert len(receiver.received) == 3
    assert _webhooks()[0].status == DeliveryStatus.DEAD
    # Turned on again by an admin: the next event is delivered and the count is reset.
    services.subscription_reactivate(actor=admin, subscription=hook)
    t = ticket(requester=org.users["requester"], solution=org.own, subject="또 다른 요청")
    assert outbox_deliver(now=now + dt.timedelta(hours=3)).sent == 1
    assert json.loads(receiver.received[-1][1])["ticket"]["id"] == t.pk
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0 and hook.last_delivered_at is not None


def test_a_success_resets_the_count_and_a_removed_subscription_gets_nothing(
    org: Org, receiver: Receiver
) -> None:
    hook = services.subscription_create(actor=org.users["maker"], url=receiver.url)
    WebhookSubscription.objects.filter(pk=hook.pk).update(consecutive_failures=4)
    t = ticket(requester=org.users["requester"], solution=org.own)
    assert outbox_deliver().sent == 1
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0
    desk.ticket_reply(ticket=t, author=org.users["agent"], body="확인했습니다")
    services.subscription_delete(actor=org.users["maker"], subscription=hook)
    outbox_deliver()
    assert [n.status for n in _webhooks()] == [DeliveryStatus.SENT, DeliveryStatus.DEAD]
    assert len(receiver.received) == 1


def test_a_persons_subscription_hears_only_of_tickets_they_may_read(
    org: Org, receiver: Receiver
) -> None:
    mine = services.subscription_create(actor=org.users["maker"], url=receiver.url)
    theirs = services.subscription_create(actor=org.users["other_maker"], url=receiver.url)
    t = ticket(requester=org.users["requester"], solution=org.own)
    keys = {n.key for n in _webhooks()}
    assert keys == {f"webhook:{mine.pk}:ticket:{t.pk}:created"}
    assert not any(k.startswith(f"webhook:{theirs.pk}:") for k in keys)


def test_each_kind_of_ticket_change_is_an_event(org: Org, receiver: Receiver) -> None:
    services.subscription_create(actor=org.users["admin"], url=receiver.url, origin=Origin.ADMIN)
    t = ticket(requester=org.users["requester"], solution=org.own)
    agent = org.users["agent"]
    desk.ticket_reply(ticket=t, author=agent, body="로그를 보내 주세요")
    desk.ticket_set_status(ticket=t, actor=agent, status="waiting_on_requester")
    desk.ticket_note(ticket=t, author=agent, body="내부 메모")  # internal: no event
    outbox_deliver()
    events = [json.loads(body) for _h, body in receiver.received]
    assert sorted(e["type"] for e in events) == [
        "ticket.created",
        "ticket.replied",
        "ticket.status_changed",
    ]
    changed = next(e for e in events if e["type"] == "ticket.status_changed")
    assert changed["ticket"]["status"] == "waiting_on_requester"
    assert changed["status_before"] == "in_progress"
    replied = next(e for e in events if e["type"] == "ticket.replied")
    assert replied["message"] == "로그를 보내 주세요"
    assert "내부 메모" not in json.dumps(events, ensure_ascii=False)


def test_only_events_chosen_are_sent(org: Org, receiver: Receiver) -> None:
    services.subscription_create(
        actor=org.users["maker"], url=receiver.url, events=["ticket.replied"]
    )
    t = ticket(requester=org.users["requester"], solution=org.own)
    assert _webhooks() == []
    desk.ticket_reply(ticket=t, author=org.users["agent"], body="보겠습니다")
    assert [n.subject for n in _webhooks()] == ["ticket.replied"]


def test_subscription_rules(org: Org, settings: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.subscription_create(actor=org.users["manager"], url="https://x.example.com/")
    with pytest.raises(PermissionDenied):
        services.subscription_create(
            actor=org.users["maker"], url="https://x.example.com/", origin=Origin.ADMIN
        )
    from django.core.exceptions import ValidationError

    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = False
    for bad in ("http://127.0.0.1:9/hook", "ftp://x.example.com/", "https://u:p@x.example.com/"):
        with pytest.raises(ValidationError):
            services.subscription_create(actor=org.users["maker"], url=bad)
    with pytest.raises(ValidationError):
        services.subscription_create(
            actor=org.users["maker"], url="https://x.example.com/", events=["nope"]
        )
    hook = services.subscription_create(actor=org.users["maker"], url="https://x.example.com/")
    with pytest.raises(PermissionDenied):
        services.subscription_delete(actor=org.users["other_maker"], subscription=hook)
    with pytest.raises(PermissionDenied):
        services.subscription_reactivate(actor=org.users["maker"], subscription=hook)


def test_a_tickets_teams_card_gets_open_buttons(org: Org, receiver: Receiver) -> None:
    t = ticket(requester=org.users["requester"], solution=org.own)
    card = adaptive_card(title="t", text="b", url="https://tierdesk.example.com/x")
    for key in (f"ticket:{t.pk}:1:team1:{Channel.TEAMS}", f"digest:1:{Channel.TEAMS}"):
        notification_enqueue(
            key=key, channel=Channel.TEAMS, address=receiver.url, subject="t", body="b", card=card
        )
    assert outbox_deliver().sent == 2
    sent = [json.loads(body)["attachments"][0]["content"] for _h, body in receiver.received]
    by_title = {c["actions"][0]["title"]: c["actions"] for c in sent}
    assert by_title["티켓 열기"][0] == {
        "type": "Action.OpenUrl",
        "title": "티켓 열기",
        "url": f"https://tierdesk.example.com/desk/tickets/{t.pk}/",
    }
    assert "tierdesk" in by_title  # not a ticket's card: left as it was
    row = Notification.objects.get(key=f"ticket:{t.pk}:1:team1:{Channel.TEAMS}")
    assert row.card is not None and row.card["actions"][0]["title"] == "티켓 열기"


def test_the_page_and_the_admins_actions(org: Org) -> None:
    client = Client()
    client.force_login(org.users["admin"])
    page = client.get("/integrations/")
    assert page.status_code == 200 and "/integrations/connector.zip" in page.text
    added = client.post(
        "/integrations/webhooks/add/",
        {"name": "ITSM", "url": "https://itsm.example.com/hook", "events": ["ticket.created"]},
    )
    assert added.status_code == 302
    hook = WebhookSubscription.objects.get(name="ITSM")
    assert hook.owner is None and hook.origin == Origin.ADMIN
    bad = client.post("/integrations/webhooks/add/", {"url": "http://itsm.example.com/"})
    assert bad.status_code == 400
    zipped = client.get("/integrations/connector.zip")
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    maker = Client()
    maker.force_login(org.users["maker"])
    assert maker.post(f"/integrations/webhooks/{hook.pk}/delete/").status_code == 404
    assert (
        maker.post("/integrations/webhooks/add/", {"url": "https://a.example.com/"}).status_code
        == 403
    )
    assert client.post(f"/integrations/webhooks/{hook.pk}/delete/").status_code == 302
    assert not WebhookSubscription.objects.exists()


def test_the_solution_page_offers_the_connector_call_and_a_flow(org: Org) -> None:
    client = Client()
    client.force_login(org.users["maker"])
    maker = org.users["maker"]
    maker.preferred_language = "ko"
    maker.save()
    page = client.get(f"/inventory/solutions/{org.own.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "tierdesk.FileTicket(&quot;문제를 설명해 주세요&quot;, " in text
    assert f"solution_platform_id: &quot;{org.own.platform_id}&quot;" in text
    assert "1. 트리거: tierdesk — 티켓이 바뀔 때" in text
