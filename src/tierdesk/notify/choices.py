from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    TEAMS = "teams", _("Microsoft Teams")
    IN_APP = "in_app", _("In-app")
    WEBHOOK = "webhook", _("Webhook")


OUTBOUND = (Channel.EMAIL, Channel.TEAMS, Channel.WEBHOOK)
"""The channels that leave tierdesk through the outbox; in-app messages are inbox items.
Webhooks carry a signed JSON event to a subscriber's URL (`senders.send_webhook`)."""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Given up")
    SUPPRESSED = "suppressed", _("Not sent (preferences)")
