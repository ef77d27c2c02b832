"""Power Platform data export (data lake, JSON lines)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers.base import (
    Issues,
    choice,
    jsonl_rows,
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
            F("owner_oid", "owner|createdprincipalid", to_id),
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
    name = "data_export"
    label = gettext_lazy("Power Platform data export (data lake, JSON lines)")

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return False
        return any(sf.table for sf in self.files(path))

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
        raw = table.kind in FAST_TABLES
        for number, row in jsonl_rows(source.path, source.display, issues, raw_objects=raw):
            yield source, number, table, row
