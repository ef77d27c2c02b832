"""Webhook subscriptions: who receives which ticket events at which URL.

A subscription is added by a system admin (the integrations page) or by Power Automate
through the connector's trigger "When a ticket changes" (`POST /api/v1/webhooks/`, with
the API token of the person whose flow it is). Deliveries go through the notify outbox
(`notify.webhooks`); after `TIERDESK_WEBHOOK_MAX_FAILURES` failed attempts in a row the
subscription is disabled and the admins are told."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.common import clock
from tierdesk.integrations.choices import Origin


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    name = models.CharField(_("name"), max_length=200, blank=True)
    url = models.URLField(_("target URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=200, default=new_secret)
    origin = models.CharField(_("added by"), max_length=16, choices=Origin.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subscriber"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        help_text=_("Events of the tickets this person may read; empty: every ticket."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("turned on"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_delivered_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        indexes = [
            models.Index(
                fields=["id"], name="integrations_hook_active", condition=models.Q(is_active=True)
            )
        ]

    def __str__(self) -> str:
        return self.name or self.url
