"""Power Platform data export (data lake, JSON lines)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers import readers
from tierdesk.inventory.importers.base import (
    Issues,
    choice,
    to_bool,
    to_datetime,
    to_id,
    to_int,
)
from tierdesk.inventory.importers.formats.common import (
    APP_STATE,
    CONNECTOR_TIER,
    ENV_PURPOSE,
    ENV_TYPE,
    FAST_TABLES,
    FLOW_STATE,
    F,
    Format,
    Item,
    SourceFile,
    Table,
    _all_files,
    _display,
)
from tierdesk.inventory.importers.readers import Sniff, jsonl_rows

# -------------------------------------------------------- data export (data lake)

DATA_EXPORT_TABLES: dict[str, Table] = {
    "environments": Table(
        "environment",
        (
            F("id", "environmentid|environmentname", to_id, required=True),
            F("name", "name|displayname|environmentname"),
            F("type", "environmenttype", ENV_TYPE),
            F("purpose", "purpose", ENV_PURPOSE),
            F("region", "environmentregion|region"),
            F("url", "environmenturl|cdsinstanceurl"),
            F("created", "createdtime", to_datetime),
            F("deleted_at", "deletedtime", to_datetime),
            F("is_default", "isdefault", to_bool),
            F("is_managed", "ismanaged", to_bool),
        ),
    ),
    "applications": Table(
        "app",
        (
            F("id", "appname|resourceid|appid", to_id, required=True),
            F("env", "environmentid", to_id, required=True),
            F("name", "name|displayname", required=True),
            F("description", "description"),
            F(
                "kind",
                "subtype|apptype",
                choice(
                    {
                        "Canvas": SolutionKind.CANVAS_APP,
                        "Model": SolutionKind.MODEL_DRIVEN_APP,
                        "ModelDriven": SolutionKind.MODEL_DRIVEN_APP,
                        "Model Driven": SolutionKind.MODEL_DRIVEN_APP,
                        "Pages": SolutionKind.CANVAS_APP,  # Power Pages sites are tracked with apps
                        "Code": SolutionKind.CANVAS_APP,
                    },
                    "app subtype",
                ),
            ),
            F("state", "lifecyclestate", APP_STATE),
            # `owner` is the owner's display name (not unique, "SYSTEM" for model-driven
            # apps); the creator's object id is `createdPrincipalId`, null for
            # model-driven apps (schema definition; coe-starter-kit 6658, 6977, 7044).
            F("owner_oid", "createdprincipalid", to_id),
            F("owner_name", "owner"),
            F("created", "createdtime", to_datetime),
            F("modified", "lastmodifiedtime", to_datetime),
            F("published", "lastenabledtime", to_datetime),
            F("deleted_at", "deletedtime", to_datetime),
            F("shared_users", "sharedusers", to_int),
            F("shared_groups", "sharedgroups", to_int),
        ),
        {"kind": SolutionKind.CANVAS_APP},
    ),
    "flows": Table(
        "flow",
        (
            F("id", "resourceid|flowid|name", to_id, required=True),
            F("env", "environmentid", to_id, required=True),
            F("name", "displayname|name", required=True),
            F("state", "lifecyclestate|state", FLOW_STATE),
            F("owner_oid", "events_created_principalid|createdprincipalid", to_id),
            F("owner_name", "owner|events_created_principalname"),
            F("created", "events_created_timestamp|createdtime", to_datetime),
            F("modified", "events_lastmodified_timestamp|lastmodifiedtime", to_datetime),
            F("deleted_at", "events_deleted_timestamp|deletedtime", to_datetime),
            F("shared_users", "sharedusers", to_int),
            F("shared_groups", "sharedgroups", to_int),
        ),
        {"kind": SolutionKind.CLOUD_FLOW},
    ),
    "connectionreference": Table(
        "connection_ref",
        (
            F("solution", "resourceid|appid|flowid", to_id, required=True),
            F("env", "environmentid", to_id),
            F("connector", "connectionrefid|connectorid|apiid", to_id, required=True),
            F("connector_name", "displayname|connectionrefdisplayname"),
            F("tier", "tier", CONNECTOR_TIER),
        ),
    ),
    "app_usage": Table(
        "app_usage",
        (
            F("solution", "appid|resourceid", to_id, required=True),
            F("env", "environmentid", to_id, required=True),
            F("user", "objectid|userid", to_id, required=True),
            F("session", "sessionid", to_id),
            F("time", "timeaccessed", to_datetime, required=True),
        ),
    ),
    "flow_usage": Table(
        "flow_usage",
        (
            F("solution", "resourceid|flowid", to_id, required=True),
            F("env", "environmentid", to_id, required=True),
            F("time", "timeaccessed", to_datetime, required=True),
            F(
                "status",
                "status",
                choice(
                    {
                        "Succeeded": "ok",
                        "Failed": "failed",
                        "Cancelled": "ok",
                        "Canceled": "ok",
                        "Terminated": "failed",
                        "Skipped": "ok",
                        "Running": "ok",
                    },
                    "run status",
                ),
            ),
            F("runs", "runs|count", to_int, required=True),
        ),
    ),
}
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATA_EXPORT_FOLDERS = {
    "applications": "applications",
    "environments": "environments",
    "flows": "flows",
    "connectionreference": "connectionreference",
    "flowsconnectionreference": "connectionreference",
    "connections": "",
    "usage": "usage",
}


class DataExportFormat(Format):
    """The admin center's data export to Azure Data Lake (self-service analytics): folders
    `powerplatform/powerapps/{Applications,Environments,ConnectionReference,Usage}` and
    `powerplatform/powerautomate/{Flows,FlowsConnectionReference,Usage}`, dated folders
    `yyyy-mm-dd`, one JSON object per line (power-platform-formats.md §3.1)."""

    name = "data_export"
    label = gettext_lazy("Power Platform data export (data lake, JSON lines)")
    reexport = gettext_lazy(
        "download the container's powerplatform folder from the storage account (Azure "
        "Storage Explorer or azcopy) and import the folder"
    )
    tables = DATA_EXPORT_TABLES

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return False
        return any(sf.table for sf in self.files(path))

    def declines(self, sniff: Sniff, file_name: str) -> str:
        return _(
            "a folder laid out as the data export (Applications/, Environments/, Flows/, "
            "Usage/ …), not a single file"
        )

    def files(self, path: Path) -> list[SourceFile]:
        found: list[SourceFile] = []
        for file in _all_files(path):
            parts = [p.lower() for p in file.relative_to(path).parts]
            day = next((dt.date.fromisoformat(p) for p in parts if _DATED.match(p)), None)
            table = ""
            for part in parts[:-1]:
                if part in _DATA_EXPORT_FOLDERS:
                    table = _DATA_EXPORT_FOLDERS[part]
            if table == "usage":
                flows = any("automate" in p or p == "flows" for p in parts[:-1])
                table = "flow_usage" if flows else "app_usage"
            found.append(SourceFile(file, _display(path, file), table, day))
        order = {
            "environments": 0,
            "applications": 1,
            "flows": 1,
            "connectionreference": 2,
            "app_usage": 3,
            "flow_usage": 3,
            "": 4,
        }
        found.sort(key=lambda sf: (order[sf.table], sf.day or dt.date.min, sf.display))
        return found

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        if not source.table:
            return
        table = DATA_EXPORT_TABLES[source.table]
        if table.kind in FAST_TABLES:
            rows = jsonl_rows(source.path, source.display, issues, raw_objects=True)
        else:
            rows = readers.rows(source.path, source.display, issues)
        for number, row in rows:
            yield source, number, table, row
