"""Reading primitives shared by every format: problems with a precise location, streaming
readers for CSV, JSON lines, paged JSON and XLSX, and value converters.

Everything here streams: a reader yields one row at a time and never holds a file."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

MAX_KEPT_ISSUES = 1000
JSON_CHUNK = 1 << 20


@dataclass(frozen=True)
class Issue:
    """One problem found in one place: file, row, column, the value found, what was
    expected."""

    file: str
    row: int | None
    column: str
    value: str
    expected: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
        }

    def __str__(self) -> str:
        where = (
            self.file
            if self.row is None
            else _("%(file)s, row %(row)s") % {"file": self.file, "row": self.row}
        )
        column = _(", column %(column)s") % {"column": self.column} if self.column else ""
        return _("%(where)s%(column)s: found %(value)s, expected %(expected)s") % {
            "where": where,
            "column": column,
            "value": self.value,
            "expected": self.expected,
        }


@dataclass
class Issues:
    """Collects problems; keeps the first MAX_KEPT_ISSUES and counts the rest."""

    kept: list[Issue] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, row: int | None, column: str, value: Any, expected: str) -> None:
        self.total += 1
        if len(self.kept) < MAX_KEPT_ISSUES:
            self.kept.append(Issue(file, row, column, shown(value), expected))

    def __bool__(self) -> bool:
        return self.total > 0


def shown(value: Any) -> str:
    if value is None:
        return _("nothing")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= 80 else text[:77] + "…"
    return repr(text) if isinstance(value, str) else text


class RowError(Exception):
    """A value that cannot be read; carries what was expected."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


# --------------------------------------------------------------------------- readers

Row = dict[str, Any]
Numbered = tuple[int, Row]


_KEY_CACHE: dict[str, str] = {}


def _normal_key(key: str) -> str:
    cached = _KEY_CACHE.get(key)
    if cached is not None:
        return cached
    if len(_KEY_CACHE) < 10000:
        _KEY_CACHE[key] = _normal_key_uncached(key)
        return _KEY_CACHE[key]
    return _normal_key_uncached(key)


def _normal_key_uncached(key: str) -> str:
    """Lower-case; Dataverse Web API lookups `_admin_appowner_value` become
    `admin_appowner` so CSV and JSON exports of the same table read alike."""
    key = key.strip().lower()
    if key.startswith("_") and key.endswith("_value"):
        key = key[1:-6]
    return key


def flatten(obj: Mapping[str, Any], prefix: str = "", out: Row | None = None) -> Row:
    """{"properties": {"owner": {"id": 1}}} -> {"properties.owner.id": 1}, keys lower-cased.
    Nested objects stay available under their own key too (connection references)."""
    out = {} if out is None else out
    for key, value in obj.items():
        name = prefix + _normal_key(key)
        if isinstance(value, dict):
            out[name] = value
            flatten(value, name + ".", out)
        else:
            out[name] = value
    return out


