"""Queue and deliver notifications. Business code only ever calls `notification_enqueue`
(or `notifications_enqueue_many` for many at once) inside its own transaction;
`outbox_deliver` (the sweep) sends.

In-app notifications (the bell and the notification centre) are `InboxItem`s: posted by
`inbox_post`, and by the outbox itself for every message it queues for a tierdesk user, so
callers of the outbox need do nothing more. Marking them read goes through
`inbox_mark_read` / `inbox_mark_all_read`, decided by `selectors.can_mark_read`."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.notify import senders, webhooks
from tierdesk.notify.choices import OUTBOUND, Channel, DeliveryStatus
from tierdesk.notify.models import InboxItem, Notification, NotificationPreference
from tierdesk.notify.selectors import can_mark_read

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_FOR = dt.timedelta(minutes=5)
SENDERS: dict[str, Callable[[Notification], senders.Sent]] = {
    Channel.EMAIL: senders.send_email,
    Channel.TEAMS: senders.send_teams,
    Channel.WEBHOOK: senders.send_webhook,
}


@dataclass(frozen=True)
class Message:
    """One message to queue under its idempotency key."""

    key: str
    channel: str
    address: str
    subject: str
    body: str
    recipient_id: int | None = None
    cc: tuple[str, ...] = ()
    card: dict[str, Any] | None = None


def _row(
    message: Message, *, suppressed: bool, at: dt.datetime, recipient: User | None = None
) -> Notification:
    """The outbox row for a message: the rules every way of queueing shares."""
    if message.channel not in OUTBOUND:
        raise ValueError(
            f"unknown channel {message.channel!r}"
            + (" (in-app messages go through inbox_post)" if message.channel == "in_app" else "")
        )
    who: dict[str, Any] = (
        {"recipient": recipient}
        if recipient is not None
        else {"recipient_id": message.recipient_id}
    )
    return Notification(
        key=message.key,
        channel=message.channel,
        **who,
        address=message.address,
        cc=sorted(set(message.cc) - {message.address}),
        subject=message.subject[:300],
        body=message.body,
        card=message.card,
        status=DeliveryStatus.SUPPRESSED if suppressed else DeliveryStatus.PENDING,
        next_attempt_at=at,
        created_at=clock.now(),
    )


def notification_enqueue(
    *,
    key: str,
    channel: str,
    address: str,
    subject: str,
    body: str,
    recipient: User | None = None,
    cc: Iterable[str] = (),
    card: dict[str, Any] | None = None,
    not_before: dt.datetime | None = None,
) -> tuple[Notification, bool]:
    """Queue one message under an idempotency key; the same key never queues twice.

    Returns the notification and whether it was new. A recipient who switched the channel
    off gets a row marked suppressed, so the decision is visible and still idempotent."""
    message = Message(
        key=key,
        channel=channel,
        address=address,
        subject=subject,
        body=body,
        recipient_id=recipient.pk if recipient is not None else None,
        cc=tuple(cc),
        card=card,
    )
    suppressed = recipient is not None and not channel_allowed(user=recipient, channel=channel)
    row = _row(message, suppressed=suppressed, at=not_before or clock.now(), recipient=recipient)
    defaults = {
        field: getattr(row, field)
        for field in (
            "channel",
            "recipient",
            "address",
            "cc",
            "subject",
            "body",
            "card",
            "status",
            "next_attempt_at",
        )
    }
    notification, created = Notification.objects.get_or_create(key=key, defaults=defaults)
    if created and recipient is not None:
        _inbox_mirror([message])
    return notification, created


def channels_switched_off(*, user_ids: Iterable[int]) -> frozenset[tuple[int, str]]:
    """(user id, channel) pairs the users switched off, read in one query."""
    off: set[tuple[int, str]] = set()
    rows = NotificationPreference.objects.filter(user_id__in=set(user_ids)).values_list(
        "user_id", "email", "teams"
    )
    for user_id, email, teams in rows:
        if not email:
            off.add((user_id, Channel.EMAIL))
        if not teams:
            off.add((user_id, Channel.TEAMS))
    return frozenset(off)


def notifications_enqueue_many(
    messages: Sequence[Message],
    *,
    switched_off: frozenset[tuple[int, str]] | None = None,
    skip_existing: bool = False,
    batch_size: int = 2000,
) -> set[str]:
    """Queue many messages with `notification_enqueue`'s rules in as few INSERTs as
    possible; keys already in the outbox are left alone (ON CONFLICT DO NOTHING).

    `switched_off` lets a caller read preferences before its write transaction;
    `skip_existing` first looks the keys up, so the keys returned are those queued now
    (callers that render expensive bodies filter with `keys_queued` first instead)."""
    if not messages:
        return set()
    if skip_existing:
        taken = keys_queued([m.key for m in messages], batch_size=batch_size)
        messages = [m for m in messages if m.key not in taken]
    if switched_off is None:
        switched_off = channels_switched_off(
            user_ids=[m.recipient_id for m in messages if m.recipient_id is not None]
        )
    now = clock.now()
    rows = [
        _row(m, suppressed=(m.recipient_id, m.channel) in switched_off, at=now) for m in messages
    ]
    Notification.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    _inbox_mirror(messages, batch_size=batch_size)
    return {m.key for m in messages}


def keys_queued(keys: Sequence[str], *, batch_size: int = 2000) -> set[str]:
    """Which of these idempotency keys are already in the outbox."""
    found: set[str] = set()
    for start in range(0, len(keys), batch_size):
        found.update(
            Notification.objects.filter(key__in=keys[start : start + batch_size]).values_list(
                "key", flat=True
            )
        )
    return found


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
            if notification.channel == Channel.WEBHOOK:
                webhooks.record_result(notification, False, str(error))
        else:
            if notification.channel == Channel.WEBHOOK:
                webhooks.record_result(notification, True)
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


# --- in-app: the inbox behind the bell and the notification centre -------------------

_LINK = re.compile(r"https?://[^\s\"'<>)]+")
_CHANNEL_SUFFIX = re.compile(r":(?:email|teams)$")


def _local_path(url: str) -> str:
    """A link as the inbox stores it: a path in tierdesk. Absolute links on
    TIERDESK_BASE_URL become their path; anything else is refused."""
    base = settings.TIERDESK_BASE_URL
    if url.startswith(f"{base}/"):
        url = url[len(base) :]
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValueError(f"an in-app link is a path in tierdesk, got {url!r}")
    return url[:1000]


def inbox_post(
    *, recipient: User, key: str, subject: str, url: str, body: str = ""
) -> tuple[InboxItem, bool]:
    """Put one notification in a person's notification centre; the same key for the same
    person is posted once. Never sends mail: the outbox does that.

    `url` is where the notification leads: a path such as `/desk/tickets/7/` (or an
    absolute link on TIERDESK_BASE_URL). Returns the item and whether it is new."""
    if not key:
        raise ValueError("an in-app notification needs an idempotency key")
    return InboxItem.objects.get_or_create(
        recipient=recipient,
        key=key[:200],
        defaults={
            "subject": subject[:300],
            "body": body,
            "url": _local_path(url),
            "created_at": clock.now(),
        },
    )


def _inbox_text(message: Message) -> tuple[str, str]:
    """The link an outbox message leads to (its last link into tierdesk, a Teams card's
    button included) and its text without those links, which the item's link replaces."""
    base = settings.TIERDESK_BASE_URL
    links = [link for link in _LINK.findall(message.body) if link.startswith(f"{base}/")]
    for action in (message.card or {}).get("actions", []) or []:
        link = action.get("url", "") if isinstance(action, dict) else ""
        if isinstance(link, str) and link.startswith(f"{base}/"):
            links.append(link)
    ours = f"{base}/"
    text = _LINK.sub(lambda m: "" if m.group(0).startswith(ours) else m.group(0), message.body)
    kept = [line.rstrip() for line in text.splitlines() if line.strip()]
    return (links[-1][len(base) :] if links else ""), "\n".join(kept)


