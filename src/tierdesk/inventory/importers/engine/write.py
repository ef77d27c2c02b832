"""Pass 2: the writer, its steps in order."""

from __future__ import annotations

import time

from django.db import connection

from tierdesk.inventory.importers.engine.facts import FactSteps
from tierdesk.inventory.importers.engine.people import PeopleSteps
from tierdesk.inventory.importers.engine.records import _peak_rss_mb
from tierdesk.inventory.importers.engine.roles import RoleSteps
from tierdesk.inventory.importers.engine.solutions import SolutionSteps
from tierdesk.inventory.usage_refresh import solutions_refresh_latest_usage

WRITE_CACHE_KIB = -16000  # PRAGMA cache_size: negative = KiB


class Writer(PeopleSteps, RoleSteps, SolutionSteps, FactSteps):
    """Pass 2: every step in order, inside the caller's transaction."""

    def run(self) -> None:
        if not self.sqlite:
            self._steps()
            return
        # SQLite: a 16 MB page cache for the write pass instead of the settings' 64 MB
        # (pages not cached are still in the OS cache; this keeps the import's peak RSS
        # flat), restored afterwards for the connection's other work.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            previous = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = {WRITE_CACHE_KIB}")
        try:
            self._steps()
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {previous}")

    def _steps(self) -> None:
        for step in (
            self.environments,
            self.people,
            self.environment_roles,
            self.connectors,
            self.solutions,
            self.owners,
            self.connector_uses,
            self.facts,
            self.write_events,
            self.refresh,
        ):
            started = time.monotonic()
            step()
            self.result.timings[step.__name__] = round(time.monotonic() - started, 3)
            self.result.timings[f"{step.__name__}_peak_rss_mb"] = _peak_rss_mb()

    def refresh(self) -> None:
        refreshed = solutions_refresh_latest_usage(solution_ids=self.touched)
        self.result.add("solutions_usage_refreshed", refreshed)
