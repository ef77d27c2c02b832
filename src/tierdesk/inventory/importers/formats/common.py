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
from tierdesk.inventory.importers.base import (
    Converter,
    Issues,
    Row,
    RowError,
    choice,
    json_head,
    to_bool,
    to_text,
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
    `connector`, `connection_ref`, `role`, `env_role`, `app_usage`, `flow_usage`,
    `launch`."""

    kind: str
    fields: tuple[Field, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]


def F(name: str, aliases: str, convert: Converter = to_text, *, required: bool = False) -> Field:
    return Field(name, tuple(a.strip() for a in aliases.split("|")), convert, required)


SOLUTION_TABLES = frozenset({"app", "flow", "bot"})
FAST_TABLES = frozenset({"app_usage", "flow_usage"})

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
