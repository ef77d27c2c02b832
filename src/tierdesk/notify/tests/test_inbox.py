"""In-app notifications: posted once per key, mirrored from the outbox for tierdesk users,
counted for the bell, marked read only by their recipient."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from conftest import Org
from tierdesk.notify import selectors, services
from tierdesk.notify.choices import Channel
from tierdesk.notify.models import InboxItem, Notification, NotificationPreference


def test_inbox_post_is_idempotent_by_key_per_recipient(org: Org) -> None:
    maker, agent = org.users["maker"], org.users["agent"]
    for _ in range(3):
        _item, created = services.inbox_post(
            recipient=maker, key="mention:7", subject="누군가 당신을 언급했어요", url="/desk/"
        )
    assert InboxItem.objects.filter(recipient=maker).count() == 1 and not created
    _other, created = services.inbox_post(recipient=agent, key="mention:7", subject="s", url="")
    assert created and InboxItem.objects.count() == 2
    assert Notification.objects.count() == 0  # in-app never sends mail


def test_inbox_links_stay_inside_tierdesk(org: Org, settings: Any) -> None:
    settings.TIERDESK_BASE_URL = "https://tierdesk.example.com"
    maker = org.users["maker"]
    item, _ = services.inbox_post(
        recipient=maker, key="a", subject="s", url="https://tierdesk.example.com/desk/tickets/3/"
    )
    assert item.url == "/desk/tickets/3/"
    for bad in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            services.inbox_post(recipient=maker, key=bad, subject="s", url=bad)
    with pytest.raises(ValueError):
        services.notification_enqueue(
            key="x", channel=Channel.IN_APP, address="", subject="s", body="b"
        )


def test_outbox_messages_to_users_reach_their_notification_centre(org: Org, settings: Any) -> None:
    settings.TIERDESK_BASE_URL = "https://tierdesk.example.com"
    maker = org.users["maker"]
    body = "A new ticket was routed to you.\n\nhttps://tierdesk.example.com/desk/tickets/9/"
    for channel in (Channel.EMAIL, Channel.TEAMS):
        services.notification_enqueue(
            key=f"ticket:9:1:{maker.pk}:{channel}",
            channel=channel,
            address="maker@example.com",
            recipient=maker,
            subject="[TD-9] New ticket for you: 잠김",
            body=body,
        )
    # Somebody who is not a user (an anonymous requester) has no notification centre.
    services.notification_enqueue(
        key="ticket:9:1:anon@example.com:email",
        channel=Channel.EMAIL,
        address="anon@example.com",
        subject="We received your request",
        body="b",
    )
    (item,) = InboxItem.objects.all()  # e-mail and Teams of one event: one item
    assert item.recipient == maker and item.key == f"ticket:9:1:{maker.pk}"
    assert item.url == "/desk/tickets/9/"
    assert item.body == "A new ticket was routed to you."
    assert item.subject == "[TD-9] New ticket for you: 잠김"


def test_bulk_enqueue_mirrors_once_and_switched_off_mail_still_reaches_the_inbox(
    org: Org,
) -> None:
    maker, agent = org.users["maker"], org.users["agent"]
    NotificationPreference.objects.create(user=agent, email=False)
    messages = [
        services.Message(
            key=f"digest:{person.pk}:2026-11-29",
            channel=Channel.EMAIL,
            address=person.email,
            subject="3 of your solutions need attention",
            body="…",
            recipient_id=person.pk,
        )
        for person in (maker, agent)
    ]
    for _ in range(2):
        services.notifications_enqueue_many(messages)
    assert Notification.objects.count() == 2
    assert sorted(InboxItem.objects.values_list("recipient__username", flat=True)) == [
        "agent",
        "maker",
    ]


def test_unread_counts_and_marking_read(org: Org, django_assert_num_queries: Any) -> None:
    maker, agent = org.users["maker"], org.users["agent"]
    items = [
        services.inbox_post(recipient=maker, key=f"k{i}", subject=f"s{i}", url="")[0]
        for i in range(3)
    ]
    services.inbox_post(recipient=agent, key="k0", subject="s", url="")
    with django_assert_num_queries(1):
        assert selectors.unread_count(maker) == 3
    assert services.inbox_mark_read(item=items[0], actor=maker) is True
    assert services.inbox_mark_read(item=items[0], actor=maker) is False  # already read
    assert selectors.unread_count(maker) == 2
    with pytest.raises(PermissionDenied):
        services.inbox_mark_read(item=items[1], actor=agent)
    assert selectors.unread_count(maker) == 2
    assert services.inbox_mark_all_read(actor=maker) == 2
    assert selectors.unread_count(maker) == 0 and selectors.unread_count(agent) == 1
    assert list(selectors.inbox_of(agent).values_list("recipient", flat=True)) == [agent.pk]


def test_the_bell_stops_counting_at_a_hundred(org: Org) -> None:
    maker = org.users["maker"]
    InboxItem.objects.bulk_create(
        InboxItem(recipient=maker, key=f"k{i}", subject="s") for i in range(130)
    )
    assert selectors.unread_count(maker) == selectors.UNREAD_CAP == 100
