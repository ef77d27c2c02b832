from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail

from conftest import Org
from tierdesk.common import clock, egress
from tierdesk.notify import services
from tierdesk.notify.choices import Channel, DeliveryStatus
from tierdesk.notify.models import Notification, NotificationPreference


class _Teams(BaseHTTPRequestHandler):
    answers: list[tuple[int, dict[str, str]]] = []
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status, headers = self.answers.pop(0) if self.answers else (202, {})
        if status < 300:
            type(self).received.append(json.loads(body))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def teams(settings: Any) -> Iterator[tuple[str, type[_Teams]]]:
    # the Teams sender goes where webhooks may go: this machine only when allowed
    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = True
    _Teams.answers, _Teams.received = [], []
    server = HTTPServer(("127.0.0.1", 0), _Teams)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/workflows/hook", _Teams
    server.shutdown()


def test_the_same_key_is_queued_once_and_sent_once(org: Org) -> None:
    for _ in range(3):
        services.notification_enqueue(
            key="digest:maker:2026-11-29",
            channel=Channel.EMAIL,
            address="maker@example.com",
            subject="Your solutions",
            body="3 things need you",
            recipient=org.users["maker"],
            cc=["co_owner@example.com", "maker@example.com"],
        )
    assert Notification.objects.count() == 1
    assert services.outbox_deliver().sent == 1
    assert services.outbox_deliver().sent == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].cc == ["co_owner@example.com"]
    assert mail.outbox[0].extra_headers["X-Tierdesk-Key"] == "digest:maker:2026-11-29"