def _inbox_mirror(messages: Sequence[Message], *, batch_size: int = 2000) -> int:
    """Every outbox message for a tierdesk user also goes to their notification centre,
    once per event: an e-mail and a Teams message of the same event (keys that differ only
    by their channel) make one item."""
    items: dict[tuple[int, str], InboxItem] = {}
    now = clock.now()
    for message in messages:
        if message.recipient_id is None:
            continue
        key = _CHANNEL_SUFFIX.sub("", message.key)
        if (message.recipient_id, key) in items:
            continue
        url, body = _inbox_text(message)
        items[(message.recipient_id, key)] = InboxItem(
            recipient_id=message.recipient_id,
            key=key,
            subject=message.subject[:300],
            body=body,
            url=url[:1000],
            created_at=now,
        )
    if items:
        InboxItem.objects.bulk_create(
            list(items.values()), batch_size=batch_size, ignore_conflicts=True
        )
    return len(items)


def inbox_mark_read(*, item: InboxItem, actor: User) -> bool:
    """Mark one in-app notification read; only its recipient may. Returns whether it was
    unread."""
    require(can_mark_read(actor, item), _("Only its recipient can mark a notification read."))
    now = clock.now()
    changed = InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=now)
    if changed:
        item.read_at = now
    return bool(changed)


def inbox_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    require(can_mark_read(actor, None), _("You may not do this."))
    return InboxItem.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=clock.now()
    )
