"""CoE Starter Kit tables (Dataverse CSV / JSON)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers import readers
from tierdesk.inventory.importers.base import (
    Issues,
    Row,
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
    CLASSIFICATION,
    CONNECTOR_TIER,
    ENV_PRINCIPAL_TYPE,
    ENV_PURPOSE,
    ENV_TYPE,
    FLOW_STATE,
    FORMATTED,
    IMPACT,
    PRINCIPAL_TYPE,
    ROLE,
    F,
    Format,
    Item,
    SourceFile,
    Table,
    _has_required,
    environment_role,
    orphan_flag,
)
from tierdesk.inventory.importers.readers import Sniff, sniff

# ------------------------------------------------------------- CoE (Dataverse) tables

COE_TABLES: dict[str, Table] = {
    "admin_environment": Table(
        "environment",
        (
            F("id", "admin_environmentname|admin_environmentid", to_id, required=True),
            F("row_id", "admin_environmentid", to_id),
            F("name", "admin_displayname"),
            F("type", "admin_environmentsku", ENV_TYPE),
            F("purpose", "admin_environmentpurpose", ENV_PURPOSE),
            F("region", "admin_region"),
            F("url", "admin_environmentcdsinstanceurl"),
            F("created", "admin_environmentcreatedon", to_datetime),
            F("deleted", "admin_environmentdeleted", to_bool),
            F("deleted_at", "admin_environmentdeletedon", to_datetime),
            F("is_managed", "admin_envtismanaged", to_bool),
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
            F("owner_name", "admin_appownerdisplayname|admin_appowner" + FORMATTED),
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
            F("declared_tier", "admin_requirement_4", IMPACT),
            F("data_classification", "admin_requirement_6", CLASSIFICATION, lenient=True),
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
            F("owner_name", "admin_flowmakerdisplayname|admin_flowcreator" + FORMATTED),
            F("created", "admin_flowcreatedon", to_datetime),
            F("modified", "admin_flowmodifiedon", to_datetime),
            F("deleted", "admin_flowdeleted", to_bool),
            F("deleted_at", "admin_flowdeletedon", to_datetime),
            F("orphaned", "cr5d5_flowisorphaned", orphan_flag),
            F("shared_users", "admin_flowsharedusers", to_int),
            F("shared_groups", "admin_flowsharedgroups", to_int),
            F("last_used", "admin_flowlastrunon", to_datetime),
            # A flow's business impact is admin_requirement_2 (Entity.xml: "Maker
            # Requirement - Business Impact", option set admin_businessimpact).
            F("declared_tier", "admin_requirement_2", IMPACT),
        ),
        {"kind": SolutionKind.CLOUD_FLOW},
    ),
    "admin_pva": Table(
        "bot",
        (
            F("id", "admin_pvaid", to_id, required=True),
            F("env", "admin_pvaenvironmentid|admin_pvaenvironment", to_id, required=True),
            F("name", "admin_pvadisplayname|admin_name|admin_displayname", required=True),
            F("description", "admin_chatbotdescription"),
            F("owner_oid", "admin_pvaowner", to_id),
            F("owner_name", "admin_pvaowner" + FORMATTED),
            F("created", "admin_pvacreatedon", to_datetime),
            F("modified", "admin_pvamodifiedon", to_datetime),
            F("state", "admin_pvastate", APP_STATE, lenient=True),
            F("last_used", "admin_lastlaunchedon|admin_pvalastlaunchedon", to_datetime),
            F("orphaned", "admin_pvaisorphaned", orphan_flag),
            F("deleted", "admin_pvadeleted", to_bool),
            F("deleted_at", "admin_pvadeletedon", to_datetime),
            F("declared_tier", "admin_makerrequirementbusinessimpact", IMPACT),
        ),
        {"kind": SolutionKind.CHATBOT},
    ),
    "admin_rpa": Table(
        "rpa",
        (
            F("id", "admin_rpaid", to_id, required=True),
            F("env", "admin_desktopflowenvironment|admin_rpaenvironmentid", to_id, required=True),
            F("name", "admin_displayname|admin_name", required=True),
            F("description", "admin_rpadescription"),
            F("owner_oid", "admin_rpaowner", to_id),
            F("owner_name", "admin_rpaowner" + FORMATTED),
            F("created", "admin_rpacreatedon", to_datetime),
            F("modified", "admin_rpamodifiedon", to_datetime),
            F("orphaned", "admin_rpaisorphaned", orphan_flag),
            F("deleted", "admin_rpadeleted", to_bool),
            F("deleted_at", "admin_rpadeletedon", to_datetime),
            F("declared_tier", "admin_makerrequirementbusinessimpact", IMPACT),
        ),
        {"kind": SolutionKind.DESKTOP_FLOW},
    ),
    "admin_maker": Table(
        "maker",
        (
            F("id", "admin_makerid", to_id, required=True),
            F("upn", "admin_userprincipalname|admin_useremail"),
            F("name", "admin_displayname"),
            F("orphaned", "admin_makerisorphaned", orphan_flag),
            F("service_principal", "admin_userisserviceprinciple", to_bool),
            F("system", "cr886_makerissystem", to_bool),
        ),
    ),
    "admin_powerplatformuser": Table(
        "principal",
        (
            F("id", "admin_powerplatformuserid", to_id, required=True),
            F("upn", "admin_userprincipalname|admin_useremail"),
            F("name", "admin_displayname"),
            F("type", "admin_type", PRINCIPAL_TYPE, lenient=True),
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
    # admin_powerplatformuserrole rows whose resource is an environment (the
    # `admin_environment` lookup) rather than an app or flow: environment security roles.
    "admin_powerplatformuserrole:environment": Table(
        "env_role",
        (
            F("env", "admin_environment", to_id, required=True),
            F(
                "principal",
                "admin_powerplatformuser|admin_userprincipalname",
                principal,
                required=True,
            ),
            F("role", "admin_rolename|admin_rolenamefriendly", environment_role, required=True),
            F("principal_type", "admin_principaltype|admin_type", ENV_PRINCIPAL_TYPE),
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
    "admin_rpaid": "admin_rpa",
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
    for table in sorted((t for t in COE_TABLES if ":" not in t), key=len, reverse=True):
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


ROLE_TABLE = "admin_powerplatformuserrole"
ENV_ROLE_TABLE = "admin_powerplatformuserrole:environment"


def _role_table(name: str | None, row: Row) -> Table | None:
    """A role row is about an environment when it names one and no app or flow."""
    if (
        name == ROLE_TABLE
        and row.get("admin_environment") not in (None, "")
        and row.get("admin_app") in (None, "")
        and row.get("admin_flow") in (None, "")
    ):
        return COE_TABLES[ENV_ROLE_TABLE]
    return None


class CoeFormat(Format):
    """Tables of the CoE Starter Kit's inventory (Dataverse, publisher prefix `admin_`), as
    the Dataverse Web API returns them (`{"value": [...]}` with OData annotations,
    `@odata.nextLink` pages, lookups as `_x_value`, choices as integers) or as CSV exported
    from Dataverse or Excel (labels). The table comes from the file's name
    (`admin_app.json`, `admin_app-page2.csv`), else from its key column."""

    name = "coe"
    label = gettext_lazy("CoE Starter Kit tables (Dataverse CSV / JSON)")
    reexport = gettext_lazy(
        "GET https://<org>.crm.dynamics.com/api/data/v9.2/admin_apps with the header "
        'Prefer: odata.include-annotations="*" (likewise admin_environments, admin_flows, '
        "admin_pvas, admin_makers …), or export each table to CSV in the maker portal"
    )
    tables = COE_TABLES

    def table_for(self, sniff: Sniff, file_name: str) -> str | None:
        if sniff.shape not in {"csv", "json", "jsonl", "xlsx"}:
            return None
        keys = sniff.keys or list(sniff.first)
        if not any(k.startswith(("admin_", "cr5d5_")) for k in keys):
            return None
        return coe_table_for(Path(file_name).stem, keys)

    def declines(self, sniff: Sniff, file_name: str) -> str:
        return _("columns of a CoE Starter Kit table (admin_appid, admin_environmentname, …)")

    def row_table(self, name: str, row: Row) -> Table | None:
        return _role_table(name, row) or COE_TABLES[name]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        found = sniff(source.path)
        name = self.table_for(found, source.path.name)
        if (
            name == ROLE_TABLE
            and found.shape == "csv"
            and "admin_environment" in found.keys
            and not {"admin_app", "admin_flow"} & set(found.keys)
        ):
            # A CSV of environment grants only: check its header as such.
            table = COE_TABLES[ENV_ROLE_TABLE]
            if not _has_required(source, table, found, issues):
                return
            for number, row in readers.rows(source.path, source.display, issues):
                yield source, number, table, row
            return
        yield from super().read(source, issues, options)
