from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tierdesk.notify.services import outbox_deliver
from tierdesk.sla.sweep import sla_sweep


class Command(BaseCommand):
    help = (
        "Run one sweep now: SLA warnings, breaches and escalation steps that are due, then "
        "deliver the notifications that are due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        swept = sla_sweep()
        fired = ", ".join(f"{n} {what}" for what, n in sorted(swept.fired.items())) or "nothing"
        self.stdout.write(
            f"sla: {swept.due} due, fired {fired}, {swept.escalation_steps} escalation steps"
        )
        report = outbox_deliver(limit=options["limit"])
        self.stdout.write(
            f"notifications: {report.sent} sent, {report.retried} to retry, {report.dead} given up"
        )
