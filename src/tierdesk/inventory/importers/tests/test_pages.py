"""The import pages as an admin uses them: runs in words in both languages, durations,
warnings, interrupted runs, the upload cap, temporary files, the upload running in the
background with its page polling, and the column-mapping editor."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tierdesk.accounts.models import User
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.runs import effective_status
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.uploads import UPLOAD_PREFIX
from tierdesk.inventory.models import Solution

SAMPLES = Path(__file__).resolve().parents[5] / "tests" / "samples"
FIELD_01 = SAMPLES / "field" / "01-getadminpowerapp-owner-column" / "input"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Any) -> User:
    user = User.objects.create_superuser("root", "root@example.com", "pw", preferred_language="en")
    client.force_login(user)
    return user


def upload_files(folder: Path) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]


def leftover_uploads() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*")}


def test_a_run_reads_in_words_in_korean(client: Any, admin: User) -> None:
    admin.preferred_language = "ko"
    admin.save()
    before = leftover_uploads()
    response = client.post(
        "/inventory/imports/upload/",
        {"upload": upload_files(FIELD_01)},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 302
    assert leftover_uploads() == before  # the uploaded files are gone
    run = ImportRun.objects.get()
    assert run.status == ImportRunStatus.SUCCEEDED and run.interface == "upload"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "가져옴" in page  # status in words
    assert "추가된 솔루션" in page and "solutions_created" not in page  # counters in words
    assert "관리 PowerShell" in page  # the format's name, not its code
    assert "읽지 않은 열" in page and "apps.csv" in page  # the warnings, with their file
    assert "UTF-8" in page  # what each file looked like
    listing = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "관리 PowerShell" in listing and "powershell</td>" not in listing


def test_durations_are_written_as_durations() -> None:
    from django.utils import translation

    from tierdesk.inventory.importers.labels import duration_text

    with translation.override("en"):
        assert duration_text(340) == "340 milliseconds"
        assert duration_text(2345) == "2.3 s"
        assert duration_text(95_000) == "1 min 35 s"
    with translation.override("ko"):
        assert duration_text(95_000) == "1분 35초"


def test_a_run_whose_process_died_shows_as_interrupted(client: Any, admin: User) -> None:
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    from tierdesk.inventory.importers.runs import current_worker

    host, _pid, start = current_worker().rsplit(":", 2)
    run = ImportRun.objects.create(
        started_at=dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC),
        source="big-export.zip",
        status=ImportRunStatus.RUNNING,
        worker=f"{host}:{gone.stdout.strip()}:{start}",
    )
    assert effective_status(run) == ImportRunStatus.INTERRUPTED
    page = client.get(f"/inventory/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Interrupted" in page and "cut off" in page
    # the next import records it
    import_run_execute(paths=[FIELD_01], actor=None)
    run.refresh_from_db()
    assert run.status == ImportRunStatus.INTERRUPTED


def test_a_running_run_shows_progress_and_polls(client: Any, admin: User) -> None:
    from django.core.cache import cache

    from tierdesk.inventory.importers.runs import current_worker
    from tierdesk.inventory.importers.services import progress_key

    run = ImportRun.objects.create(
        started_at=dt.datetime.now(dt.UTC),
        source="apps.csv",
        status=ImportRunStatus.RUNNING,
        worker=current_worker(),
    )
    cache.set(
        progress_key(run.pk), {"phase": "reading", "label": "apps.csv", "done": 30, "total": 120}
    )
    page = client.get(f"/inventory/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'value="25"' in page
    live = client.get(f"/inventory/imports/{run.pk}/?part=live", HTTP_HX_REQUEST="true")
    assert live.status_code == 200 and "25%" in live.content.decode()
    run.status = ImportRunStatus.SUCCEEDED
    run.finished_at = run.started_at
    run.save()
    done = client.get(f"/inventory/imports/{run.pk}/?part=live", HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_an_upload_over_the_cap_is_refused_before_it_is_read(
    client: Any, admin: User, settings: Any
) -> None:
    settings.TIERDESK_IMPORT_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("apps.csv", b"x" * (1024 * 1024 + 10))
    before = leftover_uploads()
    response = client.post("/inventory/imports/upload/", {"upload": [big]})
    assert response.status_code == 413
    assert "1 MB" in response.content.decode() and "tierdesk import" in response.content.decode()
    big = SimpleUploadedFile("apps.csv", b"x" * (1024 * 1024 + 10))
    api = client.post("/api/v1/imports/upload/", {"files": [big]})
    assert api.status_code == 413 and "1 MB" in api.json()["detail"]
    assert not ImportRun.objects.exists()
    assert leftover_uploads() == before


def test_a_zip_that_unpacks_too_big_is_refused(client: Any, admin: User) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/usage.json", b"{}\n" * 2_000_000)  # 6 MB of zeros-ish
    upload = SimpleUploadedFile("export.zip", buffer.getvalue())
    before = leftover_uploads()
    response = client.post("/inventory/imports/upload/", {"upload": [upload]})
    assert response.status_code == 400
    assert "unpacks to more than" in response.content.decode()
    assert leftover_uploads() == before and not ImportRun.objects.exists()


def test_non_admins_cannot_import_even_through_the_service() -> None:
    from django.core.exceptions import PermissionDenied

    someone = User.objects.create_user("someone")
    with pytest.raises(PermissionDenied):
        import_run_execute(paths=[FIELD_01], actor=someone)
    assert not ImportRun.objects.exists() and not Solution.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_runs_in_the_background_and_its_page_follows_it(
    client: Any, settings: Any
) -> None:
    settings.TIERDESK_IMPORTS_IN_BACKGROUND = True
    admin = User.objects.create_superuser("root2", "root2@example.com", "pw")
    client.force_login(admin)
    before = leftover_uploads()
    response = client.post("/inventory/imports/upload/", {"upload": upload_files(FIELD_01)})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status != ImportRunStatus.RUNNING:
            break
        time.sleep(0.1)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert Solution.objects.count() == 2
    deadline = time.monotonic() + 5
    while leftover_uploads() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftover_uploads() == before


# --------------------------------------------------------------- column mappings


def test_an_admin_builds_a_mapping_from_a_sample_and_imports_with_it(
    client: Any, admin: User
) -> None:
    sample = SAMPLES / "generic" / "solutions.csv"
    assert client.get("/inventory/imports/mappings/").status_code == 200
    form = client.get("/inventory/imports/mappings/new/?table=app")
    assert form.status_code == 200 and "column-env" in form.content.decode()
    read = client.post(
        "/inventory/imports/mappings/new/",
        {
            "name": "contoso-register",
            "table": "app",
            "sample": SimpleUploadedFile("solutions.csv", sample.read_bytes()),
        },
    )
    page = read.content.decode()
    assert read.status_code == 200 and "Solution ID" in page and 'list="headings"' in page
    saved = client.post(
        "/inventory/imports/mappings/new/",
        {
            "name": "contoso-register",
            "table": "app",
            "column-id": "Solution ID",
            "column-env": "Environment",
            "column-name": "Title",
            "column-kind": "Type",
            "column-owner": "Owner e-mail",
            "column-declared_tier": "Business impact",
            "values-kind": "App = canvas_app\nModel app = model_driven_app\nFlow = cloud_flow",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    mapping = ColumnMapping.objects.get(name="contoso-register")
    assert mapping.columns["env"] == "Environment"
    assert mapping.values["kind"]["Model app"] == "model_driven_app"
    import_run_execute(paths=[SAMPLES / "coe" / "admin_environment.csv"], actor=admin)
    result = import_run_execute(paths=[sample], actor=admin, mapping=mapping)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert Solution.objects.filter(kind="model_driven_app").count() == 1
    bad = client.post(
        f"/inventory/imports/mappings/{mapping.pk}/",
        {
            "name": "contoso-register",
            "table": "app",
            "column-id": "Solution ID",
            "column-env": "Environment",
            "column-name": "Title",
            "values-kind": "App = app",
        },
    )
    assert bad.status_code == 400 and "canvas_app" in bad.content.decode()
    deleted = client.post(f"/inventory/imports/mappings/{mapping.pk}/delete/")
    assert deleted.status_code == 302 and not ColumnMapping.objects.exists()


def test_a_mapping_needs_a_column_for_each_required_field(client: Any, admin: User) -> None:
    response = client.post(
        "/inventory/imports/mappings/new/",
        {"name": "half", "table": "app", "column-id": "ID"},
    )
    assert response.status_code == 400
    assert "env" in response.content.decode() and not ColumnMapping.objects.exists()


def test_mapping_pages_refuse_non_admins(client: Any) -> None:
    client.force_login(User.objects.create_user("someone", password="pw"))
    assert client.get("/inventory/imports/mappings/").status_code == 403
    assert client.get("/inventory/imports/mappings/new/").status_code == 403
    assert client.post("/inventory/imports/mappings/new/", {}).status_code == 403