def csv_rows(path: Path, display: str, issues: Issues) -> Iterator[Numbered]:
    """Rows of a UTF-8 CSV (with or without byte-order mark, any line ending), keys
    lower-cased, empty cells as None. The row number is the line number in the file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                issues.add(display, None, "", "", _("a header line; the file is empty"))
                return
            keys = [_normal_key(h) for h in header]
            if not any(keys):
                issues.add(display, 1, "", "", _("a header line with column names"))
                return
            width = len(keys)
            for cells in reader:
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                line = reader.line_num
                if len(cells) != width:
                    issues.add(
                        display,
                        line,
                        "",
                        f"{len(cells)} cells",
                        _("%(n)d cells as in the header") % {"n": width},
                    )
                    continue
                yield (
                    line,
                    {k: (v if v.strip() != "" else None) for k, v in zip(keys, cells, strict=True)},
                )
    except UnicodeDecodeError as exc:
        issues.add(
            display,
            None,
            "",
            f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}",
            _("text encoded as UTF-8"),
        )


def csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(fh), [])
    except (UnicodeDecodeError, OSError):
        return []
    return [_normal_key(h) for h in first]


def jsonl_rows(
    path: Path, display: str, issues: Issues, *, raw_objects: bool = False
) -> Iterator[Numbered]:
    """One JSON object per line; blank lines skipped; keys lower-cased and flattened
    (or, with `raw_objects`, the objects as decoded, for the engine's fast path)."""
    with path.open("rb") as fh:
        empty = True
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            empty = False
            try:
                obj = json.loads(raw)
            except UnicodeDecodeError:
                issues.add(
                    display, number, "", raw[:40].decode("latin-1"), _("text encoded as UTF-8")
                )
                continue
            except ValueError as exc:
                issues.add(
                    display,
                    number,
                    "",
                    raw[:60].decode("utf-8", "replace").strip(),
                    _("one complete JSON object per line (%(error)s)") % {"error": exc},
                )
                continue
            if not isinstance(obj, dict):
                issues.add(display, number, "", obj, _("a JSON object"))
                continue
            yield number, (obj if raw_objects else flatten(obj))
        if empty:
            issues.add(display, None, "", "", _("at least one JSON line; the file is empty"))


class _JsonStream:
    """Incremental reader of one JSON document shaped {"key": scalar, "value": [...]}:
    objects inside the array are decoded one by one, never the whole file."""

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


def json_paged_rows(
    path: Path, display: str, issues: Issues, array_keys: Sequence[str], meta: Row
) -> Iterator[Numbered]:
    """Items of the array under one of `array_keys` ("value" for Dataverse and the admin
    API, "data" for the resource query), flattened; other top-level keys go to `meta`.
    The row number is the item's position in the array (1-based)."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            stream = _JsonStream(fh)
            if stream.skip_ws() == "":
                issues.add(display, None, "", "", _("a JSON document; the file is empty"))
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
                key = stream.value()
                if not isinstance(key, str):
                    raise RowError(_("a JSON object with named members"))
                stream.expect(":")
                if key.lower() in array_keys and stream.skip_ws() == "[":
                    found = True
                    stream.pos += 1
                    number = 0
                    while True:
                        char = stream.skip_ws()
                        if char == "]":
                            stream.pos += 1
                            break
                        if char == ",":
                            stream.pos += 1
                            continue
                        if char == "":
                            raise RowError(_("complete JSON; the file ends too early"))
                        number += 1
                        item = stream.value()
                        if not isinstance(item, dict):
                            issues.add(display, number, "", item, _("a JSON object"))
                            continue
                        yield number, flatten(item)
                else:
                    meta[key.lower()] = stream.value()
            if not found:
                issues.add(
                    display,
                    None,
                    "",
                    ", ".join(sorted(meta)) or "{}",
                    _("an array named %(keys)s") % {"keys": " or ".join(array_keys)},
                )
    except UnicodeDecodeError as exc:
        issues.add(
            display, None, "", f"byte 0x{exc.object[exc.start]:02x}", _("text encoded as UTF-8")
        )
    except RowError as exc:
        issues.add(display, None, "", _("invalid or truncated JSON"), exc.expected)


def json_head(path: Path, limit: int = 65536) -> str:
    with path.open("rb") as fh:
        head = fh.read(limit)
    return head.decode("utf-8-sig", "replace")


def xlsx_rows(path: Path, display: str, issues: Issues) -> Iterator[Numbered]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

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
        keys = [_normal_key(str(h)) if h is not None else "" for h in header]
        for number, cells in enumerate(rows, start=2):
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            yield (
                number,
                {
                    k: (None if v is None or (isinstance(v, str) and not v.strip()) else v)
                    for k, v in zip(keys, cells, strict=False)
                    if k
                },
            )
    finally:
        book.close()


# ------------------------------------------------------------------------ converters

Converter = Callable[[Any], Any]
_GUIDISH = re.compile(r"^[0-9a-z][0-9a-z._:/\-]*$")


def to_text(value: Any) -> str:
    if isinstance(value, dict | list):
        raise RowError(_("text"))
    return str(value).strip()


def to_id(value: Any) -> str:
    """Platform ids: GUIDs and names like Default-<tenant> or shared_sharepointonline,
    lower-cased. Resource paths keep their last segment."""
    text = to_text(value).lower()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    if not text or not _GUIDISH.match(text):
        raise RowError(_("an id (a GUID or a platform name)"))
    return text


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise RowError(_("a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(",", "")
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        raise RowError(_("a whole number")) from None
    if isinstance(number, float):
        if not number.is_integer():
            raise RowError(_("a whole number"))
        number = int(number)
    if number < 0:
        raise RowError(_("a whole number, zero or more"))
    return number


_TRUE = {"true", "1", "yes", "y", "t", "on"}
_FALSE = {"false", "0", "no", "n", "f", "off"}


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(_("true or false"))


_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")


def to_datetime(value: Any) -> dt.datetime:
    """ISO 8601 (with Z or an offset), or the US format PowerShell's Export-Csv writes;
    values without an offset are UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = to_text(value)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            for pattern in _DATE_FORMATS:
                try:
                    parsed = dt.datetime.strptime(text, pattern)  # noqa: DTZ007 - made UTC below
                    break
                except ValueError:
                    continue
            else:
                raise RowError(_("a date and time such as 2025-05-03T14:10:00Z")) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def choice(mapping: Mapping[Any, str], label: str) -> Converter:
    """Map option-set integers or labels (case-insensitive) to tierdesk values."""
    table = {str(k).strip().lower(): v for k, v in mapping.items()}
    allowed = ", ".join(str(k) for k in mapping)

    def convert(value: Any) -> str:
        key = str(value).strip().lower()
        if isinstance(value, float) and value.is_integer():
            key = str(int(value))
        try:
            return table[key]
        except KeyError:
            raise RowError(
                _("a known %(label)s (%(allowed)s)") % {"label": label, "allowed": allowed}
            ) from None

    return convert


def principal(value: Any) -> Any:
    """An owner: a UPN/e-mail, an object id, or an owner object."""
    if isinstance(value, dict):
        return {_normal_key(k): v for k, v in value.items()}
    return to_text(value)
