"""Streaming readers for every shape an export arrives in, whatever its extension: CSV
(any encoding, `#TYPE` and `sep=` lines, `,` `;` tab or `|`, PowerShell `@{…}` cells), JSON
(a top-level array; `value` as OData and the admin APIs write it; `data` as Azure Resource
Graph and the Power Platform resource query write it, with `totalRecords` / `count` /
`skipToken` or the Azure CLI's `total_records` / `skip_token`; `Data` from
`Search-AzGraph | ConvertTo-Json`; the older table result `{"columns": …, "rows": …}`; a
single object), JSON lines and XLSX.

Every reader yields (row number, row) with lower-cased, flattened keys
(`properties.owner.id`), empty cells as None, and never holds the whole file. `sniff`
looks at a file's head only and says what it is, for detection and for error messages."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from tierdesk.inventory.importers.base import Issues, Numbered, Row, RowError, normal_key
from tierdesk.inventory.importers.text import (
    PS_TYPE_NAMES,
    CsvLayout,
    EncodingProblem,
    TextInfo,
    is_ps_object,
    parse_ps_object,
    read_layout,
    sniff_text,
)

JSON_CHUNK = 1 << 20
ARRAY_KEYS = ("value", "data")


def flatten(obj: Mapping[str, Any], prefix: str = "", out: Row | None = None) -> Row:
    """{"properties": {"owner": {"id": 1}}} -> {"properties.owner.id": 1}, keys lower-cased.
    Nested objects stay available under their own key too (connection references). A string
    PowerShell wrote for an object it did not expand (`@{a=1; b=2}`, ConvertTo-Json past its
    depth) is read as that object; `System.Object[]` and the like as nothing."""
    out = {} if out is None else out
    for key, value in obj.items():
        name = prefix + normal_key(key)
        if type(value) is str and value[:2] == "@{" and is_ps_object(value):
            value = parse_ps_object(value)
        if isinstance(value, dict):
            out[name] = value
            flatten(value, name + ".", out)
        elif type(value) is str and value[:7] == "System." and value.lower() in PS_TYPE_NAMES:
            out[name] = None
        else:
            out[name] = value
    return out


def _encoding_issue(display: str, issues: Issues, problem: EncodingProblem) -> None:
    issues.add(display, None, "", problem.found, problem.message)


def _note_legacy(info: TextInfo, display: str, issues: Issues) -> None:
    if info.legacy:
        issues.warn(
            "legacy_encoding",
            display,
            None,
            "",
            info.label,
            _(
                "read as %(encoding)s; next time save it as “CSV UTF-8” (Excel) or with "
                "-Encoding UTF8 (PowerShell) so every character survives"
            )
            % {"encoding": info.label},
        )


# ------------------------------------------------------------------------- CSV


def _csv_cells(keys: Sequence[str], cells: Sequence[str]) -> Row:
    row: Row = {}
    for key, cell in zip(keys, cells, strict=True):
        if not key:
            continue
        value = cell.strip()
        if not value:
            row[key] = None
        elif value[:2] == "@{" and is_ps_object(value):
            nested = parse_ps_object(value)
            row[key] = nested
            flatten(nested, key + ".", row)
        elif value[:7] == "System." and value.lower() in PS_TYPE_NAMES:
            row[key] = None
        else:
            row[key] = cell
    return row


def csv_rows(path: Path, display: str, issues: Issues) -> Iterator[Numbered]:
    """Rows of a CSV as PowerShell or Excel writes it. Rows whose cells are all empty
    (Get-AdminFlow's placeholder objects) are skipped and counted as a warning. The row
    number is the line number in the file."""
    info = sniff_text(path)
    if isinstance(info, EncodingProblem):
        _encoding_issue(display, issues, info)
        return
    _note_legacy(info, display, issues)
    skipped = 0
    try:
        with info.open() as fh:
            layout, reader = read_layout(fh)
            keys = [normal_key(h) for h in layout.header]
            if not any(keys):
                issues.add(
                    display,
                    layout.first_line if layout.header else None,
                    "",
                    "",
                    _("a header line with column names; the file is empty")
                    if not layout.header
                    else _("a header line with column names"),
                )
                return
            width = len(keys)
            consumed = reader.line_num
            for cells in reader:
                # The header takes `consumed` lines from layout.first_line on.
                line = layout.first_line + consumed
                consumed = reader.line_num
                if not cells or all(not c.strip() for c in cells):
                    if cells and len(cells) > 1:
                        skipped += 1
                    continue
                if len(cells) != width:
                    issues.add(
                        display,
                        line,
                        "",
                        _("%(n)d cells") % {"n": len(cells)},
                        _("%(n)d cells as in the header (separated by %(sep)s)")
                        % {"n": width, "sep": repr(layout.delimiter)},
                    )
                    continue
                yield line, _csv_cells(keys, cells)
    except UnicodeDecodeError as exc:
        issues.add(
            display,
            None,
            "",
            f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}",
            _("text in one encoding (%(encoding)s) throughout; re-save the file as UTF-8")
            % {"encoding": info.label},
        )
    if skipped:
        issues.warn(
            "empty_rows",
            display,
            None,
            "",
            str(skipped),
            _("%(n)d rows with every cell empty were skipped") % {"n": skipped},
            count=skipped,
        )


# ------------------------------------------------------------------------ JSON


class _JsonStream:
    """Incremental reader of one JSON document: values inside its arrays are decoded one
    by one, never the whole file."""

    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(JSON_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def skip_ws(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n\ufeff":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        if self.skip_ws() != char:
            raise RowError(_("%(char)s") % {"char": repr(char)})
        self.pos += 1

    def value(self) -> Any:
        self.skip_ws()
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except ValueError:
                if self._fill():
                    continue
                raise RowError(_("complete JSON; the file ends too early")) from None
            # A number at the very end of the buffer may continue in the next chunk.
            if end >= len(self.buf) and not self.eof and self._fill():
                continue
            self.pos = end
            return obj

    def items(self) -> Iterator[Any]:
        """The values of the array whose `[` is next."""
        self.expect("[")
        while True:
            char = self.skip_ws()
            if char == "]":
                self.pos += 1
                return
            if char == ",":
                self.pos += 1
                continue
            if char == "":
                raise RowError(_("complete JSON; the file ends too early"))
            yield self.value()


def _table_rows(table: Any) -> Iterator[Any] | None:
    """Rows of Resource Graph's table result {"columns": [{"name": …}], "rows": [[…]]}."""
    if not isinstance(table, dict):
        return None
    columns = table.get("columns") or table.get("Columns")
    rows = table.get("rows") or table.get("Rows")
    if not isinstance(columns, list) or not isinstance(rows, list):
        return None
    names = [c.get("name") if isinstance(c, dict) else str(c) for c in columns]
    return (dict(zip(names, r, strict=False)) for r in rows if isinstance(r, list))


def json_rows(
    path: Path,
    display: str,
    issues: Issues,
    meta: Row | None = None,
    array_keys: Sequence[str] = ARRAY_KEYS,
) -> Iterator[Numbered]:
    """Objects of a JSON document in any envelope (see the module docstring), flattened;
    other top-level members go to `meta` (with `@envelope` naming the envelope). The row
    number is the object's position in its array (1-based)."""
    meta = {} if meta is None else meta
    info = sniff_text(path)
    if isinstance(info, EncodingProblem):
        _encoding_issue(display, issues, info)
        return
    try:
        with info.open() as fh:
            stream = _JsonStream(fh)
            first = stream.skip_ws()
            if first == "":
                issues.add(display, None, "", "", _("a JSON document; the file is empty"))
                return
            if first == "[":
                meta["@envelope"] = "array"
                yield from _numbered(stream.items(), display, issues)
                return
            stream.expect("{")
            found = False
            while True:
                char = stream.skip_ws()
                if char == "}":
                    break
                if char == ",":
                    stream.pos += 1
                    continue
                if char == "":
                    raise RowError(_("complete JSON; the file ends too early"))
                key = stream.value()
                if not isinstance(key, str):
                    raise RowError(_("a JSON object with named members"))
                stream.expect(":")
                low = key.lower()
                if not found and low in array_keys and stream.skip_ws() == "[":
                    found = True
                    meta["@envelope"] = low
                    yield from _numbered(stream.items(), display, issues)
                    continue
                value = stream.value()
                table = _table_rows(value) if low in array_keys and not found else None
                if table is not None:
                    found = True
                    meta["@envelope"] = "table"
                    yield from _numbered(table, display, issues)
                    continue
                meta[low] = value
            if not found:
                record = {k: v for k, v in meta.items() if not k.startswith("@")}
                if record and not any(k.startswith(("@odata", "odata.")) for k in meta):
                    # One object on its own (e.g. Get-AdminPowerApp -AppName … | ConvertTo-Json).
                    meta["@envelope"] = "object"
                    yield 1, flatten(record)
                else:
                    issues.add(
                        display,
                        None,
                        "",
                        ", ".join(sorted(meta)) or "{}",
                        _("a JSON array, or an object with an array named %(keys)s")
                        % {"keys": " or ".join(array_keys)},
                    )
    except UnicodeDecodeError as exc:
        issues.add(
            display,
            None,
            "",
            f"byte 0x{exc.object[exc.start]:02x}",
            _("text in one encoding (%(encoding)s) throughout; re-save the file as UTF-8")
            % {"encoding": info.label},
        )
    except RowError as exc:
        issues.add(display, None, "", _("invalid or truncated JSON"), exc.expected)


def _numbered(items: Iterator[Any], display: str, issues: Issues) -> Iterator[Numbered]:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            issues.add(display, number, "", item, _("a JSON object"))
            continue
        yield number, flatten(item)


def jsonl_rows(
    path: Path, display: str, issues: Issues, *, raw_objects: bool = False
) -> Iterator[Numbered]:
    """One JSON object per line; blank lines skipped; keys lower-cased and flattened
    (or, with `raw_objects`, the objects as decoded, for the engine's fast path)."""
    info = sniff_text(path)
    if isinstance(info, EncodingProblem):
        _encoding_issue(display, issues, info)
        return
    empty = True
    number = 0
    try:
        with info.open() as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                empty = False
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    issues.add(
                        display,
                        number,
                        "",
                        line[:60].strip(),
                        _("one complete JSON object per line (%(error)s)") % {"error": exc},
                    )
                    continue
                if not isinstance(obj, dict):
                    issues.add(display, number, "", obj, _("a JSON object"))
                    continue
                yield number, (obj if raw_objects else flatten(obj))
    except UnicodeDecodeError:
        issues.add(
            display,
            number + 1,
            "",
            _("bytes that are not %(encoding)s") % {"encoding": info.label},
            _("text in one encoding throughout; re-save the file as UTF-8"),
        )
        return
    if empty:
        issues.add(display, None, "", "", _("at least one JSON line; the file is empty"))


# ------------------------------------------------------------------------ XLSX


def xlsx_rows(path: Path, display: str, issues: Issues) -> Iterator[Numbered]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        issues.add(display, None, "", type(exc).__name__, _("an Excel workbook (.xlsx)"))
        return
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            issues.add(display, None, "", "", _("a header line; the sheet is empty"))
            return
        keys = [normal_key(str(h)) if h is not None else "" for h in header]
        for number, cells in enumerate(rows, start=2):
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            row: Row = {}
            for k, v in zip(keys, cells, strict=False):
                if not k:
                    continue
                if isinstance(v, str):
                    text = v.strip()
                    if not text:
                        v = None
                    elif is_ps_object(text):
                        row[k] = nested = parse_ps_object(text)
                        flatten(nested, k + ".", row)
                        continue
                elif isinstance(v, dt.datetime) and v.tzinfo is None:
                    v = v.replace(tzinfo=dt.UTC)
                row[k] = v
            yield number, row
    finally:
        book.close()


# ----------------------------------------------------------------------- sniff


@dataclass
class Sniff:
    """What a file looks like from its head: its shape (`csv`, `json`, `jsonl`, `xlsx`,
    `empty`, `unreadable`), its text encoding, CSV layout or JSON envelope, the keys of its
    first row (lower-cased, flattened) and that row."""

    path: Path
    shape: str
    text: TextInfo | None = None
    problem: str = ""
    problem_found: str = ""
    layout: CsvLayout | None = None
    envelope: str = ""
    keys: list[str] = field(default_factory=list)
    first: Row = field(default_factory=dict)
    meta: Row = field(default_factory=dict)

    def has(self, *keys: str) -> bool:
        return any(k in self.first or k in self.keys for k in keys)


_ZIP = b"PK\x03\x04"


def _shape(path: Path, info: TextInfo) -> str:
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return "jsonl"
    with info.open() as fh:
        head = fh.read(1 << 15)
    text = head.lstrip("\ufeff \t\r\n")
    if not text:
        return "empty"
    if text[0] == "[":
        return "json"
    if text[0] == "{":
        try:
            _obj, end = json.JSONDecoder().raw_decode(text)
        except ValueError:
            # The first object is longer than the head: one big document (an envelope),
            # unless the head holds several lines that each start an object.
            lines = [ln for ln in text.splitlines()[:3] if ln.strip()]
            if len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines):
                return "jsonl"
            return "json"
        rest = text[end:].lstrip(" \t\r\n")
        return "jsonl" if rest.startswith("{") else "json"
    return "csv"


