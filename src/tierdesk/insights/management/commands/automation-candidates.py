"""`tierdesk automation-candidates`: look for automation candidates now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tierdesk.insights.choices import RunTrigger
from tierdesk.insights.finder import (
    DEFAULT_DAYS,
    DEFAULT_MIN_SIZE,
    RunInProgress,
    automation_candidates_find,
)


class Command(BaseCommand):
    help = (
        "Look for automation candidates now: clusters of similar resolved requests of the "
        "last --days days, of at least --min requests each."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
        parser.add_argument("--min", type=int, default=DEFAULT_MIN_SIZE, dest="min_size")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1 or options["min_size"] < 2:
            raise CommandError("--days must be at least 1 and --min at least 2")
        try:
            run = automation_candidates_find(
                actor=None,
                trigger=RunTrigger.COMMAND,
                days=options["days"],
                min_size=options["min_size"],
            )
        except RunInProgress as error:
            raise CommandError("another look for candidates is running") from error
        self.stdout.write(
            f"{run.tickets} resolved requests looked at in {run.seconds:.1f} s; "
            f"{run.clusters} clusters: {run.created} new candidates, {run.updated} updated, "
            f"{run.reopened} reopened"
        )
