"""The formats tierdesk reads, what one row of each table is called in each of them
(power-platform-formats.md §1-§3, crosswalk §3.5) and how a file or folder is recognised.

Each format yields (file, row number, table, row) with lower-cased, flattened keys; the
engine converts rows through the table's fields and never cares where they came from."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import (
    ConnectorTier,
    DataClassification,
    EnvironmentPurpose,
    EnvironmentType,
    SolutionKind,
    SolutionState,
    Tier,
)
from tierdesk.inventory.importers.base import (
    Converter,
    Issues,
    Row,
    RowError,
    choice,
    csv_header,
    csv_rows,
    json_head,
    json_paged_rows,
    jsonl_rows,
    principal,
    to_bool,
    to_datetime,
    to_id,
    to_int,
    to_text,
    xlsx_rows,
)


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    convert: Converter
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One kind of row: `environment`, `app`, `flow`, `bot`, `maker`, `principal`,
    `connector`, `connection_ref`, `role`, `app_usage`, `flow_usage`, `launch`."""

    kind: str
    fields: tuple[Field, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]


def F(name: str, aliases: str, convert: Converter = to_text, *, required: bool = False) -> Field:
    return Field(name, tuple(a.strip() for a in aliases.split("|")), convert, required)


SOLUTION_TABLES = frozenset({"app", "flow", "bot"})

# ------------------------------------------------------------------ shared choices

APP_KIND = choice(
    {
        597910000: SolutionKind.CANVAS_APP,
        597910001: SolutionKind.MODEL_DRIVEN_APP,
        597910002: SolutionKind.CANVAS_APP,  # SharePoint form apps are canvas apps
        "Canvas": SolutionKind.CANVAS_APP,
        "Model Driven": SolutionKind.MODEL_DRIVEN_APP,
        "ModelDriven": SolutionKind.MODEL_DRIVEN_APP,
        "Model": SolutionKind.MODEL_DRIVEN_APP,
        "SharePointFormApp": SolutionKind.CANVAS_APP,
        "ClassicCanvasApp": SolutionKind.CANVAS_APP,
        "CanvasClassicApp": SolutionKind.CANVAS_APP,
        "CanvasApp": SolutionKind.CANVAS_APP,
        "ModelDrivenApp": SolutionKind.MODEL_DRIVEN_APP,
        "AppModule": SolutionKind.MODEL_DRIVEN_APP,
    },
    "app type",
)
IMPACT = choice(
    {
        597910000: Tier.PRODUCTIVITY,
        597910001: Tier.IMPORTANT,
        597910002: Tier.CRITICAL,
        "Low risk": Tier.PRODUCTIVITY,
        "Low": Tier.PRODUCTIVITY,
        "Important": Tier.IMPORTANT,
        "Critical": Tier.CRITICAL,
        "productivity": Tier.PRODUCTIVITY,
    },
    "business impact",
)
CLASSIFICATION = choice(
    {
        597910000: DataClassification.GENERAL,
        597910001: DataClassification.CONFIDENTIAL,
        597910002: DataClassification.HIGHLY_CONFIDENTIAL,
        "General": DataClassification.GENERAL,
        "Confidential": DataClassification.CONFIDENTIAL,
        "Highly confidential": DataClassification.HIGHLY_CONFIDENTIAL,
    },
    "data classification",
)
FLOW_STATE = choice(
    {
        "Started": SolutionState.STARTED,
        "On": SolutionState.STARTED,
        "Stopped": SolutionState.STOPPED,
        "Off": SolutionState.STOPPED,
        "Suspended": SolutionState.SUSPENDED,
        "Draft": SolutionState.DRAFT,
        "Published": SolutionState.PUBLISHED,
        "Deleted": SolutionState.STOPPED,
    },
    "state",
)
APP_STATE = choice(
    {
        "Draft": SolutionState.DRAFT,
        "Published": SolutionState.PUBLISHED,
        "Provisioned": SolutionState.PUBLISHED,
        "Quarantined": SolutionState.QUARANTINED,
    },
    "state",
)
ENV_TYPE = choice(
    {
        "Default": EnvironmentType.DEFAULT,
        "Production": EnvironmentType.PRODUCTION,
        "Sandbox": EnvironmentType.SANDBOX,
        "Developer": EnvironmentType.DEVELOPER,
        "Trial": EnvironmentType.TRIAL,
        "SubscriptionBasedTrial": EnvironmentType.TRIAL,
        "Teams": EnvironmentType.TEAMS,
        "NotSpecified": EnvironmentType.PRODUCTION,
    },
    "environment type",
)
ENV_PURPOSE = choice(
    {
        "Development": EnvironmentPurpose.DEVELOPMENT,
        "Dev": EnvironmentPurpose.DEVELOPMENT,
        "Test": EnvironmentPurpose.TEST,
        "Production": EnvironmentPurpose.PRODUCTION,
        "Prod": EnvironmentPurpose.PRODUCTION,
        "Training": EnvironmentPurpose.TRAINING,
        "Shared productivity": EnvironmentPurpose.SHARED_PRODUCTIVITY,
    },
    "environment purpose",
)
CONNECTOR_TIER = choice(
    {
        "Standard": ConnectorTier.STANDARD,
        "Premium": ConnectorTier.PREMIUM,
        "Custom": ConnectorTier.CUSTOM,
        "NotSpecified": ConnectorTier.STANDARD,
    },
    "connector tier",
)
ROLE = choice(
    {
        "Owner": "owner",
        "CanEdit": "co_owner",
        "Co-Owner": "co_owner",
        "CoOwner": "co_owner",
        "CanView": "viewer",
        "Viewer": "viewer",
        "User": "viewer",
        "CanViewWithShare": "viewer",
        "EnvironmentAdmin": "viewer",
        "EnvironmentMaker": "viewer",
    },
    "role",
)
PRINCIPAL_TYPE = choice(
    {
        "User": "user",
        "Group": "group",
        "Tenant": "tenant",
        "ServicePrincipal": "user",
        "Application": "user",
        597910000: "user",
        597910001: "group",
        597910002: "tenant",
    },
    "principal type",
)


