"""The formats by name, most specific first, and format detection."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tierdesk.inventory.importers.formats.admin_api import AdminApiFormat
from tierdesk.inventory.importers.formats.coe import CoeFormat
from tierdesk.inventory.importers.formats.common import Format
from tierdesk.inventory.importers.formats.data_export import DataExportFormat
from tierdesk.inventory.importers.formats.generic import GenericFormat
from tierdesk.inventory.importers.formats.inventory_query import InventoryQueryFormat
from tierdesk.inventory.importers.formats.powershell import PowerShellFormat

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
