"""The notification outbox: every message tierdesk sends is a row here first.

A row is written in the same transaction as the business change that caused it and carries
an idempotency key, so a retried task or a re-run scan never sends the same thing twice
(design.md §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.common import clock
from tierdesk.notify.choices import Channel, DeliveryStatus


class Notification(models.Model):
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    address = models.CharField(
        _("address"), max_length=1000, help_text=_("E-mail address or Teams Workflows URL")
    )
    cc = models.JSONField(_("copied"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    card = models.JSONField(_("adaptive card"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=clock.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The outbox sweep reads only what is due: an index range scan, never a loop.
            models.Index(
                fields=["next_attempt_at"],
                name="notify_due",
                condition=models.Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("e-mail"), default=True)
    teams = models.BooleanField(_("Microsoft Teams"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}"
