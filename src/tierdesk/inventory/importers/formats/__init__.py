"""The formats tierdesk reads, what one row of each table is called in each of them
(power-platform-formats.md §1-§3, crosswalk §3.5) and how a file or folder is recognised.

Each format yields (file, row number, table, row) with lower-cased, flattened keys; the
engine converts rows through the table's fields and never cares where they came from.

A package: `common` (fields, tables, the Format interface), one module per format,
`fast` (the usage hot path) and `detect` (FORMATS, detect_format)."""

from tierdesk.inventory.importers.formats.admin_api import (
    ADMIN_API_APP,
    ADMIN_API_CONNREF,
    ADMIN_API_ENVIRONMENT,
    ADMIN_API_FLOW,
    AdminApiFormat,
)
from tierdesk.inventory.importers.formats.coe import (
    COE_TABLES,
    CoeFormat,
    coe_table_for,
)
from tierdesk.inventory.importers.formats.common import (
    APP_KIND,
    APP_STATE,
    CLASSIFICATION,
    CONNECTOR_TIER,
    ENV_PURPOSE,
    ENV_TYPE,
    ENVIRONMENT_FIELDS,
    FAST_TABLES,
    FLOW_STATE,
    IMPACT,
    PRINCIPAL_TYPE,
    ROLE,
    SOLUTION_FIELDS,
    SOLUTION_TABLES,
    ConvertRow,
    F,
    Field,
    Format,
    Item,
    SourceFile,
    Table,
    convert_row,
    describe,
    orphan_flag,
)
from tierdesk.inventory.importers.formats.data_export import (
    DATA_EXPORT_TABLES,
    DataExportFormat,
)
from tierdesk.inventory.importers.formats.detect import (
    FORMATS,
    SOURCE_NAMES,
    detect_format,
    explain,
)
from tierdesk.inventory.importers.formats.fast import fast_convert
from tierdesk.inventory.importers.formats.generic import (
    GENERIC_TABLES,
    GenericFormat,
)
from tierdesk.inventory.importers.formats.inventory_query import (
    INVENTORY_ENVIRONMENT,
    INVENTORY_KINDS,
    INVENTORY_SOLUTION_FIELDS,
    InventoryQueryFormat,
)
from tierdesk.inventory.importers.formats.powershell import (
    PS_TABLES,
    PowerShellFormat,
    powershell_table_for,
)

__all__ = [
    "ADMIN_API_APP",
    "ADMIN_API_CONNREF",
    "ADMIN_API_ENVIRONMENT",
    "ADMIN_API_FLOW",
    "APP_KIND",
    "APP_STATE",
    "CLASSIFICATION",
    "COE_TABLES",
    "CONNECTOR_TIER",
    "DATA_EXPORT_TABLES",
    "ENVIRONMENT_FIELDS",
    "ENV_PURPOSE",
    "ENV_TYPE",
    "FAST_TABLES",
    "FLOW_STATE",
    "FORMATS",
    "GENERIC_TABLES",
    "IMPACT",
    "INVENTORY_ENVIRONMENT",
    "INVENTORY_KINDS",
    "INVENTORY_SOLUTION_FIELDS",
    "PRINCIPAL_TYPE",
    "PS_TABLES",
    "ROLE",
    "SOLUTION_FIELDS",
    "SOLUTION_TABLES",
    "SOURCE_NAMES",
    "AdminApiFormat",
    "CoeFormat",
    "ConvertRow",
    "DataExportFormat",
    "F",
    "Field",
    "Format",
    "GenericFormat",
    "InventoryQueryFormat",
    "Item",
    "PowerShellFormat",
    "SourceFile",
    "Table",
    "coe_table_for",
    "convert_row",
    "describe",
    "detect_format",
    "explain",
    "fast_convert",
    "orphan_flag",
    "powershell_table_for",
]
