"""Power Platform inventory: PowerPlatformResources query pages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers.base import (
    Issues,
    Row,
    json_paged_rows,
    to_bool,
    to_datetime,
    to_id,
    to_text,
)
from tierdesk.inventory.importers.formats.common import (
    ENV_TYPE,
    F,
    Format,
    Item,
    SourceFile,
    Table,
    _all_files,
    _display,
    _json_like,
)

# ------------------------------------------------------------------ inventory query


def _inventory_type(value: Any) -> str:
    return to_text(value).lower()


INVENTORY_KINDS = {
    "microsoft.powerapps/canvasapps": ("app", SolutionKind.CANVAS_APP),
    "microsoft.powerapps/codeapps": ("app", SolutionKind.CANVAS_APP),
    "microsoft.powerapps/apps": ("app", SolutionKind.CANVAS_APP),
    "microsoft.powerapps/modeldrivenapps": ("app", SolutionKind.MODEL_DRIVEN_APP),
    "microsoft.powerautomate/cloudflows": ("flow", SolutionKind.CLOUD_FLOW),
    "microsoft.powerautomate/agentflows": ("flow", SolutionKind.CLOUD_FLOW),
    "microsoft.powerautomate/m365agentflows": ("flow", SolutionKind.CLOUD_FLOW),
    "microsoft.copilotstudio/agents": ("bot", SolutionKind.CHATBOT),
    "microsoft.powerplatform/environments": ("environment", ""),
    "microsoft.powerplatform/environmentgroups": ("", ""),
    "microsoft.powerplatformconnector/connectors": ("", ""),
}
INVENTORY_ENVIRONMENT = Table(
    "environment",
    (
        F("id", "name", to_id, required=True),
        F("name", "properties.displayname"),
        F("type", "properties.environmenttype", ENV_TYPE),
        F("is_managed", "properties.ismanaged", to_bool),
        F("region", "location"),
        F("created", "properties.createdat", to_datetime),
    ),
)
INVENTORY_SOLUTION_FIELDS = (
    F("id", "name", to_id, required=True),
    F("env", "properties.environmentid", to_id, required=True),
    F("name", "properties.displayname", required=True),
    F("description", "properties.description"),
    F("owner_oid", "properties.ownerid|properties.createdby", to_id),
    F("created", "properties.createdat", to_datetime),
    F("modified", "properties.lastmodifiedat", to_datetime),
    F("published", "properties.lastpublishedat", to_datetime),
    F("quarantined", "properties.isquarantined", to_bool),
)


class InventoryQueryFormat(Format):
    name = "inventory_query"
    label = gettext_lazy("Power Platform inventory (resource query pages)")

    def detect(self, path: Path) -> bool:
        files = [f for f in _all_files(path) if f.suffix.lower() == ".json"]
        return bool(files) and all(
            ('"data"' in _json_like(f) and "totalrecords" in _json_like(f).lower())
            or ("microsoft.power" in _json_like(f).lower() and '"data"' in _json_like(f))
            for f in files
        )

    def files(self, path: Path) -> list[SourceFile]:
        return [SourceFile(f, _display(path, f)) for f in _all_files(path)]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        meta: Row = {}
        for number, row in json_paged_rows(source.path, source.display, issues, ("data",), meta):
            kind_name = _inventory_type(row.get("type") or "")
            if kind_name not in INVENTORY_KINDS:
                issues.add(
                    source.display,
                    number,
                    "type",
                    row.get("type"),
                    _("a PowerPlatformResources type (%(types)s)")
                    % {"types": ", ".join(INVENTORY_KINDS)},
                )
                continue
            table_name, kind = INVENTORY_KINDS[kind_name]
            if not table_name:
                continue
            if table_name == "environment":
                yield source, number, INVENTORY_ENVIRONMENT, row
            else:
                yield (
                    source,
                    number,
                    Table(table_name, INVENTORY_SOLUTION_FIELDS, {"kind": kind}),
                    row,
                )
