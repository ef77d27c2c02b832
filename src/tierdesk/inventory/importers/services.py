"""Writes for imports: run one import and record it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.base import Issues
from tierdesk.inventory.importers.engine import Options, Result, run_import
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus


class UnknownFormatError(ValueError):
    pass


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

    A rejected run wrote nothing; its ImportRun row is the only trace it leaves."""
    started_at = clock.now()
    started = time.monotonic()
    detected = format is None
    name = format or formats.detect_format(paths, has_mapping=mapping is not None)
    if name is None or name not in formats.FORMATS:
        result = Result(format=name or "unknown", issues=Issues())
        result.issues.add(
            ", ".join(p.name for p in paths),
            None,
            "",
            name or "",
            _("a file or folder in one of the formats: %(names)s")
            % {"names": ", ".join(formats.FORMATS)},
        )
    else:
        missing = [p for p in paths if not p.exists()]
        if missing:
            result = Result(format=name)
            for p in missing:
                result.issues.add(str(p), None, "", "", _("an existing file or folder"))
        else:
            options = Options(
                tenant=tenant, dry_run=dry_run, as_of=as_of, mapping=mapping, progress=progress
            )
            result = run_import(name, paths, options, actor_id=actor.pk if actor else None)
    if result.issues:
        status = ImportRunStatus.REJECTED
    elif dry_run:
        status = ImportRunStatus.DRY_RUN
    else:
        status = ImportRunStatus.SUCCEEDED
    counts = dict(result.counts)
    if result.skipped_files:
        counts["files_skipped"] = len(result.skipped_files)
    return ImportRun.objects.create(
        started_at=started_at,
        finished_at=clock.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
        actor=actor,
        source=(source or ", ".join(str(p) for p in paths))[:500],
        format=result.format,
        format_detected=detected,
        interface=interface,
        status=status,
        counts=counts,
        errors=[i.as_dict() for i in result.issues.kept],
        error_count=result.issues.total,
    )
