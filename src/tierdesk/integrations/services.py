"""Webhook subscriptions and the events they receive.

Writes (`subscription_create`, `subscription_delete`, `subscription_reactivate`) are each
allowed or refused by a named rule in `selectors`. `publish` runs inside the transaction
of the ticket change that caused it (from `receivers`) and queues one outbox row per
subscription that may hear of the ticket (`selectors.may_hear_of`), under an idempotency
key; `notify` sends, signs and retries them (`notify.webhooks`). `delivery_result` counts
failed attempts in a row and disables a subscription at `TIERDESK_WEBHOOK_MAX_FAILURES`,
telling the system admins."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.models import User
from tierdesk.common import clock, egress
from tierdesk.common.links import absolute_url
from tierdesk.common.permissions import require
from tierdesk.desk.models import Ticket
from tierdesk.integrations import selectors
from tierdesk.integrations.choices import Origin, WebhookEvent
from tierdesk.integrations.models import WebhookSubscription
from tierdesk.knowledge import finding
from tierdesk.knowledge.choices import READER_AUDIENCES, ArticleStatus
from tierdesk.knowledge.models import Article
from tierdesk.notify.choices import Channel
from tierdesk.notify.models import Notification
from tierdesk.notify.services import Message, notification_enqueue, notifications_enqueue_many
from tierdesk.notify.webhooks import Endpoint, check_url

log = logging.getLogger(__name__)

KEY = re.compile(r"^webhook:(\d+):")
DISABLED = (
    gettext_noop("A webhook subscription was disabled"),
    gettext_noop(
        "tierdesk stopped sending events to %(url)s after %(count)s failed deliveries in a "
        "row. Last error: %(error)s. Fix the receiver, then turn the subscription on again:"
    ),
)


# ------------------------------------------------------------------ subscriptions


def _clean_url(url: str) -> str:
    """An https URL whose host resolves only to addresses webhooks may reach: never
    loopback, private, link-local (the cloud metadata service), CGNAT, multicast or
    reserved ones, in any spelling (`notify.webhooks.check_url`, `common.egress`). Every
    delivery checks again, so a name that later resolves inside is refused then."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise ValidationError({"url": _("Enter a valid URL.")})
    try:
        check_url(url)
    except egress.Refused as refused:
        log.info("webhook target refused: %s", refused)
        raise ValidationError({"url": refused.message()}) from refused
    return url


def _clean_events(events: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": _("Unknown events: %s") % ", ".join(unknown)})
    return chosen or list(WebhookEvent.values)


def subscription_create(
    *,
    actor: User,
    url: str,
    events: Iterable[str] | None = None,
    name: str = "",
    origin: str = Origin.CONNECTOR,
) -> WebhookSubscription:
    """A subscription. Through the connector (origin "connector") it belongs to the actor
    and hears only of tickets the actor may read (`selectors.can_subscribe`); a system
    admin's (origin "admin", `selectors.can_manage_webhooks`) hears of every ticket."""
    if origin == Origin.ADMIN:
        require(selectors.can_manage_webhooks(actor), _("Only system admins add webhooks."))
        owner = None
    else:
        require(selectors.can_subscribe(actor), _("Your account reads; it does not subscribe."))
        owner = actor
    _forget()
    return WebhookSubscription.objects.create(
        name=name.strip()[:200],
        url=_clean_url(url),
        events=_clean_events(events),
        origin=origin,
        owner=owner,
        created_by=actor,
    )


def subscription_delete(*, actor: User, subscription: WebhookSubscription) -> None:
    """Unsubscribe: its owner (Power Automate turning a flow off) or a system admin.
    Messages still queued for it are never sent (`endpoint_for` finds nothing)."""
    require(
        selectors.can_unsubscribe(actor, subscription),
        _("Only its owner or a system admin removes a subscription."),
    )
    subscription.delete()
    _forget()


def subscription_reactivate(*, actor: User, subscription: WebhookSubscription) -> None:
    """Turn a disabled subscription on again, its failure count reset (system admins)."""
    require(selectors.can_manage_webhooks(actor), _("Only system admins turn webhooks on."))
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        is_active=True, consecutive_failures=0, disabled_at=None
    )
    _forget()


# ------------------------------------------------------------------ events


def _ticket_data(ticket: Ticket) -> dict[str, Any]:
    number = ticket.number or f"TD-{ticket.pk:06d}"
    solution = ticket.solution if ticket.solution_id else None
    return {
        "id": ticket.pk,
        "number": number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "level": ticket.level,
        "is_open": ticket.is_open,
        "solution_platform_id": getattr(solution, "platform_id", "") or "",
        "url": absolute_url(reverse("desk:ticket-detail", args=[ticket.pk])),
        "api_url": absolute_url(f"/api/v1/tickets/{ticket.pk}/"),
    }


def event_payload(
    *, event: str, ticket: Ticket, occurred_key: str, details: dict[str, Any]
) -> dict[str, Any]:
    """The JSON every subscriber receives (its schema is the connector trigger's
    `x-ms-notification-content`, `api.serializers.WebhookEventSerializer`)."""
    return {
        "id": f"{ticket.pk}:{occurred_key}",
        "type": event,
        "occurred_at": clock.now().isoformat(),
        "ticket": _ticket_data(ticket),
        "status_before": str(details.get("status_before", "")),
        "message": str(details.get("message", "")),
        "reason": str(details.get("reason", "")),
    }


CACHE_KEY = "integrations:webhook-events"
CACHE_SECONDS = 60