def orphan_flag(value: Any) -> bool:
    """CoE writes `cr5d5_appisorphaned` as text ("Orphan") in older kits, a boolean later."""
    text = str(value).strip().lower()
    if text in {"orphan", "orphaned"}:
        return True
    return to_bool(value)


# ---------------------------------------------------------------- generic tables

ENVIRONMENT_FIELDS = (
    "id",
    "name",
    "type",
    "purpose",
    "region",
    "url",
    "created",
    "deleted",
    "deleted_at",
    "is_managed",
)
SOLUTION_FIELDS = (
    "env",
    "id",
    "kind",
    "name",
    "description",
    "owner",
    "owner_oid",
    "owner_name",
    "created",
    "modified",
    "published",
    "state",
    "declared_tier",
    "data_classification",
    "orphaned",
    "deleted",
    "deleted_at",
    "shared_users",
    "shared_groups",
    "shared_tenant",
    "last_used",
)

# ------------------------------------------------------------- CoE (Dataverse) tables

COE_TABLES: dict[str, Table] = {
    "admin_environment": Table(
        "environment",
        (
            F("id", "admin_environmentname|admin_environmentid", to_id, required=True),
            F("name", "admin_displayname"),
            F("type", "admin_environmentsku", ENV_TYPE),
            F("purpose", "admin_environmentpurpose", ENV_PURPOSE),
            F("region", "admin_region"),
            F("url", "admin_environmentcdsinstanceurl"),
            F("created", "admin_environmentcreatedon", to_datetime),
            F("deleted", "admin_environmentdeleted", to_bool),
            F("deleted_at", "admin_environmentdeletedon", to_datetime),
        ),
    ),
    "admin_app": Table(
        "app",
        (
            F("id", "admin_appid", to_id, required=True),
            F("env", "admin_appenvironmentid|admin_appenvironment", to_id, required=True),
            F("name", "admin_displayname", required=True),
            F("description", "admin_appdescription"),
            F("kind", "admin_powerappstype", APP_KIND),
            F("owner_oid", "admin_appowner", to_id),
            F("owner_name", "admin_appownerdisplayname"),
            F("created", "admin_appcreatedon", to_datetime),
            F("modified", "admin_appmodifiedon", to_datetime),
            F("published", "admin_apppublished", to_datetime),
            F("deleted", "admin_appdeleted", to_bool),
            F("deleted_at", "admin_appdeletedon", to_datetime),
            F("orphaned", "cr5d5_appisorphaned", orphan_flag),
            F("shared_users", "admin_appsharedusers", to_int),
            F("shared_groups", "admin_appsharedgroups", to_int),
            F("shared_tenant", "admin_appsharedwithtenant", to_bool),
            F("last_used", "admin_applastlaunchedon", to_datetime),
            F("declared_tier", "admin_requirement_4|admin_businessimpact", IMPACT),
            F("data_classification", "admin_requirement_6", CLASSIFICATION),
            F("quarantined", "admin_appisquarantined", to_bool),
        ),
        {"kind": SolutionKind.CANVAS_APP},
    ),
    "admin_flow": Table(
        "flow",
        (
            F("id", "admin_flowid", to_id, required=True),
            F("env", "admin_flowenvironmentid|admin_flowenvironment", to_id, required=True),
            F("name", "admin_displayname", required=True),
            F("description", "admin_flowdescription"),
            F("state", "admin_flowstate", FLOW_STATE),
            F("owner", "admin_flowcreatorupn"),
            F("owner_oid", "admin_flowcreator|admin_derivedowner", to_id),
            F("created", "admin_flowcreatedon", to_datetime),
            F("modified", "admin_flowmodifiedon", to_datetime),
            F("deleted", "admin_flowdeleted", to_bool),
            F("deleted_at", "admin_flowdeletedon", to_datetime),
            F("orphaned", "cr5d5_flowisorphaned", orphan_flag),
            F("last_used", "admin_flowlastrunon", to_datetime),
            F("declared_tier", "admin_businessimpact|admin_requirement_4", IMPACT),
        ),
        {"kind": SolutionKind.CLOUD_FLOW},
    ),
    "admin_pva": Table(
        "bot",
        (
            F("id", "admin_pvaid", to_id, required=True),
            F("env", "admin_pvaenvironmentid|admin_pvaenvironment", to_id, required=True),
            F("name", "admin_pvadisplayname|admin_displayname", required=True),
            F("description", "admin_chatbotdescription"),
            F("owner_oid", "admin_pvaowner", to_id),
            F("created", "admin_pvacreatedon", to_datetime),
            F("modified", "admin_pvamodifiedon", to_datetime),
            F("state", "admin_pvastate", APP_STATE),
            F("last_used", "admin_pvalastlaunchedon", to_datetime),
            F("orphaned", "admin_pvaisorphaned", orphan_flag),
            F("deleted", "admin_pvadeleted", to_bool),
            F("declared_tier", "admin_businessimpact|admin_requirement_4", IMPACT),
        ),
        {"kind": SolutionKind.CHATBOT},
    ),
    "admin_maker": Table(
        "maker",
        (
            F("id", "admin_makerid", to_id, required=True),
            F("upn", "admin_userprincipalname"),
            F("name", "admin_displayname"),
            F("orphaned", "admin_makerisorphaned", orphan_flag),
            F("service_principal", "admin_userisserviceprinciple", to_bool),
        ),
    ),
    "admin_powerplatformuser": Table(
        "principal",
        (
            F("id", "admin_powerplatformuserid", to_id, required=True),
            F("upn", "admin_userprincipalname"),
            F("name", "admin_displayname"),
            F("type", "admin_type", PRINCIPAL_TYPE),
        ),
    ),
    "admin_connector": Table(
        "connector",
        (
            F("id", "admin_name", to_id, required=True),
            F("row_id", "admin_connectorid", to_id),
            F("name", "admin_displayname"),
            F("tier", "admin_tier", CONNECTOR_TIER),
            F("publisher", "admin_publisher"),
            F("custom", "admin_iscustomapi", to_bool),
        ),
    ),
    "admin_connectionreference": Table(
        "connection_ref",
        (
            F("solution", "admin_app|admin_flow", to_id, required=True),
            F("connector", "admin_connector", to_id, required=True),
            F("connector_name", "admin_displayname"),
        ),
    ),
    "admin_powerplatformuserrole": Table(
        "role",
        (
            F("solution", "admin_app|admin_flow", to_id, required=True),
            F(
                "principal",
                "admin_powerplatformuser|admin_userprincipalname",
                principal,
                required=True,
            ),
            F("role", "admin_rolename|admin_rolenamefriendly", ROLE, required=True),
            F("principal_type", "admin_principaltype|admin_type", PRINCIPAL_TYPE),
        ),
    ),
    "admin_auditlog": Table(
        "launch",
        (
            F("solution", "admin_appid", to_id, required=True),
            F("operation", "admin_operation", required=True),
            F("time", "admin_creationtime", to_datetime, required=True),
            F("user", "admin_userupn", to_text),
        ),
    ),
}
_COE_KEYS = {
    "admin_appid": "admin_app",
    "admin_flowid": "admin_flow",
    "admin_pvaid": "admin_pva",
    "admin_makerid": "admin_maker",
    "admin_environmentid": "admin_environment",
    "admin_environmentname": "admin_environment",
    "admin_connectorid": "admin_connector",
    "admin_powerplatformuserid": "admin_powerplatformuser",
    "admin_rolename": "admin_powerplatformuserrole",
    "admin_operation": "admin_auditlog",
    "admin_connectionreferenceid": "admin_connectionreference",
    "admin_powerplatformuserroleid": "admin_powerplatformuserrole",
}


