"""Saved column mappings for the generic CSV / XLSX importer: the tierdesk field each
heading feeds and, for choice fields, what the file's values mean."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.inventory.choices import (
    EnvironmentPurpose,
    EnvironmentType,
    SolutionKind,
    Tier,
)
from tierdesk.inventory.importers.formats.generic import GENERIC_TABLES
from tierdesk.inventory.importers.labels import field_label
from tierdesk.inventory.importers.models import ColumnMapping
from tierdesk.inventory.importers.selectors import can_manage_column_mappings

# The fields whose file values a mapping may translate, and the tierdesk values allowed.
CHOICE_FIELDS: dict[str, list[tuple[str, Any]]] = {
    "kind": [(str(v), label) for v, label in SolutionKind.choices],
    "declared_tier": [(str(v), label) for v, label in Tier.choices],
    "type": [(str(v), label) for v, label in EnvironmentType.choices],
    "purpose": [(str(v), label) for v, label in EnvironmentPurpose.choices],
}
# What a line of each value map may look like (a value a spreadsheet might hold).
VALUE_EXAMPLES = {
    "kind": "App = canvas_app",
    "declared_tier": "High = critical",
    "type": "Prod = production",
    "purpose": "Dev = development",
}


def mapping_fields(table: str) -> list[tuple[str, bool]]:
    """(field, required) of a mapping's table, in the importer's order."""
    base = GENERIC_TABLES.get(table)
    if base is None:
        return []
    return [(f.name, f.required) for f in base.fields]


def parse_value_lines(field: str, text: str) -> dict[str, str]:
    """ "App = canvas_app" lines -> {"App": "canvas_app"}; blank lines skipped. Raises
    ValidationError naming the line and the values allowed."""
    allowed = {v for v, _label in CHOICE_FIELDS[field] if v}
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found, sep, value = line.rpartition("=")
        found, value = found.strip(), value.strip()
        if not sep or not found or value not in allowed:
            raise ValidationError(
                _("%(field)s, line %(n)d: write “value in the file = %(allowed)s”")
                % {"field": field_label(field), "n": number, "allowed": " | ".join(sorted(allowed))}
            )
        out[found] = value
    return out


@transaction.atomic
def column_mapping_save(
    *,
    actor: User,
    name: str,
    table: str,
    columns: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]],
    mapping: ColumnMapping | None = None,
) -> ColumnMapping:
    """Create or change a mapping. Every required field of the table needs a heading;
    value maps only for choice fields, only to allowed values."""
    if not can_manage_column_mappings(actor):
        raise PermissionDenied
    fields = dict(mapping_fields(table))
    if not fields:
        raise ValidationError({"table": _("Choose what one row of the file is.")})
    headings = {k: v.strip() for k, v in columns.items() if k in fields and v and v.strip()}
    missing = [f for f, required in fields.items() if required and f not in headings]
    if missing:
        raise ValidationError(
            {
                "columns": _("Name the column for each required field: %(fields)s")
                % {"fields": ", ".join(field_label(f) for f in missing)}
            }
        )
    value_maps = {k: dict(v) for k, v in values.items() if k in fields and k in CHOICE_FIELDS and v}
    if mapping is None:
        mapping = ColumnMapping(name=name)
    mapping.name = name
    mapping.table = table
    mapping.columns = headings
    mapping.values = value_maps
    mapping.full_clean()
    mapping.save()
    return mapping


@transaction.atomic
def column_mapping_delete(*, actor: User, mapping: ColumnMapping) -> None:
    if not can_manage_column_mappings(actor):
        raise PermissionDenied
    mapping.delete()
