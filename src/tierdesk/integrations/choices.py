from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """What a webhook subscription may receive. The value is the event's `type` in the
    payload and the `X-Tierdesk-Event` header."""

    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    TICKET_REPLIED = "ticket.replied", _("Ticket replied")
    TICKET_ESCALATED = "ticket.escalated", _("Ticket escalated")


class Origin(models.TextChoices):
    ADMIN = "admin", _("Added by a system admin")
    CONNECTOR = "connector", _("Power Automate trigger")