def coe_table_for(name: str, keys: Sequence[str]) -> str | None:
    """Pick the CoE table from the file name (admin_app.csv, admin_app-page2.json), else from
    its columns."""
    stem = name.lower()
    for table in sorted(COE_TABLES, key=len, reverse=True):
        if stem.startswith(table) or f"_{table}" in stem or f"-{table}" in stem:
            return table
    keyset = set(keys)
    for marker in ("admin_operation", "admin_rolename", "admin_connectionreferenceid"):
        if marker in keyset:
            return _COE_KEYS[marker]
    for marker, table in _COE_KEYS.items():
        if marker in keyset:
            return table
    return None


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


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str
    table: str = ""
    day: dt.date | None = None


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
}


def powershell_table_for(keys: Sequence[str]) -> str | None:
    keyset = set(keys)
    if "roletype" in keyset or "principaltype" in keyset:
        return "role"
    if "appname" in keyset:
        return "app"
    if "flowname" in keyset:
        return "flow"
    if "environmentname" in keyset:
        return "environment"
    return None


# ------------------------------------------------------------- generic (mapped)

GENERIC_TABLES: dict[str, Table] = {
    "environment": Table(
        "environment",
        (
            F("id", "id", to_id, required=True),
            F("name", "name"),
            F("type", "type", ENV_TYPE),
            F("purpose", "purpose", ENV_PURPOSE),
            F("region", "region"),
            F("created", "created", to_datetime),
        ),
    ),
    "app": Table(
        "app",
        (
            F("id", "id", to_id, required=True),
            F("env", "env", to_id, required=True),
            F("name", "name", required=True),
            F("description", "description"),
            F("kind", "kind", choice({k: k for k in SolutionKind.values}, "kind")),
            F("owner", "owner"),
            F("created", "created", to_datetime),
            F("modified", "modified", to_datetime),
            F("published", "published", to_datetime),
            F("declared_tier", "declared_tier", IMPACT),
            F("shared_users", "shared_users", to_int),
            F("shared_groups", "shared_groups", to_int),
            F("last_used", "last_used", to_datetime),
        ),
        {"kind": SolutionKind.CANVAS_APP},
    ),
}
GENERIC_TABLES["flow"] = Table(
    "flow", GENERIC_TABLES["app"].fields, {"kind": SolutionKind.CLOUD_FLOW}
)
GENERIC_TABLES["bot"] = Table("bot", GENERIC_TABLES["app"].fields, {"kind": SolutionKind.CHATBOT})