@functools.lru_cache(maxsize=256)
def _sniff_cached(path: Path, size: int, mtime: float) -> Sniff:
    if size == 0:
        return Sniff(path, "empty")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == _ZIP:
        sniff = Sniff(path, "xlsx" if path.suffix.lower() in {".xlsx", ".xlsm"} else "zip")
        if sniff.shape == "xlsx":
            issues = Issues()
            for _n, row in xlsx_rows(path, path.name, issues):
                sniff.first = row
                break
            sniff.keys = list(sniff.first)
        return sniff
    info = sniff_text(path)
    if isinstance(info, EncodingProblem):
        return Sniff(path, "unreadable", problem=info.message, problem_found=info.found)
    try:
        shape = _shape(path, info)
    except UnicodeDecodeError:
        return Sniff(path, "unreadable", info, problem=_("text that changes encoding"))
    sniff = Sniff(path, shape, info)
    issues = Issues()
    if shape == "csv":
        try:
            with info.open() as fh:
                sniff.layout, _reader = read_layout(fh)
        except (UnicodeDecodeError, ValueError):
            sniff.shape = "unreadable"
            return sniff
        sniff.keys = [normal_key(h) for h in sniff.layout.header]
        for _n, row in csv_rows(path, path.name, issues):
            sniff.first = row
            break
    elif shape == "json":
        for _n, row in json_rows(path, path.name, issues, sniff.meta):
            sniff.first = row
            break
        sniff.envelope = str(sniff.meta.pop("@envelope", ""))
        sniff.keys = list(sniff.first)
    elif shape == "jsonl":
        for _n, row in jsonl_rows(path, path.name, issues):
            sniff.first = row
            break
        sniff.keys = list(sniff.first)
    if issues and not sniff.first:
        sniff.problem = issues.kept[0].expected
    return sniff


def sniff(path: Path) -> Sniff:
    """What `path` looks like, from its head; cached per file version."""
    stat = path.stat()
    return _sniff_cached(path, stat.st_size, stat.st_mtime)


def rows(path: Path, display: str, issues: Issues, meta: Row | None = None) -> Iterator[Numbered]:
    """The rows of any tabular file, by what it holds rather than its extension."""
    shape = sniff(path).shape
    if shape == "csv":
        yield from csv_rows(path, display, issues)
    elif shape == "json":
        yield from json_rows(path, display, issues, meta)
    elif shape == "jsonl":
        yield from jsonl_rows(path, display, issues)
    elif shape == "xlsx":
        yield from xlsx_rows(path, display, issues)
    elif shape == "empty":
        issues.add(display, None, "", "", _("rows of data; the file is empty"))
    else:
        found = sniff(path).problem or shape
        info = sniff_text(path)
        if isinstance(info, EncodingProblem):
            _encoding_issue(display, issues, info)
        else:
            issues.add(display, None, "", found, _("a CSV, JSON, JSON lines or XLSX file"))
