"""`tierdesk sync`: read the tenant's admin APIs with the configured service principal and
import what they return (all-or-nothing, like `tierdesk import`); print the run's report."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.inventory.importers.models import ImportRunStatus
from tierdesk.inventory.importers.sync import sync_config, sync_execute, sync_running


class Command(BaseCommand):
    help = (
        "Sync the inventory from the tenant: environments, apps and flows from the Power "
        "Platform admin APIs (TIERDESK_SYNC_* in the environment)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default=None, help="username recorded as who ran it")
        parser.add_argument(
            "--language",
            choices=["ko", "en"],
            default=None,
            help="language of the report (default: from LANG, else English)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        language = opts["language"] or (
            "ko" if os.environ.get("LANG", "").lower().startswith("ko") else "en"
        )
        translation.activate(language)
        if sync_config() is None:
            raise CommandError(
                _(
                    "the sync is not configured: set TIERDESK_SYNC_TENANT_ID, "
                    "TIERDESK_SYNC_CLIENT_ID and TIERDESK_SYNC_CLIENT_SECRET (or "
                    "TIERDESK_SYNC_CERTIFICATE_PATH and TIERDESK_SYNC_CERTIFICATE_THUMBPRINT)"
                )
            )
        if sync_running() is not None:
            raise CommandError(_("a sync is already running"))
        actor = User.objects.filter(username=opts["user"]).first() if opts["user"] else None
        if opts["user"] and actor is None:
            raise CommandError(_("no user named %(name)s") % {"name": opts["user"]})
        print(_("Reading the admin APIs…"), file=sys.stderr)
        run = sync_execute(actor=actor, interface="cli")
        # The same report as `tierdesk import` prints (its command module is named import).
        reporter: Any = load_command_class("tierdesk.inventory", "import")
        reporter.stdout, reporter.style = self.stdout, self.style
        reporter.report(run)
        if run.status == ImportRunStatus.REJECTED:
            raise CommandError(
                _("sync failed: %(n)d problem(s); nothing was imported") % {"n": run.error_count}
            )
