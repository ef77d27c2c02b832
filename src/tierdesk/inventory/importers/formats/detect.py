"""The formats by name, most specific first; format detection; and, when nothing fits,
per file: what it looks like, which format came closest, why each declined and which
command writes what tierdesk reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.utils.translation import gettext as _

from tierdesk.inventory.importers.base import Issues
from tierdesk.inventory.importers.formats.admin_api import AdminApiFormat
from tierdesk.inventory.importers.formats.coe import CoeFormat
from tierdesk.inventory.importers.formats.common import (
    Format,
    _all_files,
    _display,
    describe,
)
from tierdesk.inventory.importers.formats.data_export import DataExportFormat
from tierdesk.inventory.importers.formats.generic import GenericFormat
from tierdesk.inventory.importers.formats.inventory_query import InventoryQueryFormat
from tierdesk.inventory.importers.formats.powershell import PowerShellFormat
from tierdesk.inventory.importers.readers import Sniff, sniff

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        DataExportFormat(),
        InventoryQueryFormat(),
        AdminApiFormat(),
        CoeFormat(),
        PowerShellFormat(),
        GenericFormat(),
    )
}
SOURCE_NAMES = {name: name for name in FORMATS}


def detect_format(paths: Sequence[Path], *, has_mapping: bool = False) -> str | None:
    """The first format (most specific first) that recognises every path."""
    for name, fmt in FORMATS.items():
        if name == "generic" and not has_mapping:
            continue
        if all(p.exists() and fmt.detect(p) for p in paths):
            return name
    return None


def _claims(fmt: Format, found: Sniff, file: Path) -> bool:
    if fmt.name in {"data_export", "generic"}:
        return False
    return fmt.table_for(found, file.name) is not None


def _overlap(fmt: Format, found: Sniff) -> int:
    """How many of the file's columns the format knows: the closest format is the one
    that knows most."""
    known = {a for table in fmt.tables.values() for f in table.fields for a in f.aliases}
    keys = set(found.keys) | set(found.first)
    return sum(1 for k in keys if k in known)


def _what_happened(found: Sniff) -> str:
    """Mistakes people make when exporting, recognised by their traces."""
    header = [h.strip().lower() for h in (found.layout.header if found.layout else [])]
    first = {str(v).strip() for v in found.first.values() if v is not None}
    if header == ["value"] or (found.keys == ["value"] and not found.first.get("value")):
        return _(
            "a single column “value” (holding “System.Object[]”): PowerShell exported the "
            "API's reply object, whose list of items it cannot write, instead of the items. "
            "Export the items: $reply.value | Export-Csv … -NoTypeInformation -Encoding "
            "UTF8, or use the cmdlet itself (Get-AdminFlow | Export-Csv …)"
        )
    if header == ["length"]:
        return _(
            "a single column “Length”: PowerShell exported text lines (their lengths) instead "
            "of objects. Pipe the cmdlet's objects to Export-Csv, not the output of "
            "Format-Table, Out-String or Get-Content"
        )
    if "error.code" in found.first or "error.message" in found.first:
        return _(
            "an error the API returned instead of data (%(message)s): run the export again"
        ) % {
            "message": str(found.first.get("error.message") or found.first.get("error.code"))[:120]
        }
    if header and header[0].startswith(("<!doctype", "<html")):
        return _("a web page, not an export (a sign-in page saved instead of the file?)")
    if found.shape == "xlsx":
        return _(
            "an Excel workbook: choose a saved column mapping for it, or save it as "
            "“CSV UTF-8” if it is one of the platform's exports"
        )
    if found.shape == "zip":
        return _("a ZIP archive: upload it through the upload page, which unpacks it")
    if first & {"System.Object[]"} and len(first) == 1:
        return _("PowerShell type names instead of values: export the items, not the list")
    return ""


def explain(paths: Sequence[Path], issues: Issues, *, has_mapping: bool = False) -> None:
    """Why no format fits, file by file (a file some format reads is not listed)."""
    candidates = [f for n, f in FORMATS.items() if n not in {"data_export", "generic"}]
    reported = 0
    for root in paths:
        if not root.exists():
            issues.add(str(root), None, "", "", _("an existing file or folder"))
            reported += 1
            continue
        files = _all_files(root)
        if not files:
            issues.add(
                _display(root, root) if root.is_file() else root.name,
                None,
                "",
                _("no files"),
                _("a folder holding the export's files"),
            )
            reported += 1
            continue
        claimed: dict[str, list[str]] = {}
        for file in files:
            found = sniff(file)
            names = [f.name for f in candidates if _claims(f, found, file)]
            if names:
                claimed.setdefault(names[0], []).append(_display(root, file))
                continue
            reported += 1
            issues.add(
                _display(root, file),
                None,
                "",
                describe(found),
                _verdict(found, file),
                literal=False,
            )
        if len(claimed) > 1:
            parts = "; ".join(
                _("%(files)s: %(format)s") % {"files": ", ".join(v[:3]), "format": FORMATS[k].label}
                for k, v in claimed.items()
            )
            issues.add(
                root.name,
                None,
                "",
                parts,
                _(
                    "files of one format per import: import each group of files on its own "
                    "(environments first)"
                ),
                literal=False,
            )
            reported += 1
    if not reported:
        issues.add(
            ", ".join(p.name for p in paths),
            None,
            "",
            "",
            _("a file or folder in one of the formats: %(names)s")
            % {"names": ", ".join(str(f.label) for f in FORMATS.values())},
        )


def _verdict(found: Sniff, file: Path) -> str:
    """What went wrong, which format came closest and why each declined, and the command
    that writes what tierdesk reads."""
    if found.shape == "unreadable" and found.problem:
        return found.problem
    if found.shape == "empty":
        return _("rows of data; the file is empty")
    happened = _what_happened(found)
    if happened:
        return happened
    candidates = [f for n, f in FORMATS.items() if n not in {"data_export", "generic"}]
    scored = sorted(candidates, key=lambda f: -_overlap(f, found))
    closest = scored[0] if _overlap(scored[0], found) else None
    others = "; ".join(
        _("%(format)s needs %(needs)s") % {"format": f.label, "needs": f.declines(found, file.name)}
        for f in scored
        if f is not closest
    )
    if closest is None:
        return _("a format tierdesk reads, and no format knows these columns: %(others)s") % {
            "others": others
        }
    return _(
        "looks closest to %(format)s, which needs %(needs)s; export again with: %(command)s "
        "(the others: %(others)s)"
    ) % {
        "format": closest.label,
        "needs": closest.declines(found, file.name),
        "command": closest.reexport,
        "others": others,
    }
