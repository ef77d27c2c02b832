"""CSV / XLSX whose columns a saved ColumnMapping names."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers import readers
from tierdesk.inventory.importers.base import (
    Issues,
    choice,
    to_datetime,
    to_id,
    to_int,
)
from tierdesk.inventory.importers.formats.common import (
    ENV_PURPOSE,
    ENV_TYPE,
    IMPACT,
    F,
    Field,
    Format,
    Item,
    SourceFile,
    Table,
    _all_files,
    _has_required,
    warn_unread,
)
from tierdesk.inventory.importers.readers import Sniff, sniff

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


class GenericFormat(Format):
    """CSV or XLSX whose columns a saved ColumnMapping names."""

    name = "generic"
    label = gettext_lazy("CSV / XLSX with a saved column mapping")
    reexport = gettext_lazy(
        "save a column mapping under Imports → Column mappings, then import with it"
    )

    def detect(self, path: Path) -> bool:
        files = _all_files(path)
        return bool(files) and all(sniff(f).shape in {"csv", "xlsx"} for f in files)

    def declines(self, sniff: Sniff, file_name: str) -> str:
        return _("a saved column mapping (--mapping NAME, or choose one on the upload page)")

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
        found = sniff(source.path)
        if not _has_required(source, table, found, issues):
            return
        warn_unread(source, table, found, issues)
        for number, row in readers.rows(source.path, source.display, issues):
            yield source, number, table, row
