"""Table exports people open in a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel
reads Korean) and XLSX (openpyxl's write-only workbook), both safe to open.

Safe to open (OWASP "CSV Injection"): a text cell that begins with `=`, `+`, `-`, `@`, a
tab or a carriage return is prefixed with a single quote, so no spreadsheet evaluates a
ticket subject such as `=HYPERLINK(…)` as a formula — in CSV and XLSX alike (openpyxl
would otherwise store such a string as a formula). Numbers stay numbers.

Headers and labels come translated in the language of the request; times are local
(TIERDESK_TIME_ZONE) — "2026-11-30 15:04" in CSV, a real date-time cell in XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Callable[[Any], Any]
    width: int = 16  # XLSX column width in characters


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will show and never evaluate."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, bool | int | float | dt.date):
        return value
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralise(str(c.header)) for c in columns])
    for row in rows:
        yield writer.writerow([_csv_cell(c.value(row)) for c in columns])


def csv_response(
    columns: Sequence[Column], rows: Iterable[Any], filename: str
) -> StreamingHttpResponse:
    """Streams rows as they are read (a long export never sits in memory)."""
    response = StreamingHttpResponse(_csv_lines(columns, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


Progress = Callable[[int], None]
"""Called with the number of rows written so far (every `PROGRESS_EVERY` rows)."""
PROGRESS_EVERY = 500


def write_csv(
    columns: Sequence[Column],
    rows: Iterable[Any],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
) -> int:
    """The CSV file into `out` (UTF-8 with a BOM); the number of rows written."""
    count = 0
    for line in _csv_lines(columns, rows):
        out.write(line.encode("utf-8"))
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count - 1)
    return max(count - 1, 0)


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Any],
    out: IO[bytes],
    *,
    sheet: str,
    progress: Progress | None = None,
) -> int:
    """One sheet into `out`: a bold frozen header row, date-time cells formatted as such;
    the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    ws.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=neutralise(str(column.header)))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        cells = []
        for column in columns:
            value = _xlsx_cell(column.value(row))
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        ws.append(cells)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    book.save(out)
    return count


def xlsx_response(
    columns: Sequence[Column], rows: Iterable[Any], filename: str, *, sheet: str
) -> FileResponse:
    """`write_xlsx` into a temporary file, answered as a download."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(columns, rows, spool, sheet=sheet)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )


def export_response(
    kind: str, columns: Sequence[Column], rows: Iterable[Any], filename: str, *, sheet: str
) -> StreamingHttpResponse | FileResponse:
    """`kind` is "csv" or "xlsx" (anything else is the caller's 404)."""
    if kind == "xlsx":
        return xlsx_response(columns, rows, filename, sheet=sheet)
    return csv_response(columns, rows, filename)
