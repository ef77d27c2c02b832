"""`tierdesk import PATH…`: detect the format, import all-or-nothing, print the report."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tierdesk.accounts.models import User
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute


def _total_bytes(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


class Command(BaseCommand):
    help = (
        "Import inventory exports (CoE, data export, inventory query, admin API, "
        "PowerShell, generic)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--format", choices=sorted(formats.FORMATS), default=None)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--tenant", default="")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--mapping", default=None, help="saved column mapping (generic format)")
        parser.add_argument("--user", default=None, help="username recorded as who ran it")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        paths: list[Path] = opts["paths"]
        mapping = None
        if opts["mapping"]:
            mapping = ColumnMapping.objects.filter(name=opts["mapping"]).first()
            if mapping is None:
                raise CommandError(f"no saved column mapping named {opts['mapping']!r}")
        actor = User.objects.filter(username=opts["user"]).first() if opts["user"] else None
        bar = tqdm(
            total=_total_bytes(paths),
            unit="B",
            unit_scale=True,
            desc="reading",
            disable=opts["no_progress"],
            file=sys.stderr,
        )

        def progress(label: str, n: int) -> None:
            if label.endswith("written"):
                bar.set_description(label)
                return
            bar.update(n)

        try:
            run = import_run_execute(
                paths=paths,
                actor=actor,
                format=opts["format"],
                dry_run=opts["dry_run"],
                tenant=opts["tenant"],
                as_of=opts["as_of"],
                mapping=mapping,
                progress=progress,
            )
        finally:
            bar.close()
        self.report(run)
        if run.status == ImportRunStatus.REJECTED:
            raise CommandError(f"rejected: {run.error_count} problem(s); nothing was imported")

    def report(self, run: ImportRun) -> None:
        how = "detected" if run.format_detected else "forced"
        label = formats.FORMATS[run.format].label if run.format in formats.FORMATS else run.format
        self.stdout.write(f"format: {run.format} ({how}) — {label}")
        self.stdout.write(f"status: {run.get_status_display()} in {run.duration_ms / 1000:.1f} s")
        for key, value in sorted(run.counts.items()):
            self.stdout.write(f"  {key}: {value}")
        for error in run.errors:
            row = f", row {error['row']}" if error["row"] is not None else ""
            col = f", column {error['column']}" if error["column"] else ""
            self.stdout.write(
                f"  ERROR {error['file']}{row}{col}: found {error['value']}, "
                f"expected {error['expected']}"
            )
        if run.error_count > len(run.errors):
            self.stdout.write(f"  … and {run.error_count - len(run.errors)} more")
