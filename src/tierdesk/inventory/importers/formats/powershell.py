"""Admin PowerShell output (Microsoft.PowerApps.Administration.PowerShell), as
`Export-Csv` / `ConvertTo-Csv` or `ConvertTo-Json` write it.

The columns are the properties the module's object builders create (module 2.0.x,
`CreateAppObject`, `CreateFlowObject`, `CreateEnvironmentObject`,
`CreateAppRoleAssignmentObject`, `CreateFlowRoleAssignmentObject`,
`CreateEnvRoleAssignmentObject`):

- Get-AdminPowerApp: AppName, DisplayName, CreatedTime, Owner, LastModifiedTime,
  EnvironmentName, UnpublishedAppDefinition, IsFeaturedApp, IsHeroApp, BypassConsent,
  Internal. `Owner` is the API's owner object (id, displayName, email, type, tenantId,
  userPrincipalName), written by Export-Csv as `@{id=…; displayName=…; …}`; `Internal` is
  the whole API object, whose `properties` Export-Csv cannot write (it holds nested
  objects), so sharing counts and the last publish time arrive only when a script selected
  them (`Internal.properties.sharedUsersCount`, …) or with ConvertTo-Json -Depth 4+.
- Get-AdminFlow: FlowName, Enabled (state = Started), DisplayName, UserType, CreatedTime,
  CreatedBy (`@{tenantId=…; objectId=…; userId=…; userType=…}`: no UPN), LastModifiedTime,
  EnvironmentName, Internal.
- Get-AdminPowerAppEnvironment: EnvironmentName, DisplayName, IsDefault, Location,
  CreatedTime, CreatedBy, LastModifiedTime, LastModifiedBy, CreationType, EnvironmentType
  (the environment SKU), CommonDataServiceDatabaseProvisioningState,
  CommonDataServiceDatabaseType, Internal, InternalCds.
- Get-AdminPowerAppRoleAssignment: RoleId, RoleName (the assignment's own id),
  PrincipalDisplayName, PrincipalEmail, PrincipalObjectId, PrincipalType (User / Group /
  Tenant), RoleType (Owner / CanEdit / CanView), AppName, EnvironmentName, Internal.
- Get-AdminFlowOwnerRole: RoleId, RoleName (assignment id), PrincipalObjectId,
  PrincipalType, RoleType, FlowName, EnvironmentName, Internal.
- Get-AdminPowerAppEnvironmentRoleAssignment: RoleId, RoleName (assignment id),
  PrincipalDisplayName, PrincipalEmail, PrincipalObjectId, PrincipalType, RoleType
  (EnvironmentAdmin / EnvironmentMaker), EnvironmentName, EnvironmentObject, Internal.

Columns some scripts add with Select-Object (OwnerUPN, Internal.properties.…) are read
too, never required."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers.base import (
    RowError,
    principal,
    to_bool,
    to_datetime,
    to_id,
    to_int,
    to_text,
)
from tierdesk.inventory.importers.formats.common import (
    APP_KIND,
    ENV_PRINCIPAL_TYPE,
    ENV_TYPE,
    FLOW_STATE,
    PRINCIPAL_TYPE,
    ROLE,
    F,
    Format,
    Table,
    environment_role,
)
from tierdesk.inventory.importers.readers import Sniff


def role_type(value: Any) -> str:
    """RoleType of an environment role assignment. RoleName holds the assignment's GUID,
    never the role: reading it as a role would file every grant under "other"."""
    text = to_text(value)
    if len(text) == 36 and text.count("-") == 4:
        raise RowError(
            _(
                "a role such as EnvironmentAdmin or EnvironmentMaker (RoleName holds the "
                "assignment's id; the role is in RoleType)"
            )
        )
    return environment_role(text)


PS_TABLES: dict[str, Table] = {
    "environment": Table(
        "environment",
        (
            F("id", "environmentname", to_id, required=True),
            F("name", "displayname"),
            F("type", "environmenttype|internal.properties.environmentsku", ENV_TYPE),
            F("is_default", "isdefault|internal.properties.isdefault", to_bool),
            F("region", "location"),
            F("created", "createdtime", to_datetime),
            F("url", "internal.properties.linkedenvironmentmetadata.instanceurl"),
        ),
    ),
    "app": Table(
        "app",
        (
            F("id", "appname", to_id, required=True),
            F("env", "environmentname|internal.properties.environment.name", to_id, required=True),
            F("name", "displayname", required=True),
            F("description", "internal.properties.description|description"),
            F("kind", "internal.apptype|apptype", APP_KIND),
            F(
                "owner",
                "owner.userprincipalname|owner.email|ownerupn|owneremail"
                "|internal.properties.owner.userprincipalname|internal.properties.owner.email",
            ),
            F(
                "owner_oid",
                "owner.id|ownerid|ownerobjectid|internal.properties.owner.id",
                to_id,
            ),
            F("owner_name", "owner.displayname|ownerdisplayname"),
            F("created", "createdtime", to_datetime),
            F("modified", "lastmodifiedtime", to_datetime),
            F("published", "internal.properties.lastpublishtime|lastpublishtime", to_datetime),
            F(
                "shared_users",
                "internal.properties.shareduserscount|internal.properties.sharedusercount"
                "|shareduserscount",
                to_int,
            ),
            F(
                "shared_groups",
                "internal.properties.sharedgroupscount|sharedgroupscount",
                to_int,
            ),
        ),
        {"kind": SolutionKind.CANVAS_APP},
    ),
    "flow": Table(
        "flow",
        (
            F("id", "flowname", to_id, required=True),
            F("env", "environmentname|internal.properties.environment.name", to_id, required=True),
            F("name", "displayname", required=True),
            F("state", "internal.properties.state", FLOW_STATE),
            F("enabled", "enabled", to_bool),
            F(
                "owner",
                "creatorupn|createdby.userprincipalname|createdby.email|ownerupn",
            ),
            F(
                "owner_oid",
                "createdby.objectid|createdby.userid|creatorobjectid"
                "|internal.properties.creator.objectid",
                to_id,
            ),
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
            F("role", "roletype", ROLE, required=True),
        ),
    ),
    "env_role": Table(
        "env_role",
        (
            F("env", "environmentname|environmentobject.environmentname", to_id, required=True),
            F("principal", "principalemail|principalobjectid", principal, required=True),
            F("principal_oid", "principalobjectid", to_id),
            F("principal_name", "principaldisplayname"),
            F("principal_type", "principaltype", ENV_PRINCIPAL_TYPE),
            F("role", "roletype|rolename", role_type, required=True),
        ),
    ),
}

CMDLETS = {
    "environment": "Get-AdminPowerAppEnvironment",
    "app": "Get-AdminPowerApp",
    "flow": "Get-AdminFlow",
    "role": "Get-AdminPowerAppRoleAssignment / Get-AdminFlowOwnerRole",
    "env_role": "Get-AdminPowerAppEnvironmentRoleAssignment",
}


def powershell_table_for(keys: Any) -> str | None:
    """The cmdlet a row came from, by the columns only that cmdlet's objects have."""
    keyset = set(keys)
    if "roletype" in keyset or "principaltype" in keyset:
        if "appname" in keyset or "flowname" in keyset:
            return "role"
        if "environmentname" in keyset:
            return "env_role"
        return None
    if "appname" in keyset:
        return "app"
    if "flowname" in keyset:
        return "flow"
    if "environmentname" in keyset:
        return "environment"
    return None


class PowerShellFormat(Format):
    name = "powershell"
    label = gettext_lazy("Admin PowerShell (Get-AdminPowerApp, Get-AdminFlow, …) as CSV or JSON")
    reexport = gettext_lazy(
        "Get-AdminPowerApp | Export-Csv apps.csv -NoTypeInformation -Encoding UTF8 (likewise "
        "Get-AdminFlow, Get-AdminPowerAppEnvironment, Get-AdminPowerAppRoleAssignment, "
        "Get-AdminPowerAppEnvironmentRoleAssignment)"
    )
    tables = PS_TABLES

    def table_for(self, sniff: Sniff, file_name: str) -> str | None:
        if sniff.shape not in {"csv", "json", "xlsx"}:
            return None
        return powershell_table_for(sniff.keys)

    def declines(self, sniff: Sniff, file_name: str) -> str:
        return _("the columns of %(cmdlets)s (AppName, FlowName, EnvironmentName or RoleType)") % {
            "cmdlets": ", ".join(sorted(set(CMDLETS.values())))
        }
