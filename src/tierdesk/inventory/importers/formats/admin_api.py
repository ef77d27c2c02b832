"""Admin API JSON: environments, apps, flows and their connection references."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers.base import (
    Issues,
    Row,
    json_paged_rows,
    to_bool,
    to_datetime,
    to_id,
    to_int,
)
from tierdesk.inventory.importers.formats.common import (
    APP_KIND,
    CONNECTOR_TIER,
    ENV_TYPE,
    FLOW_STATE,
    F,
    Format,
    Item,
    SourceFile,
    Table,
    _all_files,
    _display,
    _json_like,
)

# ----------------------------------------------------------------- admin API JSON

ADMIN_API_ENVIRONMENT = Table(
    "environment",
    (
        F("id", "name", to_id, required=True),
        F("name", "properties.displayname"),
        F("type", "properties.environmentsku", ENV_TYPE),
        F("region", "properties.azureregion|location"),
        F("url", "properties.linkedenvironmentmetadata.instanceurl"),
        F("created", "properties.createdtime", to_datetime),
        F("is_default", "properties.isdefault", to_bool),
    ),
)
ADMIN_API_APP = Table(
    "app",
    (
        F("id", "name", to_id, required=True),
        F("env", "properties.environment.name|properties.environment.id", to_id, required=True),
        F("name", "properties.displayname", required=True),
        F("description", "properties.description"),
        F("kind", "apptype|properties.apptype", APP_KIND),
        F("owner", "properties.owner.userprincipalname|properties.owner.email"),
        F("owner_oid", "properties.owner.id", to_id),
        F("owner_name", "properties.owner.displayname"),
        F("created", "properties.createdtime", to_datetime),
        F("modified", "properties.lastmodifiedtime", to_datetime),
        F("published", "properties.lastpublishtime", to_datetime),
        F("shared_users", "properties.shareduserscount", to_int),
        F("shared_groups", "properties.sharedgroupscount", to_int),
        F("quarantined", "properties.isquarantined|properties.appquarantinestate", to_bool),
    ),
    {"kind": SolutionKind.CANVAS_APP},
)
ADMIN_API_FLOW = Table(
    "flow",
    (
        F("id", "name", to_id, required=True),
        F("env", "properties.environment.name|properties.environment.id", to_id, required=True),
        F("name", "properties.displayname", required=True),
        F("description", "properties.description"),
        F("state", "properties.state", FLOW_STATE),
        F("owner", "properties.creator.userprincipalname|properties.creator.email"),
        F("owner_oid", "properties.creator.objectid|properties.creator.userid", to_id),
        F("created", "properties.createdtime", to_datetime),
        F("modified", "properties.lastmodifiedtime", to_datetime),
    ),
    {"kind": SolutionKind.CLOUD_FLOW},
)


class AdminApiFormat(Format):
    name = "admin_api"
    label = gettext_lazy("Admin API JSON (environments, apps, flows)")

    def detect(self, path: Path) -> bool:
        files = [f for f in _all_files(path) if f.suffix.lower() == ".json"]
        return bool(files) and all(
            '"value"' in (h := _json_like(f)) and '"properties"' in h and "admin_" not in h
            for f in files
        )

    def files(self, path: Path) -> list[SourceFile]:
        return [SourceFile(f, _display(path, f)) for f in _all_files(path)]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        meta: Row = {}
        table: Table | None = None
        for number, row in json_paged_rows(source.path, source.display, issues, ("value",), meta):
            if table is None:
                table = self._table(source.path.stem.lower(), row)
            yield source, number, table, row
            refs = row.get("properties.connectionreferences")
            if isinstance(refs, dict):
                for ref in refs.values():
                    if isinstance(ref, dict):
                        yield (
                            source,
                            number,
                            ADMIN_API_CONNREF,
                            {
                                "solution": row.get("name"),
                                **{
                                    k.lower(): v
                                    for k, v in ref.items()
                                    if not isinstance(v, dict | list)
                                },
                            },
                        )

    @staticmethod
    def _table(stem: str, row: Row) -> Table:
        if "flow" in stem or "properties.definitionsummary" in row or "properties.creator" in row:
            return ADMIN_API_FLOW
        if ("environment" in stem and "app" not in stem) or "properties.environmentsku" in row:
            return ADMIN_API_ENVIRONMENT
        return ADMIN_API_APP


ADMIN_API_CONNREF = Table(
    "connection_ref",
    (
        F("solution", "solution", to_id, required=True),
        F("connector", "id|name", to_id, required=True),
        F("connector_name", "displayname"),
        F("tier", "apitier|tier", CONNECTOR_TIER),
        F("custom", "iscustomapiconnection", to_bool),
    ),
)
