"""Writes for imports: run one import and record it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.base import Issues
from tierdesk.inventory.importers.engine import Options, Result, run_import
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.runs import current_worker, runs_reap_interrupted

HEARTBEAT_SECONDS = 5.0


def import_run_execute(
    *,
    paths: Sequence[Path],
    actor: User | None,
    format: str | None = None,
    dry_run: bool = False,
    tenant: str = "",
    as_of: dt.date | None = None,
    mapping: ColumnMapping | None = None,
    interface: str = "cli",
    source: str | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ImportRun:
    """Detect (or take) the format, import all-or-nothing, record the run.

    The run is recorded as `running` first (so a run cut off by a killed server shows as
    interrupted), then completed: in the import's own transaction when it writes (the run
    and the data commit together), afterwards when it was rejected or a dry run. A
    rejected run wrote nothing; its ImportRun row is the only trace it leaves."""
    runs_reap_interrupted()
    started = time.monotonic()
    detected = format is None
    run = ImportRun.objects.create(
        started_at=clock.now(),
        heartbeat_at=clock.now(),
        actor=actor,
        source=(source or ", ".join(str(p) for p in paths))[:500],
        format=format or "",
        format_detected=detected,
        interface=interface,
        status=ImportRunStatus.RUNNING,
        worker=current_worker(),
    )
    name = format or formats.detect_format(paths, has_mapping=mapping is not None)
    if name is None or name not in formats.FORMATS:
        result = Result(format=name or "unknown", issues=Issues())
        formats.explain(paths, result.issues, has_mapping=mapping is not None)
        _finish(run, result, dry_run, started)
        return run
    missing = [p for p in paths if not p.exists()]
    if missing:
        result = Result(format=name)
        for p in missing:
            result.issues.add(str(p), None, "", "", _("an existing file or folder"))
        _finish(run, result, dry_run, started)
        return run
    beat = _Heartbeat(run, progress)
    options = Options(
        tenant=tenant,
        dry_run=dry_run,
        as_of=as_of,
        mapping=mapping,
        progress=beat,
        finish=lambda result: _finish(run, result, dry_run, started),
    )
    try:
        result = run_import(name, paths, options, actor_id=actor.pk if actor else None)
    except BaseException:
        ImportRun.objects.filter(pk=run.pk, status=ImportRunStatus.RUNNING).update(
            status=ImportRunStatus.INTERRUPTED, finished_at=clock.now()
        )
        raise
    if run.status == ImportRunStatus.RUNNING:  # rejected, or a dry run (rolled back)
        _finish(run, result, dry_run, started)
    return run


class _Heartbeat:
    """Passes progress on and, every few seconds of pass 1 (no transaction is open then),
    records that the run is alive."""

    def __init__(self, run: ImportRun, progress: Callable[[str, int], None] | None) -> None:
        self.run = run
        self.progress = progress
        self.last = time.monotonic()

    def __call__(self, label: str, n: int) -> None:
        if self.progress:
            self.progress(label, n)
        now = time.monotonic()
        if now - self.last >= HEARTBEAT_SECONDS and not label.endswith("written"):
            self.last = now
            ImportRun.objects.filter(pk=self.run.pk).update(heartbeat_at=clock.now())


def _finish(run: ImportRun, result: Result, dry_run: bool, started: float) -> None:
    if result.issues:
        status = ImportRunStatus.REJECTED
    elif dry_run:
        status = ImportRunStatus.DRY_RUN
    else:
        status = ImportRunStatus.SUCCEEDED
    counts: dict[str, Any] = dict(result.counts)
    if result.skipped_files:
        counts["files_skipped"] = len(result.skipped_files)
    warnings = result.issues.warnings
    run.finished_at = clock.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.format = result.format
    run.status = status
    run.counts = counts
    run.errors = [i.as_dict() for i in result.issues.kept]
    run.error_count = result.issues.total
    run.warnings = [w.as_dict() for w in warnings]
    run.warning_count = sum(w.count for w in warnings)
    run.files = result.files
    run.save(
        update_fields=[
            "finished_at",
            "duration_ms",
            "format",
            "status",
            "counts",
            "errors",
            "error_count",
            "warnings",
            "warning_count",
            "files",
        ]
    )
