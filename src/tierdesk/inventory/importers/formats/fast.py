"""The usage tables' hot path: raw JSON objects straight to records."""

from __future__ import annotations

import datetime as dt

from tierdesk.inventory.importers.base import Row
from tierdesk.inventory.importers.formats.common import Table

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
