"""Exports people open in a spreadsheet (OWASP "CSV Injection"): formula-looking cells
neutralised in CSV and XLSX, UTF-8 with a byte-order mark, translated headings and
labels, local times; only the tickets the user may see."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common import clock
from tierdesk.common.exports import neutralise
from tierdesk.desk.tests.factories import ticket
from tierdesk.sla.tests.factories import MONDAY_10

pytestmark = pytest.mark.django_db

NASTY = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize("value", NASTY)
def test_formula_triggers_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("plain 안녕") == "plain 안녕"


def _tickets(org: Org) -> None:
    with clock.frozen(MONDAY_10):  # 10:00 in Seoul, 01:00 UTC
        for subject in NASTY:
            ticket(requester=org.users["requester"], subject=subject)
        ticket(requester=org.users["other_maker"], subject="남의 티켓")


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_export_in_korean(org: Org) -> None:
    _tickets(org)
    client = APIClient()
    client.force_authenticate(org.users["requester"])
    response = client.get("/api/v1/tickets/export/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tickets.csv"' in response["Content-Disposition"]
    raw = _body(response)
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["번호", "제목", "상태"]
    subjects = {row[1] for row in rows[1:]}
    # Subjects are stored stripped; every formula-looking one is neutralised, and the other
    # requester's ticket is not there.
    assert subjects == {neutralise(value.strip()) for value in NASTY}
    first = rows[1]
    assert first[2] == "신규"  # the status, translated
    assert first[9] == "2025-06-16 10:00"  # local time, not UTC ISO


def test_xlsx_export_is_a_workbook_with_text_cells(org: Org) -> None:
    _tickets(org)
    client = Client()
    client.force_login(org.users["agent"])
    response = client.get("/desk/queue/export.xlsx", {"status": "new"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(_body(response)))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Number", "Subject"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in cells} >= {neutralise(value.strip()) for value in NASTY}
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    created = sheet.cell(row=2, column=10)
    assert created.is_date and created.value.hour == 10  # a local date-time cell


def test_an_unknown_file_format_is_refused(org: Org) -> None:
    client = APIClient()
    client.force_authenticate(org.users["admin"])
    response = client.get("/api/v1/tickets/export/", {"file_format": "pdf"})
    assert response.status_code == 400
    assert "file_format" in response.json()["errors"]
