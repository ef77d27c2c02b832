"""`tierdesk coe-rollups`: when the CoE views' rollups were computed; `--refresh`
recomputes them."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tierdesk.insights.coe_rollups import coe_rollups_refresh, inventory_fingerprint
from tierdesk.insights.models import CoeRollupState


class Command(BaseCommand):
    help = (
        "Say when the CoE admin views' rollups were last computed and whether the inventory "
        "changed since; with --refresh, recompute them (one transaction)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--refresh", action="store_true")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["refresh"]:
            report = coe_rollups_refresh()
            if options["json"]:
                self.stdout.write(json.dumps(report.as_dict()))
                return
            self.stdout.write(
                f"{sum(report.rows.values())} rows computed in {report.seconds:.2f} s "
                f"({', '.join(f'{k} {v}' for k, v in report.rows.items())})"
            )
            return
        state = CoeRollupState.objects.filter(pk=1, refreshed_at__isnull=False).first()
        if state is None or state.refreshed_at is None:
            self.stdout.write("never computed (the first read or --refresh computes them)")
            return
        changed = inventory_fingerprint() != state.fingerprint
        if options["json"]:
            figures = {
                "as_of": state.refreshed_at.isoformat(),
                "seconds": state.seconds,
                "rows": state.rows,
                "inventory_changed": changed,
            }
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            f"as of {timezone.localtime(state.refreshed_at):%Y-%m-%d %H:%M} "
            f"({state.rows} rows in {state.seconds:.2f} s); "
            + ("the inventory changed since" if changed else "the inventory is unchanged")
        )
