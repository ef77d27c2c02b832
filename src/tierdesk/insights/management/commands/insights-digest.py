"""`tierdesk insights-digest`: queue the managers' weekly digests now (or show what would
go with --dry-run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tierdesk.insights.digest import digests_send, last_week, parse_week, summary, week_label


class Command(BaseCommand):
    help = (
        "Queue each manager's weekly digest for an ISO week (default: the week just "
        "ended). A manager gets one digest per week; the output says who gets nothing and "
        "why. --dry-run writes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--week", default="", help="ISO week, YYYY-Www (e.g. 2026-W09)")
        parser.add_argument("--dry-run", action="store_true", help="print, send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            monday = parse_week(options["week"]) if options["week"] else last_week()
        except ValueError as error:
            raise CommandError("--week must be an ISO week: YYYY-Www, e.g. 2026-W09") from error
        dry_run = options["dry_run"]
        outcomes = digests_send(monday, dry_run=dry_run)
        self.stdout.write(f"Week {week_label(monday)}{' (dry run)' if dry_run else ''}:")
        for outcome in outcomes:
            self.stdout.write(f"  {outcome.line()}")
        self.stdout.write(summary(outcomes, dry_run=dry_run))
