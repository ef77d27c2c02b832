"""Writes for imports: run one import and record it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.base import Issues
from tierdesk.inventory.importers.engine import Options, Result, run_import
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.runs import current_worker, runs_reap_interrupted
from tierdesk.inventory.importers.selectors import can_import

HEARTBEAT_SECONDS = 5.0
PROGRESS_SECONDS = 1.0


def import_run_begin(
    *,
    actor: User | None,
    source: str,
    interface: str = "cli",
    format: str | None = None,
) -> ImportRun:
    """Record that an import starts (committed at once): the run's page can be shown while
    it reads, and a run whose process dies shows as interrupted. Refused (PermissionDenied)
    unless `actor` may import (`selectors.can_import`); no actor is the command line."""
    if actor is not None and not can_import(actor):
        raise PermissionDenied
    runs_reap_interrupted()
    return ImportRun.objects.create(
        started_at=clock.now(),
        heartbeat_at=clock.now(),
        actor=actor,
        source=source[:500],
        format=format or "",
        format_detected=format is None,
        interface=interface,
        status=ImportRunStatus.RUNNING,
        worker=current_worker(),
    )


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
    run: ImportRun | None = None,
    reader: formats.Format | None = None,
) -> ImportRun:
    """Detect (or take) the format, import all-or-nothing, record the run. `reader`: how
    to read the files when it is not the named format's own way (the live sync's folder
    mixes admin API pages and inventory API answers: `sync.SyncPages`).

    The run is recorded as `running` first (`import_run_begin`, unless the caller already
    did), then completed: in the import's own transaction when it writes (the run and the
    data commit together), afterwards when it was rejected or a dry run. A rejected run
    wrote nothing; its ImportRun row is the only trace it leaves."""
    if actor is not None and not can_import(actor):
        raise PermissionDenied
    started = time.monotonic()
    if run is None:
        run = import_run_begin(
            actor=actor,
            source=source or ", ".join(str(p) for p in paths),
            interface=interface,
            format=format,
        )
    if run.worker != current_worker():  # begun in a request, carried on in a thread
        ImportRun.objects.filter(pk=run.pk).update(worker=current_worker())
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
    beat = _Heartbeat(run, progress, total_bytes(paths))
    options = Options(
        tenant=tenant,
        dry_run=dry_run,
        as_of=as_of,
        mapping=mapping,
        progress=beat,
        finish=lambda result: _finish(run, result, dry_run, started),
    )
    try:
        result = run_import(
            name, paths, options, actor_id=actor.pk if actor else None, reader=reader
        )
    except BaseException:
        ImportRun.objects.filter(pk=run.pk, status=ImportRunStatus.RUNNING).update(
            status=ImportRunStatus.INTERRUPTED, finished_at=clock.now()
        )
        raise
    if run.status == ImportRunStatus.RUNNING:  # rejected, or a dry run (rolled back)
        _finish(run, result, dry_run, started)
    return run


def total_bytes(paths: Sequence[Path]) -> int:
    """Bytes of every file under `paths` (what reading them means for a progress bar)."""
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


def progress_key(run_pk: int) -> str:
    return f"tierdesk:import-progress:{run_pk}"


def import_run_progress(run: ImportRun) -> dict[str, Any] | None:
    """How far a running import is: {"phase": "reading"|"writing", "label", "done",
    "total"} (bytes while reading, records while writing), from the shared cache; None when
    nothing is known."""
    found = cache.get(progress_key(run.pk))
    return found if isinstance(found, dict) else None


class _Heartbeat:
    """Passes progress on; keeps how far the run is in the shared cache (every worker's
    page can show it, and no transaction is needed) and, every few seconds of pass 1
    (no transaction is open then), records in the run's row that it is alive."""

    def __init__(
        self, run: ImportRun, progress: Callable[[str, int], None] | None, total: int
    ) -> None:
        self.run = run
        self.progress = progress
        self.total = total
        self.read = 0
        self.written = 0
        self.last_beat = time.monotonic()
        self.last_note = 0.0

    def __call__(self, label: str, n: int) -> None:
        if self.progress:
            self.progress(label, n)
        writing = label.endswith("written")
        if writing:
            self.written += n
        else:
            self.read += n
        now = time.monotonic()
        if now - self.last_note >= PROGRESS_SECONDS:
            self.last_note = now
            cache.set(
                progress_key(self.run.pk),
                {
                    "phase": "writing" if writing else "reading",
                    "label": label,
                    "done": self.written if writing else self.read,
                    "total": None if writing else self.total,
                },
                timeout=3600,
            )
        if not writing and now - self.last_beat >= HEARTBEAT_SECONDS:
            self.last_beat = now
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
    cache.delete(progress_key(run.pk))
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
