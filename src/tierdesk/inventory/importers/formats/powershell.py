"""Admin PowerShell CSV (Get-AdminPowerApp, Get-AdminFlow, …)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers.base import (
    Issues,
    csv_header,
    csv_rows,
    principal,
    to_bool,
    to_datetime,
    to_id,
    to_int,
)
from tierdesk.inventory.importers.formats.common import (
    APP_KIND,
    ENV_PRINCIPAL_TYPE,
    ENV_TYPE,
    PRINCIPAL_TYPE,
    ROLE,
    F,
    Format,
    Item,
    SourceFile,
    Table,
    _all_files,
    _display,
    _header_has_required,
    environment_role,
)

# -------------------------------------------------------------- PowerShell CSV

PS_TABLES: dict[str, Table] = {
    "environment": Table(
        "environment",
        (
            F("id", "environmentname", to_id, required=True),
            F("name", "displayname"),
            F("type", "environmenttype|internal.properties.environmentsku", ENV_TYPE),
            F("region", "location"),
            F("created", "createdtime", to_datetime),
            F("url", "internal.properties.linkedenvironmentmetadata.instanceurl"),
        ),
    ),
    "app": Table(
        "app",
        (
            F("id", "appname", to_id, required=True),
            F("env", "environmentname", to_id, required=True),
            F("name", "displayname", required=True),
            F("description", "internal.properties.description|description"),
            F("kind", "internal.apptype|apptype", APP_KIND),
            F("owner", "ownerupn|owner.userprincipalname|owner.email|owneremail"),
            F("owner_oid", "owner.id|ownerid|ownerobjectid", to_id),
            F("owner_name", "owner.displayname|ownerdisplayname"),
            F("created", "createdtime", to_datetime),
            F("modified", "lastmodifiedtime", to_datetime),
            F("published", "internal.properties.lastpublishtime|lastpublishtime", to_datetime),
            F(
                "shared_users",
                "internal.properties.sharedusercount|internal.properties.sharedusers"
                "count|shareduserscount",
                to_int,
            ),
            F("shared_groups", "internal.properties.sharedgroupscount|sharedgroupscount", to_int),
        ),
        {"kind": SolutionKind.CANVAS_APP},
    ),
    "flow": Table(
        "flow",
        (
            F("id", "flowname", to_id, required=True),
            F("env", "environmentname", to_id, required=True),
            F("name", "displayname", required=True),
            F("enabled", "enabled", to_bool),
            F("owner", "creatorupn|createdby.userprincipalname|createdby.email|ownerupn"),
            F("owner_oid", "createdby.objectid|createdby.userid|creatorobjectid", to_id),
            F("created", "createdtime", to_datetime),
            F("modified", "lastmodifiedtime", to_datetime),
        ),
        {"kind": SolutionKind.CLOUD_FLOW},
    ),
    "role": Table(
        "role",
        (
            F("solution", "appname|flowname", to_id, required=True),
            F("env", "environmentname", to_id),
            F("principal", "principalemail|principalobjectid", principal, required=True),
            F("principal_oid", "principalobjectid", to_id),
            F("principal_name", "principaldisplayname"),
            F("principal_type", "principaltype", PRINCIPAL_TYPE),
            F("role", "roletype|rolename", ROLE, required=True),
        ),
    ),
    # Get-AdminPowerAppEnvironmentRoleAssignment: security roles in an environment.
    "env_role": Table(
        "env_role",
        (
            F("env", "environmentname", to_id, required=True),
            F("principal", "principalemail|principalobjectid", principal, required=True),
            F("principal_oid", "principalobjectid", to_id),
            F("principal_name", "principaldisplayname"),
            F("principal_type", "principaltype", ENV_PRINCIPAL_TYPE),
            F("role", "rolename|roletype", environment_role, required=True),
        ),
    ),
}


def powershell_table_for(keys: Sequence[str]) -> str | None:
    keyset = set(keys)
    if "roletype" in keyset or "principaltype" in keyset:
        if "appname" in keyset or "flowname" in keyset or "environmentname" not in keyset:
            return "role"
        return "env_role"
    if "appname" in keyset:
        return "app"
    if "flowname" in keyset:
        return "flow"
    if "environmentname" in keyset:
        return "environment"
    return None


class PowerShellFormat(Format):
    name = "powershell"
    label = gettext_lazy("Admin PowerShell CSV (Get-AdminPowerApp, Get-AdminFlow, …)")

    def detect(self, path: Path) -> bool:
        files = [f for f in _all_files(path) if f.suffix.lower() == ".csv"]
        return bool(files) and all(powershell_table_for(csv_header(f)) for f in files)

    def files(self, path: Path) -> list[SourceFile]:
        return [SourceFile(f, _display(path, f)) for f in _all_files(path)]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        header = csv_header(source.path)
        name = powershell_table_for(header)
        if name is None:
            rows = csv_rows(source.path, source.display, issues)
            if next(rows, None) is not None or not issues:
                issues.add(
                    source.display,
                    1,
                    "",
                    ", ".join(header)[:200],
                    _(
                        "the columns of Get-AdminPowerApp, Get-AdminFlow, "
                        "Get-AdminPowerAppEnvironment, Get-AdminPowerAppRoleAssignment or "
                        "Get-AdminPowerAppEnvironmentRoleAssignment"
                    ),
                )
            return
        table = PS_TABLES[name]
        if not _header_has_required(source, table, header, issues):
            return
        for number, row in csv_rows(source.path, source.display, issues):
            yield source, number, table, row
