"""Admins hear about a failed live sync from the tenant: the inventory sends
`inventory.signals.sync_failed` (it may not import notify, a sibling layer); this receiver
queues one e-mail per active admin and run through the notify outbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.inventory.importers.models import ImportRun
from tierdesk.notify.choices import Channel
from tierdesk.notify.services import notification_enqueue


def sync_failed_notify_admins(
    sender: Any, *, run: ImportRun, reason: str, partial: bool = False, **kwargs: Any
) -> int:
    """E-mail every active admin with an address, in their language, once per run.
    `partial`: the run imported, but a part of it (agents) could not be read."""
    link = settings.TIERDESK_BASE_URL + reverse("inventory:import-detail", args=[run.pk])
    queued = 0
    for admin in User.objects.filter(is_superuser=True, is_active=True).order_by("pk"):
        if not admin.email:
            continue
        with translation.override(admin.preferred_language or settings.LANGUAGE_CODE):
            words = {
                "when": run.started_at.isoformat(timespec="minutes"),
                "reason": reason,
                "link": link,
            }
            if partial:
                subject = _("The inventory sync from the tenant needs attention")
                body = (
                    _("The sync started %(when)s imported, but %(reason)s\n\nThe run: %(link)s")
                    % words
                )
            else:
                subject = _("The inventory sync from the tenant failed")
                body = (
                    _("The sync started %(when)s wrote nothing: %(reason)s\n\nThe run: %(link)s")
                    % words
                )
        _n, created = notification_enqueue(
            key=f"inventory-sync:{run.pk}:{admin.pk}:{Channel.EMAIL}",
            channel=Channel.EMAIL,
            address=admin.email,
            recipient=admin,
            subject=subject,
            body=body,
        )
        queued += created
    return queued
