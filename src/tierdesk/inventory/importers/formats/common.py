"""What every format shares: fields and tables, the option sets several formats use, the
file a format reads and the Format interface, and the generic row conversion."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tierdesk.inventory.choices import (
    ConnectorTier,
    DataClassification,
    EnvironmentPurpose,
    EnvironmentRoleName,
    EnvironmentType,
    SolutionKind,
    SolutionState,
    Tier,
)
from tierdesk.inventory.importers import readers
from tierdesk.inventory.importers.base import (
    Converter,
    Issues,
    Row,
    RowError,
    choice,
    normal_key,
    to_bool,
    to_text,
)
from tierdesk.inventory.importers.formats.coe_optionsets import with_labels
from tierdesk.inventory.importers.readers import Sniff, sniff
from tierdesk.inventory.importers.text import DELIMITER_NAMES


@dataclass(frozen=True)
class Field:
    """One tierdesk field of a table: the columns that may hold it (first found wins), how
    a value converts, whether a row needs it, and whether a value that does not convert
    is only a warning (`lenient`: the field stays unset) instead of a rejected import."""

    name: str
    aliases: tuple[str, ...]
    convert: Converter
    required: bool = False
    lenient: bool = False


@dataclass(frozen=True)
class Table:
    """One kind of row: `environment`, `app`, `flow`, `bot`, `rpa`, `maker`, `principal`,
    `connector`, `connection_ref`, `role`, `env_role`, `app_usage`, `flow_usage`,
    `launch`."""

    kind: str
    fields: tuple[Field, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]


def F(
    name: str,
    aliases: str,
    convert: Converter = to_text,
    *,
    required: bool = False,
    lenient: bool = False,
) -> Field:
    return Field(name, tuple(a.strip() for a in aliases.split("|")), convert, required, lenient)


SOLUTION_TABLES = frozenset({"app", "flow", "bot", "rpa"})
FAST_TABLES = frozenset({"app_usage", "flow_usage"})

# ------------------------------------------------------------------ shared choices

APP_KIND = choice(
    with_labels(
        "admin_powerappstype",
        {
            "Canvas": SolutionKind.CANVAS_APP,
            "Model Driven": SolutionKind.MODEL_DRIVEN_APP,
            # SharePoint form apps, custom pages (canvas pages inside model-driven apps) and
            # component libraries are canvas apps to whoever supports them
            "SharePointFormApp": SolutionKind.CANVAS_APP,
            "Custom Page": SolutionKind.CANVAS_APP,
            "Component Library": SolutionKind.CANVAS_APP,
            # the admin API's appType and the inventory's kinds
            "ModelDriven": SolutionKind.MODEL_DRIVEN_APP,
            "Model": SolutionKind.MODEL_DRIVEN_APP,
            "ClassicCanvasApp": SolutionKind.CANVAS_APP,
            "CanvasClassicApp": SolutionKind.CANVAS_APP,
            "CanvasApp": SolutionKind.CANVAS_APP,
            "ModelDrivenApp": SolutionKind.MODEL_DRIVEN_APP,
            "AppModule": SolutionKind.MODEL_DRIVEN_APP,
            "CodeApp": SolutionKind.CANVAS_APP,
        },
    ),
    "app type",
)
IMPACT = choice(
    with_labels(
        "admin_businessimpact",
        {
            "Low risk": Tier.PRODUCTIVITY,
            "Important": Tier.IMPORTANT,
            "Critical": Tier.CRITICAL,
            "Low": Tier.PRODUCTIVITY,
            "productivity": Tier.PRODUCTIVITY,
        },
    ),
    "business impact",
)
# admin_requirement_6 uses the option set admin_dataclassification, which the kit's
# published source does not contain: only labels (or the FormattedValue annotation) are
# read, and a bare integer leaves the classification unset with a warning.
CLASSIFICATION = choice(
    {
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
        "Dataverse for Teams": EnvironmentType.TEAMS,
        "NotSpecified": EnvironmentType.PRODUCTION,
    },
    "environment type",
)
ENV_PURPOSE = choice(
    with_labels(
        "admin_environmentpurpose",
        {
            "Development": EnvironmentPurpose.DEVELOPMENT,
            "Test": EnvironmentPurpose.TEST,
            "Production": EnvironmentPurpose.PRODUCTION,
            "Training": EnvironmentPurpose.TRAINING,
            "Dev": EnvironmentPurpose.DEVELOPMENT,
            "Prod": EnvironmentPurpose.PRODUCTION,
            "Shared productivity": EnvironmentPurpose.SHARED_PRODUCTIVITY,
        },
    ),
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

# Environment principals: like PRINCIPAL_TYPE, but a service principal stays one (the
# "no maker roles in test and production" guardrail counts people only).
ENV_PRINCIPAL_TYPE = choice(
    {
        "User": "user",
        "Group": "group",
        "Tenant": "tenant",
        "ServicePrincipal": "service_principal",
        "Application": "service_principal",
        597910000: "user",
        597910001: "group",
        597910002: "tenant",
    },
    "principal type",
)
_ENV_ROLES = {
    "environmentadmin": EnvironmentRoleName.ENVIRONMENT_ADMIN,
    "systemadministrator": EnvironmentRoleName.ENVIRONMENT_ADMIN,
    "environmentmaker": EnvironmentRoleName.ENVIRONMENT_MAKER,
    "systemcustomizer": EnvironmentRoleName.SYSTEM_CUSTOMIZER,
    "basicuser": EnvironmentRoleName.BASIC_USER,
}


def environment_role(value: Any) -> str:
    """An environment security role by name ("Environment Maker", "EnvironmentMaker",
    "System Customizer", "Basic User", …); any other Dataverse role is `other`."""
    text = to_text(value)
    return str(_ENV_ROLES.get(re.sub(r"[\s_-]+", "", text).lower(), EnvironmentRoleName.OTHER))


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


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str
    table: str = ""
    day: dt.date | None = None


# ------------------------------------------------------------------ the formats

Item = tuple[SourceFile, int, Table, Row]
UPLOAD_MARKER = ".tierdesk-upload"
# Files a folder of exports may hold that are not data: Spark / Data Lake markers and
# checksums, desktop litter, notes.
_NOT_DATA_NAMES = {"desktop.ini", "thumbs.db", "_success"}
_NOT_DATA_SUFFIXES = {".crc", ".md", ".pdf", ".png", ".jpg", ".ps1", ".log"}


class Format:
    """A family of exports. A file-based format names, for each file, the table its rows
    belong to (`table_for`, from the file's name and the keys of its first row); the
    data export names tables by folder instead. `read` yields each row with its table;
    `declines` says in words why a file is not this format (for "not recognised"
    messages); `reexport` says which command produces the format."""

    name = ""
    label: Any = ""
    solution_source = ""
    reexport: Any = ""
    tables: Mapping[str, Table] = {}

    def table_for(self, sniff: Sniff, file_name: str) -> str | None:
        return None

    def row_table(self, name: str, row: Row) -> Table | None:
        """The table of one row (a file may mix kinds); None skips the row."""
        return self.tables[name]

    def declines(self, sniff: Sniff, file_name: str) -> str:
        return ""

    def detect(self, path: Path) -> bool:
        files = _all_files(path)
        return bool(files) and all(self.table_for(sniff(f), f.name) is not None for f in files)

    def files(self, path: Path) -> list[SourceFile]:
        return [SourceFile(f, _display(path, f)) for f in _all_files(path)]

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        found = sniff(source.path)
        if found.shape in {"empty", "unreadable"}:
            for _row in readers.rows(source.path, source.display, issues):
                pass  # the reader reports why there are no rows
            return
        name = self.table_for(found, source.path.name)
        if name is None:
            issues.add(
                source.display,
                None,
                "",
                describe(found),
                self.declines(found, source.path.name)
                or _("a table of %(format)s") % {"format": self.label},
            )
            return
        table = self.tables[name]
        if not _has_required(source, table, found, issues):
            return
        warn_unread(source, table, found, issues)
        for number, row in readers.rows(source.path, source.display, issues):
            row_table = self.row_table(name, row)
            if row_table is not None:
                yield source, number, row_table, row


def _not_data(file: Path) -> bool:
    low = file.name.lower()
    return (
        low.startswith((".", "_"))
        or low in _NOT_DATA_NAMES
        or file.suffix.lower() in _NOT_DATA_SUFFIXES
    )


def _all_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and not _not_data(p))


def _display(root: Path, file: Path) -> str:
    """A file's name in messages: relative to the folder given (so `input/apps.csv`), or,
    for uploads, just the name the person uploaded."""
    if root.is_file():
        return file.name
    if (root / UPLOAD_MARKER).exists():
        return str(file.relative_to(root))
    return str(file.relative_to(root.parent))


def describe(found: Sniff) -> str:
    """What a file looks like, in words: "UTF-16 LE with BOM CSV separated by commas, 11
    columns: AppName, DisplayName, …"."""
    parts: list[str] = []
    if found.text is not None:
        parts.append(str(found.text.label))
    if found.shape == "csv" and found.layout is not None:
        header = [h for h in found.layout.header if h]
        parts.append(
            ngettext(
                "CSV separated by %(sep)s, %(n)d column: %(names)s",
                "CSV separated by %(sep)s, %(n)d columns: %(names)s",
                len(header),
            )
            % {
                "sep": DELIMITER_NAMES.get(found.layout.delimiter, found.layout.delimiter),
                "n": len(header),
                "names": _names(header),
            }
        )
        if found.layout.type_line:
            parts.append(_("with a %(line)s line") % {"line": found.layout.type_line[:60]})
    elif found.shape in {"json", "jsonl"}:
        shape = (
            _("JSON lines")
            if found.shape == "jsonl"
            else {
                "array": _("a JSON array"),
                "value": _("JSON with a “value” array"),
                "data": _("JSON with a “data” array"),
                "table": _("JSON with a “data” table"),
                "object": _("one JSON object"),
            }.get(found.envelope, _("JSON"))
        )
        parts.append(shape)
        top = sorted({k.split(".", 1)[0] for k in found.keys if "@" not in k})
        if top:
            parts.append(_("keys: %(names)s") % {"names": _names(top)})
    elif found.shape == "xlsx":
        parts.append(_("an Excel workbook, columns: %(names)s") % {"names": _names(found.keys)})
    elif found.shape == "empty":
        parts.append(_("an empty file"))
    elif found.shape == "zip":
        parts.append(_("a ZIP archive"))
    elif found.problem:
        parts.append(found.problem_found or found.problem)
    return "; ".join(p for p in parts if p)


def _names(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += _(" and %(n)d more") % {"n": len(names) - limit}
    return shown


def _read_by(table: Table) -> set[str]:
    return {a for f in table.fields for a in f.aliases}


def warn_unread(source: SourceFile, table: Table, found: Sniff, issues: Issues) -> None:
    """Columns present in the file that no field of its table reads: a warning, never
    silence. OData annotations and PowerShell's `Internal` objects, read in part, are
    not listed."""
    aliases = _read_by(table)
    header = found.keys
    unread = []
    for key in header:
        if "@" in key or not key or key.startswith("odata."):
            continue
        if key in aliases or any(a.startswith(key + ".") for a in aliases):
            continue
        if any(key.startswith(a + ".") for a in aliases):
            continue
        if isinstance(found.first.get(key), dict):
            continue  # its members are listed themselves
        unread.append(key)
    if found.layout is not None:  # CSV: name the columns as the file spells them
        spelled = {normal_key(h): h.strip() for h in found.layout.header}
        unread = [spelled.get(key, key) for key in unread]
    if unread:
        issues.warn(
            "unread_columns",
            source.display,
            None,
            "",
            _names(unread, 12),
            _("%(n)d columns are present but not read: %(names)s")
            % {"n": len(unread), "names": _names(unread, 12)},
        )


def _has_required(source: SourceFile, table: Table, found: Sniff, issues: Issues) -> bool:
    """Every required field has a column (CSV / XLSX) or a key in the first row (JSON)."""
    keys = set(found.keys) | set(found.first)
    if not keys:
        return True  # the reader reports the empty or unreadable file
    missing = [f for f in table.required() if not any(a in keys for a in f.aliases)]
    for f in missing:
        issues.add(
            source.display,
            found.layout.first_line if found.layout else None,
            f.aliases[0],
            _names(sorted(keys), 12),
            _("a column named %(names)s") % {"names": " or ".join(f.aliases)},
        )
    return not missing


# A value that did not convert: (column, value, what was expected, only a warning).
Problem = tuple[str, Any, str, bool]
ConvertRow = Callable[[Table, Row], tuple[Row, list[Problem]]]


FORMATTED = "@odata.community.display.v1.formattedvalue"


def convert_row(table: Table, raw: Row) -> tuple[Row, list[Problem]]:
    """Apply the table's fields: (values, problems as (column, value, expected)). A value
    that does not convert is tried once more as its Dataverse label (the column's
    `@OData.Community.Display.V1.FormattedValue` annotation) when the row carries one."""
    out: Row = dict(table.defaults)
    problems: list[Problem] = []
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
                problems.append((column, None, _("a value"), False))
            continue
        try:
            out[f.name] = f.convert(value)
        except RowError as exc:
            label = raw.get(column + FORMATTED)
            if label is not None:
                try:
                    out[f.name] = f.convert(label)
                    continue
                except RowError:
                    pass
            problems.append((column, value, exc.expected, f.lenient))
    return out, problems
