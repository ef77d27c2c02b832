"""The import engine: one streaming validation pass, then one all-or-nothing write.

Pass 1 reads every file row by row, converts and checks each value, checks references
and duplicates, and aggregates usage one day-file at a time into a spill file on disk.
Only when no problem was found does pass 2 open a transaction and write: environments,
people, connectors, solutions (created / updated / restored / orphaned / marked deleted,
each with a SolutionEvent), co-owners, connector uses and usage facts, in batches of raw
`executemany` so 100,000 solutions and millions of usage rows fit in a minute. A dry run
runs pass 2 too and rolls it back, so its counts are exactly what a real run would do.

Memory: O(solutions + people) for the inventory (needed to find duplicates and what
disappeared), O(one day) for usage; usage rows never stay in memory.

A package: `records` (options, result, collected records), `collect` (pass 1), `writer`
(pass 2's shared state), `people`, `solutions`, `facts` (its steps), `write` (the Writer),
`refresh` (latest usage columns)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from django.db import transaction

from tierdesk.inventory.importers import formats as fm
from tierdesk.inventory.importers.engine.collect import collect
from tierdesk.inventory.importers.engine.records import (
    Collected,
    Options,
    Result,
    Rollback,
    _peak_rss_mb,
)
from tierdesk.inventory.importers.engine.references import check_references
from tierdesk.inventory.importers.engine.stage import FactStage, wants_stage
from tierdesk.inventory.importers.engine.write import Writer
from tierdesk.inventory.usage_refresh import solutions_refresh_latest_usage

__all__ = [
    "Collected",
    "Options",
    "Result",
    "Rollback",
    "Writer",
    "check_references",
    "collect",
    "run_import",
    "solutions_refresh_latest_usage",
]


def run_import(
    fmt_name: str,
    paths: Sequence[Path],
    options: Options,
    actor_id: int | None = None,
    reader: fm.Format | None = None,
) -> Result:
    """Validate, then (when valid) write in one transaction. Never writes when invalid.
    `reader` reads the files instead of the format's own (same name)."""
    fmt = reader or fm.FORMATS[fmt_name]
    result = Result(format=fmt_name)
    with tempfile.TemporaryFile(prefix="tierdesk-usage-") as spill:
        started = time.monotonic()
        got = collect(fmt, paths, options, result, spill)
        result.timings["collect"] = round(time.monotonic() - started, 3)
        result.timings["collect_peak_rss_mb"] = _peak_rss_mb()
        if result.issues:
            return result
        check_references(got, options.tenant, result.issues)
        if result.issues:
            return result
        result.add("usage_facts_found", got.fact_count)
        options.actor_id = actor_id  # type: ignore[attr-defined]
        stage = None
        if wants_stage(got):
            # SQLite: the daily facts wait in a file of their own, outside the write lock.
            started = time.monotonic()
            stage = FactStage()
            stage.fill(got, spill, options.tenant)
            stage.attach()
            result.timings["stage"] = round(time.monotonic() - started, 3)
        started = time.monotonic()
        try:
            with transaction.atomic():
                Writer(fmt, got, options, result, spill, stage).run()
                if options.dry_run:
                    raise Rollback
                result.add("write_ms", int((time.monotonic() - started) * 1000))
                if options.finish:
                    options.finish(result)
        except Rollback:
            result.add("write_ms", int((time.monotonic() - started) * 1000))
        finally:
            if stage is not None:
                stage.close()
    return result
