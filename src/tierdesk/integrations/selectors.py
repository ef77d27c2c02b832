"""Reads and rules of integrations: who may add, see and remove webhook subscriptions,
and whose subscription may hear of which ticket."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tierdesk.common.permissions import has_any_role
from tierdesk.common.roles import ADMIN_ONLY, WRITERS
from tierdesk.desk.models import Ticket
from tierdesk.desk.selectors import tickets_visible_to
from tierdesk.integrations.models import WebhookSubscription


def can_manage_webhooks(user: Any) -> bool:
    """Every subscription, any ticket's events: system admins."""
    return has_any_role(user, ADMIN_ONLY)


def can_subscribe(user: Any) -> bool:
    """A subscription of one's own (the connector's trigger): everyone who writes; a
    manager's read-only account does not."""
    return has_any_role(user, WRITERS)


def can_unsubscribe(user: Any, subscription: WebhookSubscription) -> bool:
    if can_manage_webhooks(user):
        return True
    return subscription.owner_id is not None and subscription.owner_id == getattr(user, "pk", None)


def subscriptions_visible_to(user: Any) -> QuerySet[WebhookSubscription]:
    if not getattr(user, "is_authenticated", False):
        return WebhookSubscription.objects.none()
    qs = WebhookSubscription.objects.select_related("owner", "created_by")
    if can_manage_webhooks(user):
        return qs
    return qs.filter(owner=user)


def subscription_get_for_user(user: Any, pk: int) -> WebhookSubscription:
    """Someone else's subscription answers as a missing one (404)."""
    found = subscriptions_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such subscription.")
    return found


def may_hear_of(subscription: WebhookSubscription, ticket: Ticket) -> bool:
    """A subscription made with a person's token carries that person's visibility; one a
    system admin added for an integration hears of every ticket."""
    if subscription.owner_id is None:
        return True
    owner = subscription.owner
    if owner is None or not owner.is_active:
        return False
    return tickets_visible_to(owner).filter(pk=ticket.pk).exists()
