"""`tierdesk insights-facts`: bring the daily facts up to date, or recount them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tierdesk.insights.facts import facts_catch_up, facts_rebuild


class Command(BaseCommand):
    help = (
        "Count the ticket events not counted yet into the insights' daily facts; with "
        "--rebuild, delete the facts (of days from --since on) and recount them from the "
        "whole timeline in one transaction."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--since", default="", help="YYYY-MM-DD (with --rebuild)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            if not options["rebuild"]:
                raise CommandError("--since goes with --rebuild")
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError("--since must be a date: YYYY-MM-DD") from error
        report = facts_rebuild(since=since) if options["rebuild"] else facts_catch_up()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(
            f"{report.events} ticket events, {report.sla_events} SLA events and "
            f"{report.deflections} deflections counted in {report.seconds:.2f} s "
            f"({report.batches} batches, {report.rows} fact rows written)"
        )