# ------------------------------------------------------------------ the formats

Item = tuple[SourceFile, int, Table, Row]


class Format:
    name = ""
    label: Any = ""
    solution_source = ""

    def detect(self, path: Path) -> bool:
        raise NotImplementedError

    def files(self, path: Path) -> list[SourceFile]:
        return [SourceFile(path, path.name)]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        raise NotImplementedError


def _all_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


def _json_like(path: Path) -> str:
    try:
        return json_head(path).lstrip()
    except OSError:
        return ""


class CoeFormat(Format):
    name = "coe"
    label = gettext_lazy("CoE Starter Kit tables (Dataverse CSV / JSON)")

    def detect(self, path: Path) -> bool:
        for file in _all_files(path):
            if file.suffix.lower() == ".csv":
                if any(k.startswith(("admin_", "cr5d5_")) for k in csv_header(file)):
                    return True
            elif file.suffix.lower() == ".json":
                head = _json_like(file)
                if head.startswith("{") and re.search(r'"_?admin_[a-z_]+"', head):
                    return True
        return False

    def files(self, path: Path) -> list[SourceFile]:
        return [SourceFile(f, _display(path, f)) for f in _all_files(path)]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        suffix = source.path.suffix.lower()
        if suffix == ".csv":
            header = csv_header(source.path)
            name = coe_table_for(source.path.stem, header)
            if name is None:
                issues.add(
                    source.display, None, "", source.path.name, _("a CoE table such as admin_app")
                )
                return
            table = COE_TABLES[name]
            if not _header_has_required(source, table, header, issues):
                return
            for number, row in csv_rows(source.path, source.display, issues):
                yield source, number, table, row
        else:
            meta: Row = {}
            table = None
            for number, row in json_paged_rows(
                source.path, source.display, issues, ("value",), meta
            ):
                if table is None:
                    name = coe_table_for(source.path.stem, list(row))
                    if name is None:
                        issues.add(
                            source.display,
                            number,
                            "",
                            source.path.name,
                            _("a CoE table such as admin_app"),
                        )
                        return
                    table = COE_TABLES[name]
                yield source, number, table, row


