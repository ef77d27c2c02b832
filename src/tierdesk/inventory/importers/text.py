"""Text as Windows tools write it: the encoding, the CSV dialect, PowerShell's nested
`@{…}` cells and text an ASCII export degraded to `?`.

Sources (power-platform-formats.md §3.4, field-cases/README.md): PowerShell's
`about_Character_Encoding` — Windows PowerShell 5.1 `Export-Csv` writes ASCII unless given
`-Encoding` (every non-ASCII character becomes `?`), `>` / `Out-File` write UTF-16LE with a
byte-order mark, PowerShell 7 writes UTF-8 without one; `Export-Csv` writes a first line
`#TYPE <type name>` unless given `-NoTypeInformation` (PowerShell/PowerShell#5131), and
`-UseCulture` separates cells with the locale's list separator (`;` in much of Europe);
Excel's "CSV (Comma delimited)" writes the ANSI code page (CP949 in Korea) and honours a
first line `sep=;`. A nested object in a cell is written as its ToString(): a
PSCustomObject as `@{key=value; key=value}` (objects nested inside it as nothing),
arrays as `System.Object[]`."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 1 << 16
SCAN_CHUNK = 1 << 20

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
_HANGUL = re.compile("[\uac00-\ud7a3]")


class EncodingProblem(Exception):
    """The file is not text tierdesk can read; `message` says what it is and how to re-save."""

    def __init__(self, found: str, message: str) -> None:
        super().__init__(message)
        self.found = found
        self.message = message


@dataclass(frozen=True)
class TextInfo:
    """How a file's bytes become text.

    `codec` is a Python codec name; `label` is what people call it ("UTF-16 LE with BOM");
    `bom` is the length of the byte-order mark to skip; `legacy` is set when the text is in
    a Windows code page rather than Unicode (CP949), which the import reports."""

    path: Path
    codec: str
    label: str
    bom: int = 0
    legacy: bool = False

    @functools.cached_property
    def ascii_only(self) -> bool:
        """No byte above 0x7F: the file may have been written as ASCII, which turns every
        non-ASCII character into `?` (Windows PowerShell 5.1's Export-Csv default)."""
        if self.codec != "utf-8" or self.bom:
            return False
        with self.path.open("rb") as fh:
            while chunk := fh.read(SCAN_CHUNK):
                if not chunk.isascii():
                    return False
        return True

    def open(self) -> IO[str]:
        """The file as text, byte-order mark skipped, newlines untranslated (for csv)."""
        raw = self.path.open("rb")
        if self.bom:
            raw.read(self.bom)
        return io.TextIOWrapper(raw, encoding=self.codec, errors="strict", newline="")


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def _decodes(head: bytes, codec: str) -> str | None:
    """The head decoded, or None; a character cut at the end of the head is fine."""
    try:
        return codecs.getincrementaldecoder(codec)(errors="strict").decode(head, final=False)
    except UnicodeDecodeError:
        return None


@functools.lru_cache(maxsize=256)
def _sniff_cached(path: Path, size: int, mtime: float) -> TextInfo | EncodingProblem:
    head = _head(path)
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return TextInfo(path, codec, _("%(name)s with BOM") % {"name": label}, len(bom))
    if b"\x00" in head[:4096]:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
        sample = head[:4096]
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        if odd > len(sample) // 4 and _decodes(head, "utf-16-le") is not None:
            return TextInfo(path, "utf-16-le", "UTF-16 LE")
        if even > len(sample) // 4 and _decodes(head, "utf-16-be") is not None:
            return TextInfo(path, "utf-16-be", "UTF-16 BE")
        return EncodingProblem(
            _("binary data"),
            _(
                "text: this file holds binary data (zero bytes), not a CSV or JSON export; "
                "export the table again as CSV or JSON"
            ),
        )
    if _decodes(head, "utf-8") is not None:
        return TextInfo(path, "utf-8", "UTF-8")
    korean = _decodes(head, "cp949")
    if korean is not None and _HANGUL.search(korean):
        return TextInfo(path, "cp949", _("CP949 (Korean Windows, Excel “CSV”)"), legacy=True)
    position = _first_bad_utf8(head)
    return EncodingProblem(
        _("byte 0x%(byte)02x at offset %(offset)d") % {"byte": head[position], "offset": position},
        _(
            "text encoded as UTF-8 or UTF-16; this file is in another code page. In Excel "
            "save it as “CSV UTF-8 (Comma delimited)”; in PowerShell add -Encoding UTF8 "
            "to Export-Csv"
        ),
    )


def _first_bad_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def sniff_text(path: Path) -> TextInfo | EncodingProblem:
    """The encoding of `path`: by byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32), else UTF-16
    by its zero bytes, else UTF-8 when the first 64 KiB decode, else CP949 when they decode
    as Korean; else an EncodingProblem that says how to re-save. Cached per file version."""
    stat = path.stat()
    return _sniff_cached(path, stat.st_size, stat.st_mtime)


# ----------------------------------------------------------------------- CSV dialect

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {
    ",": gettext_lazy("commas"),
    ";": gettext_lazy("semicolons"),
    "\t": gettext_lazy("tabs"),
    "|": gettext_lazy("vertical bars"),
}


@dataclass
class CsvLayout:
    """What comes before the rows: a `#TYPE` line, an Excel `sep=` line, the delimiter and
    the header (as written). `first_line` is the 1-based line number of the header."""

    delimiter: str = ","
    type_line: str | None = None
    sep_line: bool = False
    header: list[str] = field(default_factory=list)
    first_line: int = 1


def _count_outside_quotes(line: str, char: str) -> int:
    count = 0
    quoted = False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def sniff_delimiter(header_line: str, next_line: str | None) -> str:
    """The separator the header uses most (outside quotes); a second line with the same
    count breaks ties. Comma when the header has a single column."""
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        count = _count_outside_quotes(header_line, candidate)
        if not count:
            continue
        agrees = int(next_line is not None and _count_outside_quotes(next_line, candidate) == count)
        score = (agrees, count)
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_layout(fh: IO[str]) -> tuple[CsvLayout, Any]:
    """Read the lines before the data and return the layout and a csv reader positioned at
    the first data row. `fh` must be opened with newline='' (TextInfo.open does)."""
    layout = CsvLayout()
    lines: list[str] = []
    line = fh.readline()
    number = 1
    while line and not line.strip():
        line = fh.readline()
        number += 1
    if line.lstrip("\ufeff").startswith("#TYPE"):
        layout.type_line = line.strip()
        line = fh.readline()
        number += 1
    low = line.strip().lower()
    if low.startswith("sep=") and len(low) == 5:
        layout.sep_line = True
        layout.delimiter = line.strip()[4]
        line = fh.readline()
        number += 1
    lines.append(line)
    layout.first_line = number
    if not layout.sep_line:
        second = fh.readline()
        if second:
            lines.append(second)
        layout.delimiter = sniff_delimiter(line, second or None)

    def rest() -> Iterator[str]:
        yield from lines
        yield from fh

    reader = csv.reader(rest(), delimiter=layout.delimiter)
    layout.header = next(reader, [])
    return layout, reader  # a csv reader: rows as lists of cells, `line_num`


# ------------------------------------------------------------------ PowerShell cells

_PS_KEY = re.compile(r"(?:^|; )([A-Za-z_][A-Za-z0-9_.]*)=")
# What ToString() writes for values Export-Csv / ConvertTo-Json could not expand.
PS_TYPE_NAMES = frozenset(
    {
        "system.object[]",
        "system.collections.hashtable",
        "system.management.automation.pscustomobject",
        "system.collections.generic.dictionary`2[system.string,system.object]",
    }
)


def is_ps_object(text: str) -> bool:
    return text.startswith("@{") and text.endswith("}")


def parse_ps_object(text: str) -> dict[str, Any]:
    """`@{id=…; displayName=서하나; tags=; properties=}` → {"id": "…", "displayName": "서하나",
    "tags": None, "properties": None}. Keys are what PowerShell wrote (case kept); an empty
    value (a nested object PowerShell could not write, or $null) is None; a value that is
    itself `@{…}` is parsed too. A value may hold `; ` as long as no `key=` follows it."""
    body = text[2:-1]
    out: dict[str, Any] = {}
    matches = list(_PS_KEY.finditer(body))
    # Keys inside a nested @{…} belong to it: keep only matches at brace depth 0.
    top = []
    for m in matches:
        if body[: m.start()].count("@{") - body[: m.start()].count("}") <= 0:
            top.append(m)
    for i, m in enumerate(top):
        end = top[i + 1].start() if i + 1 < len(top) else len(body)
        value = body[m.end() : end]
        if is_ps_object(value):
            out[m.group(1)] = parse_ps_object(value)
        elif value == "" or value.strip().lower() in PS_TYPE_NAMES:
            out[m.group(1)] = None
        else:
            out[m.group(1)] = value
    return out


# ------------------------------------------------------------------ degraded text

_DEGRADED_WORD = re.compile(r"(?:^|\s)\?+(?:\s|$)")


def looks_degraded(text: str) -> bool:
    """Text an ASCII export turned into question marks: `??`, a word of only `?`, or a `?`
    between two letters (`Caf?s`). A single trailing `?` ("Ready?") is a question."""
    if "?" not in text:
        return False
    if "??" in text or _DEGRADED_WORD.search(text):
        return True
    return any(
        text[i - 1].isalnum() and text[i + 1].isalnum()
        for i in range(1, len(text) - 1)
        if text[i] == "?"
    )
