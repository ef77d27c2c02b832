"""`tierdesk mail-poll [--once]`: read the configured mailbox (TIERDESK_IMAP_*) and file
its new mails (`desk.imap_poll.mail_poll`). Without --once it keeps polling every
TIERDESK_IMAP_POLL_SECONDS until stopped (for deployments without the scheduler)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tierdesk.desk.imap_poll import MailboxConfig, MailboxError, mail_poll


class Command(BaseCommand):
    help = "Read new mails from the configured mailbox: new tickets, replies, ignored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Poll once and stop.")
        parser.add_argument(
            "--limit", type=int, default=None, help="Read at most this many new mails."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = MailboxConfig.from_settings()
        if config is None:
            raise CommandError("No mailbox: set TIERDESK_IMAP_HOST (docs/production.md).")
        while True:
            try:
                report = mail_poll(config, limit=options["limit"])
            except MailboxError as error:
                if options["once"]:
                    raise CommandError(str(error)) from error
                self.stderr.write(f"mailbox poll failed: {error}")
            else:
                self.stdout.write(json.dumps(report.as_dict()))
                if options["once"]:
                    return
                if report.left:
                    continue  # more waiting: read the next batch now
            time.sleep(settings.TIERDESK_IMAP_POLL_SECONDS)
