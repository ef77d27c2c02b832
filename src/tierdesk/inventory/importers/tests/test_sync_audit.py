"""App launches through the live sync, from the Office 365 Management Activity API, against
the replay server (`replay.py`; recorded-shape answers in tests/samples/sync/audit/): the
subscription is started (and "already enabled" is fine), the content listing is paged by
NextPageUri, one page is throttled once, two content blobs are read, and only
LaunchPowerApp records count, each record once."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.inventory.importers.audit import audit_start, windows
from tierdesk.inventory.importers.models import ImportRun, ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.sync import sync_execute
from tierdesk.inventory.importers.tests.replay import SAMPLES, Replay, start
from tierdesk.inventory.importers.tests.test_sync import (
    CLIENT,
    SECRET,
    TENANT,
    page_files,
    snapshot,
)
from tierdesk.inventory.models import Solution, UsageFact
from tierdesk.notify.models import Notification

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 11, 10, 30, tzinfo=dt.UTC)
FEED = f"/api/v1.0/{TENANT}/activity/feed"
CONTENT = f"{FEED}/subscriptions/content"
A1 = "a1a1a1a1-0000-4000-8000-000000000001"
A3 = "a1a1a1a1-0000-4000-8000-000000000003"


@pytest.fixture
def replay(tmp_path: Path, settings: Any) -> Iterator[Replay]:
    server_state = Replay(tenant=TENANT, client_id=CLIENT, client_secret=SECRET, now=NOW)
    server, ca = start(server_state, tmp_path)
    settings.TIERDESK_SYNC_TENANT_ID = TENANT
    settings.TIERDESK_SYNC_CLIENT_ID = CLIENT
    settings.TIERDESK_SYNC_CLIENT_SECRET = SECRET
    settings.TIERDESK_SYNC_CERTIFICATE_PATH = ""
    settings.TIERDESK_SYNC_AUTHORITY = server_state.base
    settings.TIERDESK_SYNC_API_BASE = server_state.base
    settings.TIERDESK_SYNC_CA_BUNDLE = str(ca)
    settings.TIERDESK_SYNC_MAX_RETRIES = 3
    settings.TIERDESK_SYNC_MAX_WAIT_SECONDS = 5
    settings.TIERDESK_SYNC_TIMEOUT_SECONDS = 10
    settings.TIERDESK_SYNC_AUDIT_LOG = True
    yield server_state
    server.shutdown()
    server.server_close()


def launches() -> dict[tuple[str, dt.date], tuple[Any, ...]]:
    """Daily app usage, whatever the source: (app, day) → users, launches, last launch."""
    return {
        (f.solution.platform_id, f.date): (f.unique_users, f.sessions, f.last_used_at)
        for f in UsageFact.objects.filter(sessions__isnull=False).select_related("solution")
    }


def test_sync_imports_the_launches_a_coe_audit_log_file_imports_and_only_once(
    replay: Replay, tmp_path: Path
) -> None:
    # The same launches as the CoE kit's audit log table would hold them, imported as a
    # file after the same inventory pages (then undone), for comparison.
    with clock.frozen(NOW):
        mark = transaction.savepoint()
        pages = import_run_execute(paths=[page_files(tmp_path)], actor=None)
        assert pages.status == ImportRunStatus.SUCCEEDED, pages.errors
        coe_folder = tmp_path / "coe"
        coe_folder.mkdir()
        shutil.copy(SAMPLES / "audit" / "coe-admin_auditlog.json", coe_folder)
        by_file = import_run_execute(paths=[coe_folder], actor=None)
        assert by_file.status == ImportRunStatus.SUCCEEDED, by_file.errors
        assert by_file.format == "coe"
        from_file = launches()
        transaction.savepoint_rollback(mark)
    assert not UsageFact.objects.exists()
    day = dt.date(2026, 3, 10)
    assert from_file == {
        (A1, day): (2, 3, dt.datetime(2026, 3, 10, 20, 35, tzinfo=dt.UTC)),
        (A3, day): (1, 1, dt.datetime(2026, 3, 10, 20, 31, 5, tzinfo=dt.UTC)),
    }

    replay.throttle.add(f"{CONTENT}|1")  # the listing's second page (NextPageUri), once
    waits: list[float] = []
    with clock.frozen(NOW):
        run = sync_execute(actor=None, sleep=waits.append)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert launches() == from_file
    assert waits == [1.0]  # Retry-After honoured
    assert run.counts["sync_retries"] == 1
    # blob 1 (7 records) and blob 2 (3, one of them a record of blob 1 again) were read;
    # the blob made available before the first day read was not asked for
    assert run.counts["sync_audit_records"] == 10
    assert run.counts["sync_audit_launches"] == 4  # LaunchPowerApp, once each, in the days
    assert run.counts["sync_audit_other_apps"] == 1  # an app the tenant no longer lists
    assert {w["code"] for w in run.warnings} <= {"unread_columns"}, run.warnings
    statuses = [(method, path, status) for method, path, status in replay.log]
    assert ("POST", f"{FEED}/subscriptions/start", 200) in statuses
    blobs = [p for m, p, s in statuses if p.startswith(f"{FEED}/audit/") and s == 200]
    assert len(blobs) == 2 and not [p for p in blobs if "20260309" in p]
    # whole days from yesterday's midnight, in windows of at most 24 hours
    assert replay.audit_windows[0] == ("2026-03-10T00:00:00+00:00", "2026-03-11T00:00:00+00:00")
    assert replay.audit_windows[-1] == ("2026-03-11T00:00:00+00:00", "2026-03-11T10:30:00+00:00")
    assert [s for _m, p, s in statuses if p == CONTENT].count(429) == 1
    scopes = [scope for _t, scope in replay.tokens_issued]
    assert scopes.count("https://manage.office.com/.default") == 1  # a second audience

    # Two hours later: the same days are read again (the subscription is already on),
    # the same records found, nothing changes.
    before = snapshot()
    replay.now = NOW + dt.timedelta(hours=2)
    with clock.frozen(NOW + dt.timedelta(hours=2)):
        again = sync_execute(actor=None)
    assert again.status == ImportRunStatus.SUCCEEDED, again.errors
    assert ("POST", f"{FEED}/subscriptions/start", 400) in [(m, p, s) for m, p, s in replay.log]
    assert again.counts["sync_audit_launches"] == 4
    assert snapshot() == before
    assert replay.audit_windows[-2][0] == "2026-03-10T00:00:00+00:00"


def test_without_activity_feed_read_the_inventory_imports_with_a_warning(
    replay: Replay,
) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    replay.activity_denied = True
    with clock.frozen(NOW):
        run = sync_execute(actor=None, sleep=lambda s: None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert Solution.objects.count() == 4  # apps and flows imported
    assert not UsageFact.objects.filter(sessions__isnull=False).exists()
    (warning,) = [w for w in run.warnings if w["code"] == "audit_log"]
    assert "ActivityFeed.Read" in warning["message"] and "AF10001" in warning["message"]
    assert "sync_audit_records" not in run.counts
    assert ImportRun.objects.get(pk=run.pk).warning_count == run.warning_count
    notice = Notification.objects.get()
    assert notice.recipient == admin and "ActivityFeed.Read" in notice.body


def test_turned_off_the_sync_does_not_ask_the_management_api(replay: Replay, settings: Any) -> None:
    settings.TIERDESK_SYNC_AUDIT_LOG = False
    with clock.frozen(NOW):
        run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert not [p for _m, p, _s in replay.log if p.startswith("/api/v1.0/")]
    assert "sync_audit_records" not in run.counts


def test_the_days_read() -> None:
    # the first sync: from yesterday's midnight (UTC)
    assert audit_start(NOW, None) == dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    # later: from the midnight of 24 hours before the last sync's start
    last = dt.datetime(2026, 3, 13, 1, 0, tzinfo=dt.UTC)
    assert audit_start(last + dt.timedelta(days=1), last) == dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    # never before the first whole day of the 7 the API keeps
    long_ago = NOW - dt.timedelta(days=30)
    assert audit_start(NOW, long_ago) == dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    assert windows(dt.datetime(2026, 3, 10, tzinfo=dt.UTC), NOW) == [
        (dt.datetime(2026, 3, 10, tzinfo=dt.UTC), dt.datetime(2026, 3, 11, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 11, tzinfo=dt.UTC), NOW),
    ]