def subscribed_events() -> frozenset[str]:
    """The events some active subscription wants, from the cache: a ticket change with no
    subscriber costs no query (forgotten on every change of subscriptions, and at most a
    minute old in another process)."""
    found = cache.get(CACHE_KEY)
    if found is None:
        events: set[str] = set()
        for chosen in WebhookSubscription.objects.filter(is_active=True).values_list(
            "events", flat=True
        ):
            events.update(chosen or [])
        found = sorted(events)
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return frozenset(found)


def _forget() -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _active_for(event: str) -> list[WebhookSubscription]:
    if event not in subscribed_events():
        return []
    # A handful of rows at most: the events list is filtered here, the same on every
    # database (SQLite has no JSON containment lookup).
    return [
        s
        for s in WebhookSubscription.objects.filter(is_active=True).select_related("owner")
        if event in (s.events or [])
    ]


def publish(
    *,
    event: str,
    ticket: Ticket,
    occurred_key: str,
    details: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
) -> int:
    """Queue the event for every active subscription that may hear of the ticket; runs in
    the caller's transaction. The same (subscription, ticket, occurrence) queues once.
    `details` may be a function: read only when someone subscribed."""
    subscriptions = _active_for(event)
    if not subscriptions:
        return 0
    found = details() if callable(details) else (details or {})
    body = json.dumps(
        event_payload(event=event, ticket=ticket, occurred_key=occurred_key, details=found),
        ensure_ascii=False,
    )
    messages = [
        Message(
            key=f"webhook:{s.pk}:ticket:{ticket.pk}:{occurred_key}"[:200],
            channel=Channel.WEBHOOK,
            address=s.url[:1000],
            subject=event,
            body=body,
        )
        for s in subscriptions
        if selectors.may_hear_of(s, ticket)
    ]
    notifications_enqueue_many(messages)
    return len(messages)


# ------------------------------------------------------------------ notify's hooks


def _subscription_id(notification: Notification) -> int | None:
    match = KEY.match(notification.key)
    return int(match.group(1)) if match else None


def endpoint_for(notification: Notification) -> Endpoint | None:
    """Where an outbox row goes, read when it is sent: nothing for a subscription
    removed or disabled since it was queued."""
    pk = _subscription_id(notification)
    if pk is None:
        return None
    found = WebhookSubscription.objects.filter(pk=pk, is_active=True).first()
    return Endpoint(url=found.url, secret=found.secret) if found else None


def delivery_result(notification: Notification, ok: bool, error: str) -> None:
    """After each attempt: a success resets the count; failures in a row disable the
    subscription at the limit and the system admins are told once."""
    pk = _subscription_id(notification)
    if pk is None:
        return
    if ok:
        WebhookSubscription.objects.filter(pk=pk).update(
            consecutive_failures=0, last_error="", last_delivered_at=clock.now()
        )
        return
    with transaction.atomic():
        rows = WebhookSubscription.objects.filter(pk=pk, is_active=True)
        if not rows.update(consecutive_failures=F("consecutive_failures") + 1, last_error=error):
            return
        subscription = WebhookSubscription.objects.get(pk=pk)
        if subscription.consecutive_failures < settings.TIERDESK_WEBHOOK_MAX_FAILURES:
            return
        now = clock.now()
        if not WebhookSubscription.objects.filter(pk=pk, is_active=True).update(
            is_active=False, disabled_at=now
        ):
            return
        subscription.disabled_at = now
        _forget()
        _tell_admins(subscription)


def _tell_admins(subscription: WebhookSubscription) -> None:
    link = absolute_url(reverse("integrations:home"))
    for admin in User.objects.filter(is_superuser=True, is_active=True).exclude(email=""):
        with translation.override(admin.mail_language):
            subject = str(_(DISABLED[0]))
            text = _(DISABLED[1]) % {
                "url": subscription.url,
                "count": subscription.consecutive_failures,
                "error": subscription.last_error[:300],
            }
        notification_enqueue(
            key=f"webhook-disabled:{subscription.pk}:{subscription.disabled_at:%Y%m%d%H%M%S}:"
            f"{admin.pk}:{Channel.EMAIL}",
            channel=Channel.EMAIL,
            address=admin.email,
            recipient=admin,
            subject=subject,
            body=f"{text}\n\n{link}",
        )


TICKET_KEY = re.compile(r"^ticket:(\d+):.*:teams$")
OPEN_TICKET = gettext_noop("Open ticket")
OPEN_ARTICLE = gettext_noop("Open knowledge article")


def _article_for(ticket: Ticket) -> Article | None:
    """The published article for readers that best matches the ticket's subject: what a
    Teams card's second button opens (never an internal article)."""
    readable = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, audience__in=sorted(READER_AUDIENCES)
    )
    found = finding.articles_search(readable, ticket.subject, limit=1)
    return found[0].article if found else None


def ticket_card_buttons(key: str, card: dict[str, Any]) -> dict[str, Any]:
    """A ticket's Teams card gets `Action.OpenUrl` buttons "Open ticket" and, when an
    article matches, "Open knowledge article" (absolute URLs, in the site's language)."""
    match = TICKET_KEY.match(key)
    if match is None:
        return card
    ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
    if ticket is None:
        return card
    with translation.override(settings.LANGUAGE_CODE):
        buttons: list[dict[str, str]] = [
            {
                "type": "Action.OpenUrl",
                "title": str(_(OPEN_TICKET)),
                "url": absolute_url(reverse("desk:ticket-detail", args=[ticket.pk])),
            }
        ]
        article = _article_for(ticket)
        if article is not None:
            buttons.append(
                {
                    "type": "Action.OpenUrl",
                    "title": str(_(OPEN_ARTICLE)),
                    "url": absolute_url(reverse("knowledge:article", args=[article.pk])),
                }
            )
    return {**card, "actions": buttons}
