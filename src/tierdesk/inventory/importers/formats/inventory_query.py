"""Power Platform inventory: PowerPlatformResources rows (inventory-schema.md,
inventory-api.md)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers import readers
from tierdesk.inventory.importers.base import (
    Issues,
    Row,
    to_bool,
    to_datetime,
    to_id,
    to_text,
)
from tierdesk.inventory.importers.formats.common import (
    APP_STATE,
    ENV_TYPE,
    F,
    Format,
    Item,
    SourceFile,
    Table,
    warn_unread,
)
from tierdesk.inventory.importers.readers import Sniff, sniff

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
        F("name", "properties.displayname|displayname"),
        F("type", "properties.environmenttype|environmenttype", ENV_TYPE),
        F("is_managed", "properties.ismanaged|ismanaged", to_bool),
        F("region", "location"),
        F("created", "properties.createdat|createdat", to_datetime),
    ),
)
# The environment columns the admin center's default query joins onto every resource
# (inventory-api.md, "Example 1": environmentName, environmentRegion, environmentType,
# isManagedEnvironment, keyed by properties.environmentId).
INLINE_ENVIRONMENT = Table(
    "environment",
    (
        F("id", "properties.environmentid|environmentid", to_id, required=True),
        F("name", "environmentname"),
        F("type", "environmenttype", ENV_TYPE),
        F("is_managed", "ismanagedenvironment", to_bool),
        F("region", "environmentregion"),
    ),
    {"inline": True},
)
INLINE_ENVIRONMENT_KEYS = ("environmentname", "environmenttype", "environmentregion")
INVENTORY_SOLUTION_FIELDS = (
    F("id", "name", to_id, required=True),
    F("env", "properties.environmentid|environmentid", to_id, required=True),
    F("name", "properties.displayname|displayname", required=True),
    F("description", "properties.description|description"),
    F("owner_oid", "properties.ownerid|ownerid|properties.createdby|createdby", to_id),
    F("created", "properties.createdat|createdat", to_datetime),
    F("modified", "properties.lastmodifiedat|lastmodifiedat", to_datetime),
    F("published", "properties.lastpublishedat|lastpublishedat", to_datetime),
    F("state", "@state", APP_STATE),
    F("quarantined", "properties.isquarantined|isquarantined", to_bool),
)
AGENT_TYPES = frozenset({"microsoft.copilotstudio/agents"})


class InventoryQueryFormat(Format):
    """Rows of the `PowerPlatformResources` table of Azure Resource Graph, as the admin
    center's inventory API (`{"totalRecords", "count", "skipToken", "data"}`), `az graph
    query` (`{"count", "data", "skip_token", "total_records"}`, older: a bare array),
    `Search-AzGraph | ConvertTo-Json` (a bare array, or one object) or `pac
    resource-query` return them; CSV of the same rows works too (inventory-schema.md)."""

    name = "inventory_query"
    label = gettext_lazy("Power Platform inventory (Azure Resource Graph: PowerPlatformResources)")
    reexport = gettext_lazy(
        'az graph query -q "PowerPlatformResources" --first 1000 > inventory.json (page with '
        "--skip-token), or the admin center's inventory API"
    )
    tables = {"resource": INVENTORY_ENVIRONMENT}

    def table_for(self, sniff: Sniff, file_name: str) -> str | None:
        kind = sniff.first.get("type")
        if isinstance(kind, str) and _inventory_type(kind) in INVENTORY_KINDS:
            return "resource"
        return None

    def declines(self, sniff: Sniff, file_name: str) -> str:
        return _(
            "rows of PowerPlatformResources, each with a type such as "
            "microsoft.powerapps/canvasapps"
        )

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        found = sniff(source.path)
        if "type" not in found.first:
            yield from super().read(source, issues, options)  # reports what it is instead
            return
        warned: set[str] = set()
        for number, row in readers.rows(source.path, source.display, issues):
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
                table = INVENTORY_ENVIRONMENT
            else:
                if any(row.get(k) is not None for k in INLINE_ENVIRONMENT_KEYS):
                    yield source, number, INLINE_ENVIRONMENT, row
                if kind_name in AGENT_TYPES:
                    # An agent with no lastPublishedAt has never been published: a draft.
                    published = row.get("properties.lastpublishedat") or row.get("lastpublishedat")
                    row["@state"] = "Published" if published else "Draft"
                table = Table(table_name, INVENTORY_SOLUTION_FIELDS, {"kind": kind})
            if kind_name not in warned:
                warned.add(kind_name)
                warn_unread(source, table, _row_sniff(found, row), issues)
            yield source, number, table, row


def _row_sniff(found: Sniff, row: Row) -> Sniff:
    """The file's sniff with this row's keys (one file mixes kinds of resources)."""
    return Sniff(found.path, found.shape, found.text, keys=list(row), first=row)
