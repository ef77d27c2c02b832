"""The bell, the notification centre and the outbox as each role sees them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from conftest import Org
from tierdesk.notify import services
from tierdesk.notify.choices import Channel, DeliveryStatus
from tierdesk.notify.models import InboxItem, Notification

ROLES = [
    "admin",
    "platform",
    "agent",
    "manager",
    "maker",
    "co_owner",
    "member",
    "partner",
    "requester",
    "other_maker",
]
OUTBOX_READERS = {"admin", "platform"}


def _client(org: Org, role: str, *, language: str = "en") -> Client:
    user = org.users[role]
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _post(org: Org, role: str, n: int = 3) -> list[InboxItem]:
    return [
        services.inbox_post(
            recipient=org.users[role],
            key=f"{role}:{i}",
            subject=f"{role} notice {i}",
            url=f"/desk/tickets/{i + 1}/",
            body=f"body {i}",
        )[0]
        for i in range(n)
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_their_own_notifications(org: Org, role: str) -> None:
    for someone in ("maker", "agent"):
        _post(org, someone)
    client = _client(org, role)
    page = client.get("/notifications/").content.decode()
    for someone in ("maker", "agent"):
        assert (f"{someone} notice 0" in page) == (someone == role), someone
    if role in ("maker", "agent"):
        assert page.count('class="inbox-item unread"') == 3
        assert 'aria-label="3 unread notifications"' in page
    else:
        assert "No notifications yet" in page
        assert 'aria-label="Notifications: none unread"' in page


def test_the_bell_counts_once_per_request_in_korean(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    _post(org, "maker")
    client = _client(org, "maker", language="ko")
    page = client.get("/notifications/").content.decode()
    assert 'aria-label="읽지 않은 알림 3개"' in page
    assert "읽지 않음" in page and "모두 읽음으로 표시" in page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/notifications/")
    counts = [q["sql"] for q in ctx.captured_queries if "notify_inboxitem" in q["sql"]]
    unread = [sql for sql in counts if "COUNT" in sql and '"read_at" IS NULL' in sql]
    assert len(unread) == 1, unread  # the bell and the page's own count share one query


def test_opening_marks_read_and_others_cannot_touch_it(org: Org) -> None:
    first, second, _third = _post(org, "maker")
    owner, stranger = _client(org, "maker"), _client(org, "agent")
    assert stranger.get(f"/notifications/{first.pk}/open/").status_code == 404
    assert stranger.post(f"/notifications/{first.pk}/read/").status_code == 404
    assert stranger.post("/notifications/read-all/").status_code == 302
    assert InboxItem.objects.filter(read_at__isnull=True).count() == 3
    opened = owner.get(f"/notifications/{first.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == "/desk/tickets/1/"
    marked = owner.post(f"/notifications/{second.pk}/read/", {"next": "https://evil.example/"})
    assert marked.status_code == 302 and marked["Location"] == "/notifications/"
    assert InboxItem.objects.filter(read_at__isnull=True).count() == 1
    back = owner.post("/notifications/read-all/", {"next": "/notifications/?show=unread"})
    assert back["Location"] == "/notifications/?show=unread"
    assert InboxItem.objects.filter(read_at__isnull=True).count() == 0
    page = owner.get("/notifications/?show=unread").content.decode()
    assert "Nothing unread" in page
    assert owner.get("/notifications/99999999999999999999/open/").status_code == 404


def test_the_centre_pages_newest_first(org: Org) -> None:
    _post(org, "maker", n=30)
    client = _client(org, "maker")
    first = client.get("/notifications/").content.decode()
    assert "maker notice 29" in first and "maker notice 4<" not in first
    assert "Page 1 of 2" in first
    second = client.get("/notifications/?page=2").content.decode()
    assert "maker notice 4<" in second and "maker notice 29" not in second
    assert client.get("/notifications/?page=abc").status_code == 200


def _outbox(org: Org) -> list[Notification]:
    sent, _ = services.notification_enqueue(
        key="ticket:1:1:mail",
        channel=Channel.EMAIL,
        address="maker@example.com",
        recipient=org.users["maker"],
        subject="[TD-1] Reply: 잠김",
        body="The agent answered.\n\nhttps://tierdesk.example.com/desk/tickets/1/",
    )
    failed, _ = services.notification_enqueue(
        key="ticket:1:1:team",
        channel=Channel.TEAMS,
        address="https://hooks.example/secret-signature",
        subject="TD-1 · P2 · New ticket",
        body="잠김",
    )
    Notification.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT, attempts=1)
    Notification.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.DEAD, attempts=8, last_error="Teams answered 400"
    )
    return [sent, failed]


@pytest.mark.parametrize("role", ROLES)
def test_the_outbox_is_for_admins_and_the_platform_team(org: Org, role: str) -> None:
    sent, failed = _outbox(org)
    client = _client(org, role)
    listing = client.get("/notifications/outbox/")
    detail = client.get(f"/notifications/outbox/{failed.pk}/")
    if role not in OUTBOX_READERS:
        assert (listing.status_code, detail.status_code) == (403, 403)
        assert "/notifications/outbox/" not in client.get("/notifications/").content.decode()
        return
    page = listing.content.decode()
    assert listing.status_code == 200 and "[TD-1] Reply: 잠김" in page
    assert "Given up" in page and "Teams answered 400" in page and "Sent" in page
    assert "secret-signature" not in page  # a webhook address is a credential
    shown = detail.content.decode()
    assert detail.status_code == 200 and "Teams answered 400" in shown
    assert "secret-signature" not in shown
    mail = client.get(f"/notifications/outbox/{sent.pk}/").content.decode()
    assert "The agent answered." in mail and "maker@example.com" in mail
    dead = client.get("/notifications/outbox/", {"status": "dead"}).content.decode()
    assert "TD-1 · P2" in dead and "Reply: 잠김" not in dead
    by_person = client.get("/notifications/outbox/", {"q": "maker"}).content.decode()
    assert "Reply: 잠김" in by_person and "TD-1 · P2" not in by_person
    in_app = client.get("/notifications/outbox/", {"channel": "in_app"}).content.decode()
    assert "Reply: 잠김" in in_app and "TD-1 · P2" not in in_app  # the mirrored item
    assert client.get("/notifications/outbox/", {"page": "x" * 40}).status_code == 200
    assert client.get("/notifications/outbox/99999999/").status_code == 404


def test_pages_are_korean(org: Org) -> None:
    _outbox(org)
    _post(org, "admin")
    client = _client(org, "admin", language="ko")
    with translation.override("ko"):
        for path in ("/notifications/", "/notifications/outbox/", "/notifications/?show=unread"):
            page = client.get(path).content.decode()
            for english in ("Notifications", "Mark read", "Outbox", "Unread", "Given up", "Page"):
                assert f">{english}<" not in page, (path, english)
