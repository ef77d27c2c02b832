"""`tierdesk scan`: run the reactive-governance scan now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tierdesk.governance.services import scan_run


class Command(BaseCommand):
    help = "Run the reactive-governance scan now: signals, guardrail findings, maker digests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-notify", action="store_true", help="Do not queue digests.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = scan_run(notify=not options["no_notify"])
        self.stdout.write(
            f"{report.solutions} solutions scanned; signals +{report.signals_created} "
            f"~{report.signals_updated} -{report.signals_resolved}; findings "
            f"+{report.findings_created} ~{report.findings_updated} -{report.findings_resolved}; "
            f"{report.notifications} digests queued"
        )
