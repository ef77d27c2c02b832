from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from tierdesk.sla.defaults import seed


class Command(BaseCommand):
    help = "Re-create missing default calendars, SLA policies and settings (edits are kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed(apps)
        self.stdout.write(
            f"calendars: {created['calendars']} created, policies: {created['policies']} created"
        )
