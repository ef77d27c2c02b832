"""Where ticket changes become webhook events, without touching the desk's services:
every change the desk records writes a `TicketEvent` (desk/events.py) and a new ticket is
an INSERT of `Ticket`; Django's `post_save` signals of both run inside the desk's
transaction, so the event is queued with the change or not at all.

A new ticket's first events are written with `bulk_create` (no signal), hence the
ticket's own `post_save` (created) for "ticket.created"."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from tierdesk.desk.choices import TicketEventType as T
from tierdesk.desk.models import Ticket, TicketEvent
from tierdesk.integrations import services
from tierdesk.integrations.choices import WebhookEvent

STATUS_EVENTS = {T.STATUS_CHANGED, T.RESOLVED, T.CLOSED, T.REOPENED}


def on_ticket_saved(
    sender: Any, instance: Ticket, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        services.publish(event=WebhookEvent.TICKET_CREATED, ticket=instance, occurred_key="created")


def on_event_saved(
    sender: Any, instance: TicketEvent, created: bool, raw: bool = False, **_: Any
) -> None:
    if not created or raw:
        return
    parameters = instance.parameters or {}
    ticket = instance.ticket
    key = f"event{instance.pk}"
    if instance.type in STATUS_EVENTS:
        before = parameters.get("before", "")
        services.publish(
            event=WebhookEvent.TICKET_STATUS_CHANGED,
            ticket=ticket,
            occurred_key=key,
            details={"status_before": before, "reason": parameters.get("reason", "")},
        )
    elif instance.type == T.REPLIED:

        def reply() -> dict[str, Any]:
            message = ticket.messages.filter(pk=int(parameters.get("message") or 0)).first()
            return {"message": message.body if message is not None else ""}

        services.publish(
            event=WebhookEvent.TICKET_REPLIED, ticket=ticket, occurred_key=key, details=reply
        )
    elif instance.type == T.ESCALATED:
        services.publish(
            event=WebhookEvent.TICKET_ESCALATED,
            ticket=ticket,
            occurred_key=key,
            details={"reason": parameters.get("reason", "")},
        )


def connect() -> None:
    post_save.connect(on_ticket_saved, sender=Ticket, dispatch_uid="integrations-ticket")
    post_save.connect(on_event_saved, sender=TicketEvent, dispatch_uid="integrations-event")
