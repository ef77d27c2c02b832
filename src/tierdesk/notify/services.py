"""Queue and deliver notifications. Business code only ever calls `notification_enqueue`
inside its own transaction; `outbox_deliver` (the sweep) sends."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.notify import senders
from tierdesk.notify.choices import Channel, DeliveryStatus
from tierdesk.notify.models import Notification, NotificationPreference

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_FOR = dt.timedelta(minutes=5)
SENDERS: dict[str, Callable[[Notification], senders.Sent]] = {
    Channel.EMAIL: senders.send_email,
    Channel.TEAMS: senders.send_teams,
}


def notification_enqueue(
    *,
    key: str,
    channel: str,
    address: str,
    subject: str,
    body: str,
    recipient: User | None = None,
    cc: Iterable[str] = (),
    card: dict[str, object] | None = None,
    not_before: dt.datetime | None = None,
) -> tuple[Notification, bool]:
    """Queue one message under an idempotency key; the same key never queues twice.

    Returns the notification and whether it was new. A recipient who switched the channel
    off gets a row marked suppressed, so the decision is visible and still idempotent."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    status = DeliveryStatus.PENDING
    if recipient is not None and not channel_allowed(user=recipient, channel=channel):
        status = DeliveryStatus.SUPPRESSED
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "address": address,
            "cc": sorted(set(cc) - {address}),
            "subject": subject[:300],
            "body": body,
            "card": card,
            "status": status,
            "next_attempt_at": not_before or clock.now(),
        },
    )
    return notification, created


def channel_allowed(*, user: User, channel: str) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return True
    return preference.email if channel == Channel.EMAIL else preference.teams


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


def outbox_deliver(*, limit: int = 200, now: dt.datetime | None = None) -> DeliveryReport:
    """Send what is due. Each row is claimed first (a short transaction that only moves
    rows still unclaimed), so two workers never send the same row; a worker killed after
    claiming leaves a claim that expires and the row is retried."""
    now = now or clock.now()
    report = DeliveryReport()
    for notification_id in _claim_due(limit=limit, now=now):
        notification = Notification.objects.get(pk=notification_id)
        try:
            SENDERS[notification.channel](notification)
        except Exception as error:
            _record_failure(notification, error, now=now, report=report)
        else:
            Notification.objects.filter(pk=notification.pk, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.SENT,
                sent_at=clock.now(),
                attempts=notification.attempts + 1,
                claimed_until=None,
                last_error="",
            )
            report.sent += 1
    return report


def _claim_due(*, limit: int, now: dt.datetime) -> list[int]:
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )
    claimed: list[int] = []
    with transaction.atomic():
        candidates = list(
            Notification.objects.filter(due)
            .order_by("next_attempt_at", "id")
            .values_list("id", "status", "claimed_until")[:limit]
        )
        for notification_id, status, claimed_until in candidates:
            # Compare-and-set: only the worker whose UPDATE still sees the row unclaimed wins.
            won = Notification.objects.filter(
                pk=notification_id, status=status, claimed_until=claimed_until
            ).update(status=DeliveryStatus.SENDING, claimed_until=now + CLAIM_FOR)
            if won:
                claimed.append(notification_id)
    return claimed


def _record_failure(
    notification: Notification, error: Exception, *, now: dt.datetime, report: DeliveryReport
) -> None:
    attempts = notification.attempts + 1
    permanent = isinstance(error, senders.DeliveryError) and error.permanent
    if permanent or attempts >= MAX_ATTEMPTS:
        status, next_at = DeliveryStatus.DEAD, now
        report.dead += 1
        log.warning(
            "notification %s given up after %s attempts: %s", notification.key, attempts, error
        )
    else:
        retry_after = getattr(error, "retry_after_s", None)
        delay = dt.timedelta(seconds=retry_after or min(30 * 2 ** (attempts - 1), 3600))
        status, next_at = DeliveryStatus.PENDING, now + delay
        report.retried += 1
    Notification.objects.filter(pk=notification.pk).update(
        status=status,
        attempts=attempts,
        next_attempt_at=next_at,
        claimed_until=None,
        last_error=str(error)[:2000],
    )
