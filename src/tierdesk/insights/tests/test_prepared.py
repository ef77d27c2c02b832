"""Prepared downloads (insights.prepared): a table larger than PREPARE_ABOVE rows is
written in the background for the person who asked; they follow it on its page and fetch
the file; nobody else sees either; the file holds what the page would (a manager's, their
units only); failures, interruptions and expiry say so."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tierdesk.common import clock
from tierdesk.insights import coe_rollups, prepared
from tierdesk.insights.choices import DownloadStatus
from tierdesk.insights.models import PreparedDownload
from tierdesk.insights.tests.test_coe import coe_org  # noqa: F401 - the fixture
from tierdesk.insights.tests.test_decisions import decision_org  # noqa: F401 - the fixture
from tierdesk.inventory.tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_tables(monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    """Two rows are "large" here, so a handful of solutions takes the prepared path; the
    files go to a folder of the test's own."""
    monkeypatch.setattr(prepared, "PREPARE_ABOVE", 2)
    monkeypatch.setattr(coe_rollups, "ALWAYS_REFRESH_ON_READ", True)
    settings.DATA_DIR = tmp_path


def _body(response: Any) -> bytes:
    """A FileResponse's bytes."""
    return b"".join(response.streaming_content)


def _client(user: Any) -> Client:
    user.preferred_language = ""
    user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


def _more_unused(org: Any, unit: Any, env: Any, n: int, name: str) -> None:
    long_ago = clock.now() - dt.timedelta(days=400)
    for i in range(n):
        SolutionFactory.create(
            environment=env,
            business_unit=unit,
            name=f"{name} {i}",
            platform_created_at=long_ago,
            last_used_at=long_ago,
        )


def test_a_large_table_is_prepared_and_its_file_holds_the_rows(coe_org: Any) -> None:  # noqa: F811
    _more_unused(coe_org, coe_org.sales, coe_org.env_sales, 3, "영업 오래된 앱")
    client = _client(coe_org.users["admin"])
    response = client.get("/insights/coe/unused/?export=xlsx&sort=name")
    assert response.status_code == 302
    download = PreparedDownload.objects.get()
    assert response["Location"] == f"/insights/downloads/{download.pk}/"
    assert download.status == DownloadStatus.READY and download.rows_total == 5
    assert download.query == "sort=name" and download.page == "/insights/coe/unused/?sort=name"
    page = client.get(response["Location"]).content.decode()
    assert "준비되었습니다" in page and f"/insights/downloads/{download.pk}/file/" in page
    assert 'href="/insights/coe/unused/?sort=name"' in page  # the way back
    file = client.get(f"/insights/downloads/{download.pk}/file/")
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith('attachment; filename="unused-solutions-')
    sheet = load_workbook(io.BytesIO(_body(file))).active
    assert sheet.cell(1, 1).value == "솔루션"  # Korean headers, in the asker's language
    names = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert len(names) == 5 and names == sorted(names)
    assert "영업 오래된 앱 0" in names and "생산 미사용 앱" in names


def test_a_csv_file_equals_the_inline_export(coe_org: Any, monkeypatch: Any) -> None:  # noqa: F811
    _more_unused(coe_org, coe_org.sales, coe_org.env_sales, 3, "=SUM(A1)")
    client = _client(coe_org.users["admin"])
    response = client.get("/insights/coe/unused/?export=csv")
    download = PreparedDownload.objects.get(pk=int(response["Location"].split("/")[-2]))
    prepared_text = _body(client.get(f"/insights/downloads/{download.pk}/file/")).decode(
        "utf-8-sig"
    )
    monkeypatch.setattr(prepared, "PREPARE_ABOVE", 10_000)
    inline_text = client.get("/insights/coe/unused/?export=csv").getvalue().decode("utf-8-sig")
    assert prepared_text == inline_text
    assert "'=SUM(A1) 0" in prepared_text  # still safe to open


def test_a_small_table_is_still_written_at_once(coe_org: Any) -> None:  # noqa: F811
    client = _client(coe_org.users["admin"])
    response = client.get("/insights/coe/orphaned/?export=csv")  # two rows
    assert response.status_code == 200 and not PreparedDownload.objects.exists()


def test_a_managers_file_holds_their_units_only(coe_org: Any) -> None:  # noqa: F811
    _more_unused(coe_org, coe_org.sales, coe_org.env_sales, 3, "영업 오래된 앱")
    _more_unused(coe_org, coe_org.prod, coe_org.env_prod, 3, "생산 오래된 앱")
    client = _client(coe_org.users["manager"])
    response = client.get("/insights/coe/unused/?export=csv")
    assert response.status_code == 302
    download = PreparedDownload.objects.get()
    text = _body(client.get(f"/insights/downloads/{download.pk}/file/")).decode("utf-8-sig")
    assert "영업 오래된 앱 2" in text and "생산" not in text


