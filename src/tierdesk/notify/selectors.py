"""Reads of notifications and the rules that decide who may act on them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tierdesk.common.permissions import has_any_role
from tierdesk.common.roles import PLATFORM_STAFF
from tierdesk.notify.choices import OUTBOUND, DeliveryStatus
from tierdesk.notify.models import InboxItem, Notification

OUTBOX_READERS = PLATFORM_STAFF
"""Who reads the outbox (every message tierdesk sent, to whom and how it went): admins
and the platform team."""


def inbox_of(user: Any) -> QuerySet[InboxItem]:
    """A person's in-app notifications, newest first. Nobody else's: an item of someone
    else is missing, not forbidden."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return InboxItem.objects.none()
    return InboxItem.objects.filter(recipient=user).order_by("-created_at", "-id")


UNREAD_CAP = 100
"""The bell counts up to here (and shows 99+): one COUNT over at most this many entries of
the partial index of unread items, however many a person leaves unread."""


def unread_count(user: Any) -> int:
    """What the bell shows: unread items, counted up to UNREAD_CAP."""
    if not getattr(user, "is_authenticated", False):
        return 0
    unread = InboxItem.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    return unread[:UNREAD_CAP].count()


_CACHE = "_tierdesk_inbox_unread"


def unread_count_of_request(request: Any) -> int:
    """The signed-in person's unread count, counted once per request (the bell in the top
    bar and the page it is on share it)."""
    cached = getattr(request, _CACHE, None)
    if cached is None:
        cached = unread_count(getattr(request, "user", None))
        setattr(request, _CACHE, cached)
    count: int = cached
    return count


def can_mark_read(user: Any, item: InboxItem | None) -> bool:
    """Only the recipient marks a notification read (`None`: their own, all at once)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return item is None or item.recipient_id == user.pk


def can_read_outbox(user: Any) -> bool:
    return has_any_role(user, OUTBOX_READERS)


def outbox_rows(
    user: Any, *, channel: str = "", status: str = "", query: str = ""
) -> QuerySet[Notification]:
    """The outbox as admins and the platform team read it, newest first."""
    if not can_read_outbox(user):
        return Notification.objects.none()
    rows = Notification.objects.select_related("recipient").order_by("-created_at", "-id")
    if channel in OUTBOUND:
        rows = rows.filter(channel=channel)
    if status in DeliveryStatus.values:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(
            Q(address__icontains=query)
            | Q(subject__icontains=query)
            | Q(recipient__username__iexact=query)
        )
    return rows


def inbox_rows(user: Any, *, status: str = "", query: str = "") -> QuerySet[InboxItem]:
    """Every person's in-app notifications (the outbox page's in-app channel)."""
    if not can_read_outbox(user):
        return InboxItem.objects.none()
    rows = InboxItem.objects.select_related("recipient").order_by("-created_at", "-id")
    if status == "read":
        rows = rows.filter(read_at__isnull=False)
    elif status == "unread":
        rows = rows.filter(read_at__isnull=True)
    if query:
        rows = rows.filter(Q(subject__icontains=query) | Q(recipient__username__iexact=query))
    return rows
