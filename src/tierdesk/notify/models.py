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


class InboxItem(models.Model):
    """One in-app notification: what the bell counts and the notification centre lists.

    Posted by `services.inbox_post` (idempotent by key for its recipient) and, for every
    outbox message to a tierdesk user, by the outbox itself. It is delivered when it is
    written; the recipient's reading it is the only state it has."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="inbox_items",
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(
        _("link"), max_length=1000, blank=True, help_text=_("A path in tierdesk, e.g. /desk/…")
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("in-app notification")
        verbose_name_plural = _("in-app notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notify_inbox_key"),
        ]
        indexes = [
            # The notification centre: one person's items, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notify_inbox_list"),
            # The bell: one person's unread items, counted from a small partial index.
            models.Index(
                fields=["recipient"],
                name="notify_inbox_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