def _display(root: Path, file: Path) -> str:
    if root.is_file():
        return file.name
    return str(file.relative_to(root.parent))


def _header_has_required(
    source: SourceFile, table: Table, header: Sequence[str], issues: Issues
) -> bool:
    if not header:
        return True  # the reader reports the empty or unreadable file
    missing = [f for f in table.required() if not any(a in header for a in f.aliases)]
    for f in missing:
        issues.add(
            source.display,
            1,
            f.aliases[0],
            ", ".join(h for h in header if h)[:200],
            _("a column named %(names)s") % {"names": " or ".join(f.aliases)},
        )
    return not missing


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
                        "Get-AdminPowerAppEnvironment or Get-AdminPowerAppRoleAssignment"
                    ),
                )
            return
        table = PS_TABLES[name]
        if not _header_has_required(source, table, header, issues):
            return
        for number, row in csv_rows(source.path, source.display, issues):
            yield source, number, table, row


class GenericFormat(Format):
    """CSV or XLSX whose columns a saved ColumnMapping names."""

    name = "generic"
    label = gettext_lazy("CSV / XLSX with a saved column mapping")

    def detect(self, path: Path) -> bool:
        return any(f.suffix.lower() in {".csv", ".xlsx"} for f in _all_files(path))

    def files(self, path: Path) -> list[SourceFile]:
        return [SourceFile(f, _display(path, f)) for f in _all_files(path)]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        mapping = options.get("mapping")
        if mapping is None:
            issues.add(source.display, None, "", "", _("a saved column mapping (--mapping NAME)"))
            return
        base = GENERIC_TABLES.get(mapping.table)
        if base is None:
            issues.add(
                source.display,
                None,
                "",
                mapping.table,
                _("a mapping for one of %(tables)s") % {"tables": ", ".join(GENERIC_TABLES)},
            )
            return
        columns = {k: str(v).strip().lower() for k, v in mapping.columns.items()}
        value_maps: dict[str, Any] = mapping.values or {}
        fields: list[Field] = []
        for f in base.fields:
            heading = columns.get(f.name)
            if heading is None:
                if f.required:
                    issues.add(
                        source.display,
                        None,
                        f.name,
                        "",
                        _("the mapping to name a column for %(field)s") % {"field": f.name},
                    )
                continue
            convert = f.convert
            if f.name in value_maps:
                convert = choice(value_maps[f.name], f.name)
            fields.append(Field(f.name, (heading,), convert, f.required))
        table = Table(base.kind, tuple(fields), base.defaults)
        if source.path.suffix.lower() == ".xlsx":
            rows: Iterator[tuple[int, Row]] = xlsx_rows(source.path, source.display, issues)
        else:
            header = csv_header(source.path)
            if not _header_has_required(source, table, header, issues):
                return
            rows = csv_rows(source.path, source.display, issues)
        for number, row in rows:
            yield source, number, table, row


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


