from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tierdesk.notify.services import outbox_deliver


class Command(BaseCommand):
    help = "Run one sweep now: deliver the notifications that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        report = outbox_deliver(limit=options["limit"])
        self.stdout.write(
            f"notifications: {report.sent} sent, {report.retried} to retry, {report.dead} given up"
        )
