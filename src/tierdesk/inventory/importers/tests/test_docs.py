"""docs/importers.md stays true: every column a format reads, every counter and warning
code the engine records, is documented."""

from __future__ import annotations

import re
from pathlib import Path

from tierdesk.inventory.importers import formats as fm
from tierdesk.inventory.importers.formats.admin_api import ADMIN_API_CONNREF
from tierdesk.inventory.importers.formats.inventory_query import (
    INLINE_ENVIRONMENT,
    INVENTORY_ENVIRONMENT,
    INVENTORY_SOLUTION_FIELDS,
)
from tierdesk.inventory.importers.labels import COUNT_LABELS, WARNING_LABELS

DOC = (Path(__file__).resolve().parents[5] / "docs" / "importers.md").read_text(encoding="utf-8")
ENGINE = Path(__file__).resolve().parents[1]


def _section(name: str) -> str:
    start = DOC.index(f"### {name}\n")
    end = DOC.find("\n### ", start + 1)
    return DOC[start : end if end != -1 else None]


def test_every_column_each_format_reads_is_in_its_table() -> None:
    missing = []
    for name, fmt in fm.FORMATS.items():
        fields = [f for table in fmt.tables.values() for f in table.fields]
        if name == "inventory_query":
            fields = [*INVENTORY_ENVIRONMENT.fields, *INLINE_ENVIRONMENT.fields]
            fields += INVENTORY_SOLUTION_FIELDS
        if name == "admin_api":
            fields += ADMIN_API_CONNREF.fields
        section = _section(name)
        missing += [(name, f.name, a) for f in fields for a in f.aliases if f"`{a}`" not in section]
    assert missing == []


def test_every_counter_and_warning_the_engine_records_has_words() -> None:
    source = "\n".join(p.read_text() for p in ENGINE.rglob("*.py") if "tests" not in p.parts)
    counted = set(re.findall(r'result\.add\("([a-z_]+)"', source))
    counted |= set(re.findall(r'counts\["([a-z_]+)"\] =', source))
    assert counted - set(COUNT_LABELS) == set()
    warned = set(re.findall(r'\.warn\(\s*"([a-z_]+)"', source))
    assert warned - set(WARNING_LABELS) == set()
    assert all(f"`{code}`" in DOC for code in warned)