@pytest.mark.parametrize("role", ["platform", "manager", "agent", "maker"])
def test_nobody_else_sees_a_download_or_its_file(coe_org: Any, role: str) -> None:  # noqa: F811
    _more_unused(coe_org, coe_org.sales, coe_org.env_sales, 3, "앱")
    _client(coe_org.users["admin"]).get("/insights/coe/unused/?export=csv")
    download = PreparedDownload.objects.get()
    other = _client(coe_org.users[role])
    missing = other.get("/insights/downloads/999999/")
    assert missing.status_code == 404
    assert other.get(f"/insights/downloads/{download.pk}/").status_code == 404
    assert other.get(f"/insights/downloads/{download.pk}/file/").status_code == 404
    anonymous = Client().get(f"/insights/downloads/{download.pk}/file/")
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]


def test_someone_who_lost_the_right_gets_a_failed_download(coe_org: Any) -> None:  # noqa: F811
    manager = coe_org.users["manager"]
    download = PreparedDownload.objects.create(
        owner=coe_org.users["agent"],
        export="unused-solutions",
        kind="csv",
        language="ko",
        title="미사용 솔루션",
        expires_at=clock.now() + prepared.KEEP_FOR,
    )
    prepared.run(download.pk)
    download.refresh_from_db()
    assert download.status == DownloadStatus.FAILED and prepared.file_of(download) is None
    assert "더 이상" in download.error
    page = _client(coe_org.users["agent"]).get(f"/insights/downloads/{download.pk}/")
    assert page.status_code == 200 and download.error in page.content.decode()
    assert manager  # the fixture's manager untouched


def test_an_unknown_table_is_refused_in_the_service(coe_org: Any) -> None:  # noqa: F811
    from django.core.exceptions import PermissionDenied
    from django.http import QueryDict

    with pytest.raises(PermissionDenied):
        prepared.prepare(
            actor=coe_org.users["admin"], export="users-passwords", kind="csv", query=QueryDict()
        )


def test_an_interrupted_run_and_an_expired_file_say_so(coe_org: Any) -> None:  # noqa: F811
    _more_unused(coe_org, coe_org.sales, coe_org.env_sales, 3, "앱")
    client = _client(coe_org.users["admin"])
    client.get("/insights/coe/unused/?export=csv")
    ready = PreparedDownload.objects.get()
    path = prepared.file_of(ready)
    assert path is not None and path.is_file()
    stuck = PreparedDownload.objects.create(
        owner=coe_org.users["admin"],
        export="unused-solutions",
        kind="csv",
        language="ko",
        title="미사용 솔루션",
        status=DownloadStatus.RUNNING,
        updated_at=clock.now() - dt.timedelta(minutes=10),
        expires_at=clock.now() + prepared.KEEP_FOR,
    )
    page = client.get(f"/insights/downloads/{stuck.pk}/").content.decode()
    assert "중단" in page and "다시" in page
    PreparedDownload.objects.filter(pk=ready.pk).update(
        expires_at=clock.now() - dt.timedelta(minutes=1)
    )
    page = client.get(f"/insights/downloads/{ready.pk}/").content.decode()
    assert "더 이상 보관하지 않습니다" in page
    assert client.get(f"/insights/downloads/{ready.pk}/file/").status_code == 404
    assert prepared.remove_expired() == 1
    assert not path.exists() and not PreparedDownload.objects.filter(pk=ready.pk).exists()


def test_the_maker_burden_table_is_prepared_too(decision_org: Any) -> None:  # noqa: F811
    client = _client(decision_org.users["admin"])
    response = client.get("/insights/decisions/?export=csv&table=makers&maker_hours_week=3")
    assert response.status_code == 302
    download = PreparedDownload.objects.get()
    assert download.export == "decisions-makers" and download.status == DownloadStatus.READY
    text = _body(client.get(f"/insights/downloads/{download.pk}/file/")).decode("utf-8-sig")
    assert text.count("영업 핵심 앱") == 6  # each maker's solutions, as the page lists them


@pytest.mark.django_db(transaction=True)
def test_in_the_background_the_page_follows_the_run(coe_org: Any, settings: Any) -> None:  # noqa: F811
    settings.TIERDESK_DOWNLOADS_IN_BACKGROUND = True
    _more_unused(coe_org, coe_org.sales, coe_org.env_sales, 3, "앱")
    client = _client(coe_org.users["admin"])
    first = client.get("/insights/coe/unused/?export=xlsx")
    again = client.get("/insights/coe/unused/?export=xlsx")  # a second click
    assert first.status_code == again.status_code == 302
    download = PreparedDownload.objects.get(pk=int(first["Location"].split("/")[-2]))
    # wait for the run's thread, not by reading its row meanwhile: the tests' in-memory
    # SQLite shares one cache between connections, where a read of the table makes the
    # run's UPDATE fail at once ("database table is locked"; a file database waits)
    for thread in threading.enumerate():
        if thread.name == f"tierdesk-download-{download.pk}":
            thread.join(timeout=30)
    download.refresh_from_db()
    assert download.status == DownloadStatus.READY, download.error
    live = client.get(f"/insights/downloads/{download.pk}/?part=live", HTTP_HX_REQUEST="true")
    assert live.status_code == 204 and live["HX-Refresh"] == "true"
    assert client.get(f"/insights/downloads/{download.pk}/file/").status_code == 200
    assert PreparedDownload.objects.count() <= 2
