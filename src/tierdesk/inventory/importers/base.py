"""What every reader and format shares: problems and warnings with a precise location,
key normalisation and value converters. The readers themselves are in `readers`."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_KEPT_ISSUES = 1000
MAX_KEPT_NOTICES = 200


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
class Notice:
    """A warning: the import goes on, but the admin should know (columns present but not
    read, text degraded to `?`, empty rows skipped, a legacy encoding, an owner that is no
    person). One per code, file and column; `count` says how many rows it concerns and
    `row` / `value` show the first."""

    code: str
    file: str
    row: int | None
    column: str
    value: str
    message: str
    count: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "count": self.count,
        }

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        column = f" [{self.column}]" if self.column else ""
        times = f" (×{self.count})" if self.count > 1 else ""
        return f"{where}{column}: {self.message}{times}"


@dataclass
class Issues:
    """Collects problems (any problem rejects the import) and warnings (which do not);
    keeps the first MAX_KEPT_ISSUES problems and counts the rest."""

    kept: list[Issue] = field(default_factory=list)
    total: int = 0
    notices: dict[tuple[str, str, str], Notice] = field(default_factory=dict)

    def add(
        self,
        file: str,
        row: int | None,
        column: str,
        value: Any,
        expected: str,
        *,
        literal: bool = True,
    ) -> None:
        """`value` is what was found: quoted as a literal, or (literal=False) a
        description in words, shown as it is."""
        self.total += 1
        if len(self.kept) < MAX_KEPT_ISSUES:
            found = shown(value) if literal else str(value)
            self.kept.append(Issue(file, row, column, found, expected))

    def warn(
        self,
        code: str,
        file: str,
        row: int | None,
        column: str,
        value: Any,
        message: str,
        *,
        count: int = 1,
    ) -> None:
        key = (code, file, column)
        notice = self.notices.get(key)
        if notice is not None:
            notice.count += count
        elif len(self.notices) < MAX_KEPT_NOTICES:
            self.notices[key] = Notice(code, file, row, column, shown(value), message, count)

    @property
    def warnings(self) -> list[Notice]:
        return list(self.notices.values())

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


# ------------------------------------------------------------------------- keys

Row = dict[str, Any]
Numbered = tuple[int, Row]


_KEY_CACHE: dict[str, str] = {}


def normal_key(key: str) -> str:
    """Lower-case; Dataverse Web API lookups `_admin_appowner_value` become `admin_appowner`
    so CSV and JSON exports of the same table read alike."""
    cached = _KEY_CACHE.get(key)
    if cached is not None:
        return cached
    low = key.strip().lower()
    base, at, annotation = low.partition("@")
    if base.startswith("_") and base.endswith("_value"):
        # `_x_value@OData.Community.Display.V1.FormattedValue` -> `x@odata.…formattedvalue`
        low = base[1:-6] + at + annotation
    if len(_KEY_CACHE) < 10000:
        _KEY_CACHE[key] = low
    return low


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


_DATE_FORMATS = (
    # en-US, what Export-Csv writes for a DateTime on most admins' machines
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    # ko-KR ("2024-02-01 오전 9:00:41", 오전/오후 read as AM/PM below)
    "%Y-%m-%d %p %I:%M:%S",
    "%Y-%m-%d %p %I:%M",
    "%Y. %m. %d. %p %I:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    # de-DE and other day-first cultures that use dots
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)
_MERIDIEM = {"오전": "AM", "오후": "PM"}
_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def to_datetime(value: Any) -> dt.datetime:
    """ISO 8601 (with Z or an offset, any number of fraction digits), or a DateTime as
    Export-Csv writes it in the en-US, ko-KR or dotted day-first cultures; values without an
    offset are UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = to_text(value)
        epoch = _MS_DATE.match(text)
        if epoch:  # Windows PowerShell's ConvertTo-Json: "\/Date(1706778041717)\/"
            return dt.datetime.fromtimestamp(int(epoch.group(1)) / 1000, tz=dt.UTC)
        for korean, latin in _MERIDIEM.items():
            text = text.replace(korean, latin)
        try:
            parsed = dt.datetime.fromisoformat(_seven_digits(text))
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


_FRACTION = re.compile(r"(\.\d{6})\d+")


def _seven_digits(text: str) -> str:
    """.NET writes seven fraction digits (`09:00:41.7171469Z`); Python reads six."""
    return _FRACTION.sub(r"\1", text) if "." in text else text


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
        return {normal_key(k): v for k, v in value.items()}
    return to_text(value)
