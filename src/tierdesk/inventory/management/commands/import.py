"""`tierdesk import PATH…`: detect the format, import all-or-nothing, print the report."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from tierdesk.accounts.models import User
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.labels import counts_in_words, duration_text
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute, total_bytes


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
        parser.add_argument(
            "--language",
            choices=["ko", "en"],
            default=None,
            help="language of the report (default: from LANG, else English)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        language = opts["language"] or (
            "ko" if os.environ.get("LANG", "").lower().startswith("ko") else "en"
        )
        translation.activate(language)
        paths: list[Path] = opts["paths"]
        mapping = None
        if opts["mapping"]:
            mapping = ColumnMapping.objects.filter(name=opts["mapping"]).first()
            if mapping is None:
                raise CommandError(f"no saved column mapping named {opts['mapping']!r}")
        actor = User.objects.filter(username=opts["user"]).first() if opts["user"] else None
        bar = tqdm(
            total=total_bytes(paths),
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
            raise CommandError(
                _("rejected: %(n)d problem(s); nothing was imported") % {"n": run.error_count}
            )

    def report(self, run: ImportRun) -> None:
        how = _("detected") if run.format_detected else _("chosen")
        label = formats.FORMATS[run.format].label if run.format in formats.FORMATS else run.format
        self.stdout.write(
            _("format: %(code)s (%(how)s) — %(label)s")
            % {"code": run.format, "how": how, "label": label}
        )
        self.stdout.write(
            _("status: %(status)s in %(duration)s")
            % {"status": run.get_status_display(), "duration": duration_text(run.duration_ms)}
        )
        for code, text, value in counts_in_words(run.counts):
            self.stdout.write(f"  {text}: {value}  [{code}]")
        for warning in run.warnings:
            row = f":{warning['row']}" if warning.get("row") is not None else ""
            column = f" [{warning['column']}]" if warning.get("column") else ""
            times = f" (×{warning['count']})" if warning.get("count", 1) > 1 else ""
            self.stdout.write(
                self.style.WARNING(
                    _("  WARNING %(file)s%(row)s%(column)s: %(message)s%(times)s")
                    % {
                        "file": warning["file"],
                        "row": row,
                        "column": column,
                        "message": warning["message"],
                        "times": times,
                    }
                )
            )
        for error in run.errors:
            row = _(", row %(row)s") % {"row": error["row"]} if error["row"] is not None else ""
            col = _(", column %(column)s") % {"column": error["column"]} if error["column"] else ""
            self.stdout.write(
                _("  ERROR %(file)s%(row)s%(column)s: found %(value)s, expected %(expected)s")
                % {
                    "file": error["file"],
                    "row": row,
                    "column": col,
                    "value": error["value"],
                    "expected": error["expected"],
                }
            )
        if run.error_count > len(run.errors):
            self.stdout.write(_("  … and %(n)d more") % {"n": run.error_count - len(run.errors)})
