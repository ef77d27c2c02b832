"""Admin API JSON: environments, apps, flows, their connection references and their role
assignments (who an app is shared with, who co-owns a flow).

Role assignments are the answers of the permissions routes, as the CLI for Microsoft 365
reads them (pnp/cli-microsoft365, `src/m365/pa/commands/app/app-permission-list.ts` and
its spec; `src/m365/flow/commands/owner/owner-list.ts` and its spec):

- an app's: `…/providers/Microsoft.PowerApps/scopes/admin/environments/{env}/apps/{app}/
  permissions` → objects of `type` `Microsoft.PowerApps/apps/permissions` with
  `properties.roleName` (Owner / CanEdit / CanView), `properties.principal` (`id`,
  `displayName`, `email`, `type` User / Group / Tenant, `tenantId`) and
  `properties.scope` (`/providers/Microsoft.PowerApps/environments/{env}/apps/{app}`);
- a flow's: `…/providers/Microsoft.ProcessSimple/scopes/admin/environments/{env}/flows/
  {flow}/permissions` → objects of `type` `/providers/Microsoft.ProcessSimple/
  environments/flows/permissions` with `properties.roleName` (Owner / CanEdit / CanView),
  `properties.permissionType` and `properties.principal` (`id`, `type`; no e-mail); the
  environment and flow are in the object's `id`
  (`/providers/Microsoft.ProcessSimple/environments/{env}/flows/{flow}/permissions/{x}`).

They become the engine's `role` rows, like Get-AdminPowerAppRoleAssignment's (format
`powershell`): Owner and CanEdit are co-owners, CanView shares.

Environment roles (Environment Admin / Environment Maker) are the answers of the BAP route
Get-AdminPowerAppEnvironmentRoleAssignment reads (Microsoft.PowerApps.Administration.
PowerShell.psm1, 2.0.64): `…/providers/Microsoft.BusinessAppPlatform/scopes/admin/
environments/{env}/roleAssignments` → objects of `type` `Microsoft.BusinessAppPlatform/
scopes/environments/roleAssignments` with `properties.roleDefinition.name`
(EnvironmentAdmin / EnvironmentMaker), `properties.principal` (`id`, `displayName`,
`email`, `type` User / Group / Tenant, `tenantId` for the tenant) and `properties.scope`
(the environment; the module takes the segment after `/environments/`). They become the
engine's `env_role` rows, like the cmdlet's output (format `powershell`)."""

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
    APP_STATE,
    CONNECTOR_TIER,
    ENV_PRINCIPAL_TYPE,
    ENV_TYPE,
    FLOW_STATE,
    PRINCIPAL_TYPE,
    ROLE,
    F,
    Format,
    Item,
    SourceFile,
    Table,
    environment_role,
)
from tierdesk.inventory.importers.readers import Sniff

# ----------------------------------------------------------------- admin API JSON

ADMIN_API_ENVIRONMENT = Table(
    "environment",
    (
        F("id", "name", to_id, required=True),
        F("name", "properties.displayname|displayname"),
        F("type", "properties.environmentsku", ENV_TYPE),
        F("region", "location|properties.azureregion"),
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
        F("name", "properties.displayname|displayname", required=True),
        F("description", "properties.description"),
        F("kind", "apptype|properties.apptype", APP_KIND),
        F("state", "properties.lifecycleid", APP_STATE, lenient=True),
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
        F("name", "properties.displayname|displayname", required=True),
        F("description", "properties.description"),
        F("state", "properties.state", FLOW_STATE),
        F("owner", "properties.creator.userprincipalname|properties.creator.email"),
        F("owner_oid", "properties.creator.objectid|properties.creator.userid", to_id),
        F("created", "properties.createdtime", to_datetime),
        F("modified", "properties.lastmodifiedtime", to_datetime),
    ),
    {"kind": SolutionKind.CLOUD_FLOW},
)


def _after(value: Any, markers: tuple[str, ...]) -> str:
    """The path segment after the first of `markers` in a resource path."""
    parts = [p for p in to_text(value).split("/") if p]
    lowered = [p.lower() for p in parts]
    for marker in markers:
        if marker in lowered[:-1]:
            return to_id(parts[lowered.index(marker) + 1])
    raise RowError(_("a resource path such as /providers/…/environments/<env>/apps/<app>"))


def scope_env(value: Any) -> str:
    """The environment named in a permission's `properties.scope` or `id`."""
    return _after(value, ("environments",))


def scope_solution(value: Any) -> str:
    """The app or flow named in a permission's `properties.scope` or `id`."""
    return _after(value, ("apps", "flows"))