FAST_TABLES = frozenset({"app_usage", "flow_usage"})
_FAST_KEYMAPS: dict[int, dict[str, str | None]] = {}
_FAST_ALIASES: dict[int, dict[str, str]] = {}


def fast_convert(table: Table, obj: Row) -> Row | None:
    """The usage tables' hot path (millions of rows): raw JSON object in, record out, or
    None when anything is unusual, so the caller falls back to `convert_row` and its
    precise messages."""
    keymap = _FAST_KEYMAPS.get(id(table))
    if keymap is None:
        keymap = _FAST_KEYMAPS[id(table)] = {}
        _FAST_ALIASES[id(table)] = {a: f.name for f in table.fields for a in f.aliases}
    by_alias = _FAST_ALIASES[id(table)]
    rec: Row = {}
    for key, value in obj.items():
        try:
            name = keymap[key]
        except KeyError:
            name = keymap[key] = by_alias.get(key.strip().lower()) if len(keymap) < 1000 else None
        if name is None or value is None:
            continue
        if name in rec:
            return None
        rec[name] = value
    for name in ("solution", "env", "user", "session"):
        value = rec.get(name)
        if value is None:
            continue
        if type(value) is not str or len(value) != 36 or value[8] != "-" or " " in value:
            return None
        rec[name] = value.lower()
    when = rec.get("time")
    if type(when) is not str or "solution" not in rec or "env" not in rec:
        return None
    try:
        parsed = dt.datetime.fromisoformat(when)
    except ValueError:
        return None
    if parsed.tzinfo is not dt.UTC:
        return None
    rec["time"] = parsed
    if table.kind == "flow_usage":
        runs = rec.get("runs")
        if type(runs) is not int or runs < 0:
            return None
        status = rec.get("status")
        if status is not None:
            if type(status) is not str:
                return None
            low = status.lower()
            if low not in _FLOW_STATUS:
                return None
            rec["status"] = _FLOW_STATUS[low]
    elif "user" not in rec:
        return None
    return rec


_FLOW_STATUS = {
    "succeeded": "ok",
    "failed": "failed",
    "cancelled": "ok",
    "canceled": "ok",
    "terminated": "failed",
    "skipped": "ok",
    "running": "ok",
}

ConvertRow = Callable[[Table, Row], tuple[Row, list[tuple[str, Any, str]]]]


def convert_row(table: Table, raw: Row) -> tuple[Row, list[tuple[str, Any, str]]]:
    """Apply the table's fields: (values, problems as (column, value, expected))."""
    out: Row = dict(table.defaults)
    problems: list[tuple[str, Any, str]] = []
    for f in table.fields:
        column = f.aliases[0]
        value: Any = None
        for alias in f.aliases:
            candidate = raw.get(alias)
            if candidate is not None and candidate != "":
                value, column = candidate, alias
                break
        if value is None:
            if f.required:
                problems.append((column, None, _("a value")))
            continue
        try:
            out[f.name] = f.convert(value)
        except RowError as exc:
            problems.append((column, value, exc.expected))
    return out, problems