def test_teams_gets_an_adaptive_card_and_429_is_retried_after_the_wait(
    org: Org, teams: Any
) -> None:
    url, server = teams
    server.answers = [(429, {"Retry-After": "7"})]
    notification, _ = services.notification_enqueue(
        key="k1", channel=Channel.TEAMS, address=url, subject="P1 on 영업 일지", body="Look now"
    )
    start = clock.now()
    first = services.outbox_deliver(now=start)
    assert (first.sent, first.retried) == (0, 1)
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.PENDING and notification.attempts == 1
    assert notification.next_attempt_at == start + dt.timedelta(seconds=7)
    assert services.outbox_deliver(now=start + dt.timedelta(seconds=3)).sent == 0
    assert services.outbox_deliver(now=start + dt.timedelta(seconds=8)).sent == 1
    (message,) = server.received
    card = message["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert card["content"]["body"][0]["text"] == "P1 on 영업 일지"


def test_a_refusal_is_not_retried_and_an_oversized_card_is_not_sent(org: Org, teams: Any) -> None:
    url, server = teams
    server.answers = [(400, {})]
    services.notification_enqueue(
        key="a", channel=Channel.TEAMS, address=url, subject="s", body="b"
    )
    services.notification_enqueue(
        key="b", channel=Channel.TEAMS, address=url, subject="s", body="x" * 40_000
    )
    report = services.outbox_deliver()
    assert report.dead == 2 and report.sent == 0
    assert "28672" in Notification.objects.get(key="b").last_error
    assert server.received == []


def test_a_teams_address_that_leads_inside_is_refused_and_nothing_is_sent(
    org: Org, teams: Any, settings: Any
) -> None:
    """A team channel's or a digest's Teams address is checked where webhooks are
    (`common.egress`): a name that resolves to this machine or the network inside is
    refused for good, and no request leaves."""
    url, server = teams
    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = False
    port = url.split(":")[2].split("/")[0]
    inside = {
        "loop": (f"https://hooks.example.com:{port}/workflows/hook", ["127.0.0.1"]),
        "metadata": ("https://metadata.example.com/workflows/hook", ["169.254.169.254"]),
        "private": ("https://intranet.example.com/workflows/hook", ["10.0.0.5"]),
    }
    with egress.resolving({u.split("/")[2].split(":")[0]: a for u, a in inside.values()}):
        for key, (address, _answer) in inside.items():
            services.notification_enqueue(
                key=key, channel=Channel.TEAMS, address=address, subject="s", body="b"
            )
        report = services.outbox_deliver()
    assert report.dead == 3 and report.sent == 0
    for key in inside:
        assert "refused" in Notification.objects.get(key=key).last_error
    assert server.received == []


def test_preferences_suppress_a_channel(org: Org) -> None:
    NotificationPreference.objects.create(user=org.users["maker"], email=False)
    notification, _ = services.notification_enqueue(
        key="x",
        channel=Channel.EMAIL,
        address="maker@example.com",
        subject="s",
        body="b",
        recipient=org.users["maker"],
    )
    assert notification.status == DeliveryStatus.SUPPRESSED
    assert services.outbox_deliver().sent == 0 and mail.outbox == []


def test_a_claimed_row_is_not_sent_by_a_second_worker_until_the_claim_expires(org: Org) -> None:
    services.notification_enqueue(
        key="c", channel=Channel.EMAIL, address="a@example.com", subject="s", body="b"
    )
    now = clock.now()
    assert services._claim_due(limit=10, now=now) != []
    # A worker died after claiming: nobody else takes the row while the claim holds…
    assert services._claim_due(limit=10, now=now) == []
    assert services.outbox_deliver(now=now + dt.timedelta(minutes=1)).sent == 0
    # …and once it expires the row is delivered.
    assert services.outbox_deliver(now=now + services.CLAIM_FOR + dt.timedelta(seconds=1)).sent == 1


def test_failures_back_off_and_finally_give_up(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(notification: Notification) -> None:
        raise OSError("mail server down")

    monkeypatch.setitem(services.SENDERS, Channel.EMAIL, broken)
    services.notification_enqueue(
        key="d", channel=Channel.EMAIL, address="a@example.com", subject="s", body="b"
    )
    now = clock.now()
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        services.outbox_deliver(now=now)
        row = Notification.objects.get(key="d")
        waits.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    assert waits[:3] == [30, 60, 120]
    assert row.status == DeliveryStatus.DEAD and "mail server down" in row.last_error


def test_bulk_enqueue_follows_the_same_rules(org: Org) -> None:
    NotificationPreference.objects.create(user=org.users["maker"], teams=False)
    maker, agent = org.users["maker"], org.users["agent"]
    messages = [
        services.Message(
            key="m1",
            channel=Channel.TEAMS,
            address="https://hooks.example/x",
            subject="s" * 400,
            body="b",
            recipient_id=maker.pk,
        ),
        services.Message(
            key="m2",
            channel=Channel.EMAIL,
            address="agent@example.com",
            subject="s",
            body="b",
            recipient_id=agent.pk,
            cc=("agent@example.com", "lead@example.com"),
        ),
    ]
    assert services.notifications_enqueue_many(messages) == {"m1", "m2"}
    m1, m2 = Notification.objects.get(key="m1"), Notification.objects.get(key="m2")
    assert m1.status == DeliveryStatus.SUPPRESSED and len(m1.subject) == 300
    assert m2.status == DeliveryStatus.PENDING and m2.cc == ["lead@example.com"]
    # The same keys again queue nothing; skip_existing reports that nothing was new.
    assert services.notifications_enqueue_many(messages, skip_existing=True) == set()
    assert Notification.objects.count() == 2
    single, created = services.notification_enqueue(
        key="m2", channel=Channel.EMAIL, address="x@example.com", subject="s", body="b"
    )
    assert not created and single.address == "agent@example.com"


def test_mail_kept_as_files_in_the_data_directory(
    org: Org, settings: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from tierdesk.notify import mailbox

    settings.EMAIL_BACKEND = mailbox.BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    services.notification_enqueue(
        key="ticket:5:1:7:email",
        channel=Channel.EMAIL,
        address="maker@example.com",
        subject="[TD-5] 답변이 달렸습니다",
        body="확인해 주세요.",
    )
    assert services.outbox_deliver().sent == 1
    (kept,) = (tmp_path / "mail").glob("*/*.eml")
    assert kept.name.endswith("-ticket_5_1_7_email.eml")
    text = kept.read_text()
    assert "X-Tierdesk-Key: ticket:5:1:7:email" in text and "To: maker@example.com" in text
    assert capsys.readouterr().out == ""  # nothing printed
    assert str(tmp_path / "mail") in mailbox.mail_route()
