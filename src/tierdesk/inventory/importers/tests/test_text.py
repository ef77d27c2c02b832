"""The text layer on its own: encodings by byte-order mark and by content, CSV layout
(`#TYPE`, `sep=`, delimiters), PowerShell's `@{…}` text, dates as cultures write them, text
degraded to `?`; and what an unrecognised file is told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from tierdesk.inventory.importers.base import Issues, RowError, to_datetime
from tierdesk.inventory.importers.models import ImportRunStatus
from tierdesk.inventory.importers.readers import csv_rows, sniff
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.text import (
    EncodingProblem,
    looks_degraded,
    parse_ps_object,
    sniff_delimiter,
    sniff_text,
)

TEXT = '"AppName","DisplayName"\r\n"a1","출장비 정산 🧾"\r\n'


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages below are checked in English; outside a request the site's language
    (Korean) would apply."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by its zero bytes
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (b"\xff\xfe\x00\x00" + TEXT.encode("utf-32-le"), "utf-32-le"),
        (TEXT.replace(" 🧾", "").encode("cp949"), "cp949"),
    ],
)
def test_every_encoding_the_tools_write_reads_the_same_rows(
    tmp_path: Path, data: bytes, codec: str
) -> None:
    path = tmp_path / "apps.csv"
    path.write_bytes(data)
    info = sniff_text(path)
    assert not isinstance(info, EncodingProblem) and info.codec == codec
    issues = Issues()
    rows = [row for _n, row in csv_rows(path, "apps.csv", issues)]
    assert not issues, issues.kept
    assert rows[0]["appname"] == "a1" and rows[0]["displayname"].startswith("출장비 정산")
    assert [w.code for w in issues.warnings] == (["legacy_encoding"] if codec == "cp949" else [])


def test_latin_1_is_refused_with_where_and_how_to_re_save(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("a,b\n1,Müller\n".encode("latin-1"))
    problem = sniff_text(path)
    assert isinstance(problem, EncodingProblem)
    assert problem.found == "byte 0xfc at offset 7"
    assert "CSV UTF-8" in problem.message and "-Encoding UTF8" in problem.message


@pytest.mark.parametrize(
    ("header", "second", "delimiter"),
    [
        ('"a","b","c"', '"1","2","3"', ","),
        ('"a";"b";"c"', '"1,5";"2";"3"', ";"),
        ("a\tb\tc", "1\t2\t3", "\t"),
        ("a|b|c", "1|2|3", "|"),
        ('"value"', '"System.Object[]"', ","),
        ('"a,b";"c"', '"1";"2"', ";"),  # a comma inside quotes is no separator
    ],
)
def test_delimiter_is_sniffed(header: str, second: str, delimiter: str) -> None:
    assert sniff_delimiter(header, second) == delimiter


def test_type_and_sep_lines_are_skipped_and_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "#TYPE System.Management.Automation.PSCustomObject\r\nsep=;\r\n"
        '"a";"b"\r\n"1";"x"\r\n;\r\n"2";"multi\r\nline"\r\n"3";"y"\r\n',
        encoding="utf-8",
    )
    issues = Issues()
    rows = list(csv_rows(path, "x.csv", issues))
    assert [(n, r["a"]) for n, r in rows] == [(4, "1"), (6, "2"), (8, "3")]
    assert [(w.code, w.count) for w in issues.warnings] == [("empty_rows", 1)]
    layout = sniff(path).layout
    assert layout is not None and layout.type_line and layout.sep_line


def test_powershell_object_text_is_parsed() -> None:
    assert parse_ps_object(
        "@{id=1; displayName=서하나; email=; nested=@{a=1; b=x}; tags=System.Object[]; note=a; b c}"
    ) == {
        "id": "1",
        "displayName": "서하나",
        "email": None,
        "nested": {"a": "1", "b": "x"},
        "tags": None,
        "note": "a; b c",  # "; " not followed by key= belongs to the value
    }


@pytest.mark.parametrize(
    ("text", "degraded"),
    [
        ("??? ?? ??", True),
        ("M?ller Stra?e", True),
        ("? ?", True),
        ("Ready?", False),
        ("What's new? (2024)", False),
        ("Q&A", False),
    ],
)
def test_text_degraded_to_question_marks_is_told_from_questions(text: str, degraded: bool) -> None:
    assert looks_degraded(text) is degraded


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-01T09:00:41.7171469Z", dt.datetime(2024, 2, 1, 9, 0, 41, 717146, tzinfo=dt.UTC)),
        ("2/1/2024 9:00:41 AM", dt.datetime(2024, 2, 1, 9, 0, 41, tzinfo=dt.UTC)),
        ("2024-02-01 오후 3:00:41", dt.datetime(2024, 2, 1, 15, 0, 41, tzinfo=dt.UTC)),
        ("01.02.2024 09:00:41", dt.datetime(2024, 2, 1, 9, 0, 41, tzinfo=dt.UTC)),
        ("2024-02-01 9:00", dt.datetime(2024, 2, 1, 9, 0, tzinfo=dt.UTC)),
        ("/Date(1706778041717)/", dt.datetime(2024, 2, 1, 9, 0, 41, 717000, tzinfo=dt.UTC)),
        ("2024-02-01T18:00:41+09:00", dt.datetime(2024, 2, 1, 9, 0, 41, tzinfo=dt.UTC)),
    ],
)
def test_dates_as_the_tools_and_cultures_write_them(value: str, expected: dt.datetime) -> None:
    assert to_datetime(value) == expected


def test_a_date_nobody_writes_is_an_error() -> None:
    with pytest.raises(RowError):
        to_datetime("sometime in May")


# ------------------------------------------------------------ not recognised


@pytest.mark.django_db
def test_an_unknown_file_is_told_what_it_looks_like_and_what_came_closest(tmp_path: Path) -> None:
    path = tmp_path / "apps.csv"
    path.write_bytes(
        b"\xff\xfe"
        + '"DisplayName";"CreatedTime";"Enabled"\r\n"x";"2024-01-01";"True"\r\n'.encode("utf-16-le")
    )
    result = import_run_execute(paths=[path], actor=None)
    assert result.status == ImportRunStatus.REJECTED
    [error] = result.errors
    assert error["file"] == "apps.csv"
    for part in ("UTF-16 LE with BOM", "semicolons", "3 columns", "DisplayName"):
        assert part in error["value"], error
    assert "closest to Admin PowerShell" in error["expected"]  # it knows these columns
    assert "Export-Csv" in error["expected"]  # and how to export again
    assert "CoE Starter Kit" in error["expected"]  # why the others declined


@pytest.mark.django_db
def test_a_folder_with_one_unreadable_file_names_that_file(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "environments.csv").write_bytes(
        (
            Path(__file__).resolve().parents[5] / "tests/samples/powershell/environments.csv"
        ).read_bytes()
    )
    (folder / "notes.csv").write_text("Length\r\n42\r\n", encoding="utf-8")
    result = import_run_execute(paths=[folder], actor=None)
    assert result.status == ImportRunStatus.REJECTED
    [error] = result.errors
    assert error["file"] == "export/notes.csv" and "Length" in error["expected"]


@pytest.mark.django_db
def test_uploaded_files_keep_their_own_names_in_messages(client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tierdesk.accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    upload = SimpleUploadedFile("flows.csv", b'"value"\r\n"System.Object[]"\r\n')
    response = client.post("/api/v1/imports/upload/", {"files": [upload]})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["file"] == "flows.csv"
    assert "System.Object[]" in error["expected"]