ADMIN_API_ROLE = Table(
    "role",
    (
        F("solution", "properties.scope|id", scope_solution, required=True),
        F("env", "properties.scope|id", scope_env, required=True),
        F(
            "principal",
            "properties.principal.email|properties.principal.id",
            principal,
            required=True,
        ),
        F("principal_oid", "properties.principal.id", to_id),
        F("principal_name", "properties.principal.displayname"),
        F("principal_type", "properties.principal.type", PRINCIPAL_TYPE),
        F("role", "properties.rolename", ROLE, required=True),
    ),
)

ADMIN_API_ENV_ROLE = Table(
    "env_role",
    (
        F("env", "properties.scope|id", scope_env, required=True),
        F(
            "principal",
            "properties.principal.email|properties.principal.id|properties.principal.tenantid",
            principal,
            required=True,
        ),
        F("principal_oid", "properties.principal.id", to_id),
        F("principal_name", "properties.principal.displayname"),
        F("principal_type", "properties.principal.type", ENV_PRINCIPAL_TYPE),
        F("role", "properties.roledefinition.name", environment_role, required=True),
    ),
)


def admin_api_table(row: Row, file_name: str = "") -> Table | None:
    """An API object's table by its `type` ("Microsoft.PowerApps/apps",
    "Microsoft.ProcessSimple/environments/flows",
    "Microsoft.BusinessAppPlatform/environments", scoped or not), else by the properties
    only that kind has, else by the file's name."""
    kind = str(row.get("type") or "").lower()
    if kind.endswith("/roleassignments") or "properties.roledefinition.name" in row:
        return ADMIN_API_ENV_ROLE
    if kind.endswith("/permissions"):
        return ADMIN_API_ROLE
    if kind.endswith("/flows"):
        return ADMIN_API_FLOW
    if kind.endswith("/apps"):
        return ADMIN_API_APP
    if kind.endswith("/environments"):
        return ADMIN_API_ENVIRONMENT
    if "properties.rolename" in row and "properties.principal.id" in row:
        return ADMIN_API_ROLE
    if "properties.definitionsummary" in row or "properties.creator" in row:
        return ADMIN_API_FLOW
    if "properties.environmentsku" in row or "properties.linkedenvironmentmetadata" in row:
        return ADMIN_API_ENVIRONMENT
    if "properties.appuris" in row or "properties.owner" in row or "apptype" in row:
        return ADMIN_API_APP
    stem = file_name.lower()
    if "flow" in stem:
        return ADMIN_API_FLOW
    if "environment" in stem and "app" not in stem:
        return ADMIN_API_ENVIRONMENT
    if "app" in stem:
        return ADMIN_API_APP
    return None


class AdminApiFormat(Format):
    """The Power Apps / Power Automate / BAP admin APIs' objects: the API's own JSON
    (`{"value": [...]}`, `nextLink` pages) and the CLI for Microsoft 365's output of the
    same objects (`m365 pa app list --asAdmin -o json`: a top-level array)."""

    name = "admin_api"
    label = gettext_lazy("Admin API JSON (environments, apps, flows; CLI for Microsoft 365)")
    reexport = gettext_lazy(
        "m365 pa env list -o json > environments.json; m365 pa app list --asAdmin "
        "--environmentName <env> -o json > apps.json; m365 flow list --asAdmin "
        "--environmentName <env> -o json > flows.json"
    )
    tables = {
        "environment": ADMIN_API_ENVIRONMENT,
        "app": ADMIN_API_APP,
        "flow": ADMIN_API_FLOW,
        "role": ADMIN_API_ROLE,
        "env_role": ADMIN_API_ENV_ROLE,
    }

    def table_for(self, sniff: Sniff, file_name: str) -> str | None:
        if sniff.shape != "json" or "name" not in sniff.first:
            return None
        if not any(k.startswith("properties.") for k in sniff.first):
            return None
        if any(k.startswith(("admin_", "cr5d5_")) for k in sniff.first):
            return None
        table = admin_api_table(sniff.first, Path(file_name).stem)
        return table.kind if table is not None else None

    def declines(self, sniff: Sniff, file_name: str) -> str:
        return _(
            "JSON objects with a name and properties as the admin APIs return them "
            "(environments, apps, flows, permissions)"
        )

    def row_table(self, name: str, row: Row) -> Table | None:
        return admin_api_table(row) or self.tables[name]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        for source_, number, table, row in super().read(source, issues, options):
            yield source_, number, table, row
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
