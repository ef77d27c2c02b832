"""The live sync from the tenant against a real local HTTPS server that replays recorded
admin API pages (`replay.py`): MSAL gets its tokens from it, pages are linked by
nextLink, one page is throttled (429 + Retry-After) and one token expires mid-way."""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation

from tierdesk.accounts.models import User
from tierdesk.common.daily import daily_jobs
from tierdesk.inventory.importers.models import ImportRun, ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.sync import sync_daily, sync_execute
from tierdesk.inventory.importers.tests.replay import SAMPLES, Replay, start
from tierdesk.inventory.models import Environment, EnvironmentRole, Solution
from tierdesk.notify.models import Notification

pytestmark = pytest.mark.django_db

TENANT = "4b1e9c2a-7d3f-4e8a-9b6c-0f1e2d3c4b5a"
CLIENT = "9f8e7d6c-5b4a-4392-8170-6a5b4c3d2e1f"
SECRET = "replay-secret"
DEFAULT = f"Default-{TENANT}"
APPS = f"/providers/Microsoft.PowerApps/scopes/admin/environments/{DEFAULT}/apps"
FLOWS = f"/providers/Microsoft.ProcessSimple/scopes/admin/environments/{DEFAULT}/v2/flows"
SALES = "6a0e2c1d-93b4-4f2e-8c55-0b7d3a9e1f20"  # has a Dataverse database
ROLES = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{}/roleAssignments"


@pytest.fixture
def replay(tmp_path: Path, settings: Any) -> Iterator[Replay]:
    server_state = Replay(tenant=TENANT, client_id=CLIENT, client_secret=SECRET)
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
    yield server_state
    server.shutdown()
    server.server_close()


def inventory() -> dict[str, Any]:
    """Environments, solutions (with maker, connectors and co-owners) and people,
    comparable."""
    envs = {e.platform_id: (e.name, e.type) for e in Environment.objects.all()}
    sols = {
        s.platform_id: {
            "env": s.environment.platform_id,
            "kind": s.kind,
            "name": s.name,
            "created": s.platform_created_at,
            "maker": (s.maker.external_id, s.maker.upn) if s.maker else None,
            "connectors": sorted(s.connectors.values_list("platform_id", flat=True)),
            "co_owners": sorted(s.owners.values_list("user__upn", "user__external_id")),
        }
        for s in Solution.objects.select_related("environment", "maker")
    }
    people = sorted(User.objects.values_list("username", "upn", "external_id", "display_name"))
    roles = sorted(
        EnvironmentRole.objects.values_list("environment__platform_id", "user__upn", "role")
    )
    return {"environments": envs, "solutions": sols, "people": people, "roles": roles}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the run log and the outbox."""
    skip = {ImportRun._meta.db_table}
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table in skip or model._meta.app_label == "notify":
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        tables[model._meta.db_table] = sorted(
            model._default_manager.order_by().values_list(*fields), key=repr
        )
    return tables


def page_files(tmp_path: Path) -> Path:
    """The recorded pages with something in them, as files (the sync skips empty pages
    too: a file holding `{"value": []}` says nothing a format could be told by)."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in SAMPLES.glob("*-*.json"):
        if json.loads(page.read_text(encoding="utf-8"))["value"]:
            shutil.copy(page, folder / page.name)
    return folder


def test_sync_imports_what_the_same_pages_import_as_files_through_429_and_expiry(
    replay: Replay, tmp_path: Path
) -> None:
    # The same pages imported as files (then undone), for comparison.
    mark = transaction.savepoint()
    by_file = import_run_execute(paths=[page_files(tmp_path)], actor=None)
    assert by_file.status == ImportRunStatus.SUCCEEDED, by_file.errors
    from_files = inventory()
    transaction.savepoint_rollback(mark)
    assert not Solution.objects.exists()
    assert len(from_files["solutions"]) == 4 and len(from_files["environments"]) == 2
    # the permissions pages: Owner and CanEdit people are co-owners (the maker is the
    # maker, not also a co-owner); groups, the tenant and CanView only share
    joon = ("joon.lim@fabrikam.example", "11111111-2222-4333-8444-555555555502")
    minji = ("minji.kang@fabrikam.example", "11111111-2222-4333-8444-555555555503")
    co_owners = {pid: sol["co_owners"] for pid, sol in from_files["solutions"].items()}
    assert co_owners == {
        "a1a1a1a1-0000-4000-8000-000000000001": [joon],
        "a1a1a1a1-0000-4000-8000-000000000002": [minji],
        "a1a1a1a1-0000-4000-8000-000000000003": [],
        "f1f1f1f1-0000-4000-8000-000000000001": [joon],
    }
    # the environment roles: people only (the group and the tenant hold no grant rows)
    assert from_files["roles"] == [
        (DEFAULT.lower(), "hana.seo@fabrikam.example", "environment_admin"),
        (DEFAULT.lower(), "joon.lim@fabrikam.example", "environment_maker"),
    ]

    replay.throttle.add(f"{APPS}|apps2")  # page 2 of the default environment's apps
    replay.expire.add(f"{FLOWS}|")  # the flows token expires on its first use
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    run = sync_execute(actor=None, sleep=sleep)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert run.source == "sync" and run.format == "admin_api" and run.interface == "cli"
    assert inventory() == from_files
    assert waits == [1.0]  # Retry-After honoured
    assert run.counts["sync_retries"] == 1 and run.counts["sync_tokens_renewed"] == 1
    assert run.counts["solutions_created"] == 4
    assert run.counts["owners_changed"] == 3
    assert {w["code"] for w in run.warnings} <= {"unread_columns"}, run.warnings
    statuses = [(path, status) for _m, path, status in replay.log]
    assert (APPS, 429) in statuses and (FLOWS, 401) in statuses
    scopes = [scope for _t, scope in replay.tokens_issued]
    assert scopes.count("https://service.flow.microsoft.com/.default") == 2  # renewed once
    assert scopes.count("https://service.powerapps.com/.default") == 1  # cached by MSAL
    # every page was read, page 2 of each paged list included
    assert sum(1 for path, status in statuses if status == 200 and path.endswith("/apps")) == 3
    permissions = [path for path, status in statuses if status == 200 and "/permissions" in path]
    assert len(permissions) == 5  # 3 apps (one with 2 pages) and 1 flow
    # environment roles: both pages of the environment without Dataverse; the one with a
    # Dataverse database is not asked (the route answers Forbidden there)
    assert [s for p, s in statuses if p == ROLES.format(DEFAULT)] == [200, 200]
    assert not [p for p, _s in statuses if p == ROLES.format(SALES)]
    assert ImportRun.objects.get(pk=run.pk).status == ImportRunStatus.SUCCEEDED

    before = snapshot()
    again = sync_execute(actor=None)
    assert again.status == ImportRunStatus.SUCCEEDED, again.errors
    assert snapshot() == before  # a second sync changes nothing
    assert again.counts.get("solutions_created", 0) == 0
    assert again.counts.get("solutions_updated", 0) == 0
    assert ImportRun.objects.filter(source="sync").count() == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_api_fails_clearly_writes_nothing_and_tells_the_admins(
    replay: Replay, settings: Any
) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    User.objects.create_superuser("mute", "", "pw")  # no address: no mail
    settings.TIERDESK_SYNC_API_BASE = f"https://127.0.0.1:{_closed_port()}"
    settings.TIERDESK_SYNC_MAX_RETRIES = 0
    before = snapshot()
    with translation.override("ko"):  # a scheduled sync records in the site's language
        run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.REJECTED
    assert run.error_count == 1
    assert "관리 API에 연결할 수 없습니다" in run.errors[0]["expected"]  # Korean first
    assert snapshot() == before
    notice = Notification.objects.get()
    assert notice.recipient == admin and notice.key == f"inventory-sync:{run.pk}:{admin.pk}:email"
    assert f"/inventory/imports/{run.pk}/" in notice.body
    assert ImportRun.objects.get(pk=run.pk).status == ImportRunStatus.REJECTED


def test_a_wrong_secret_says_so(replay: Replay, settings: Any) -> None:
    settings.TIERDESK_SYNC_CLIENT_SECRET = "wrong"
    run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.REJECTED
    assert "Invalid client secret" in run.errors[0]["expected"]
    assert not Environment.objects.exists()


def test_a_page_that_stays_throttled_fails_after_the_bounded_retries(
    replay: Replay, settings: Any
) -> None:
    settings.TIERDESK_SYNC_MAX_RETRIES = 0
    replay.throttle.add(f"{APPS}|")
    with translation.override("ko"):
        run = sync_execute(actor=None, sleep=lambda s: None)
    assert run.status == ImportRunStatus.REJECTED
    assert "요청 제한에 걸렸습니다" in run.errors[0]["expected"]
    assert not Environment.objects.exists()  # environments were read, nothing written


def test_the_command_syncs_and_reports(replay: Replay, capsys: Any) -> None:
    call_command("sync", "--language", "en")
    out = capsys.readouterr().out
    assert "status: Imported" in out and "Admin API requests (live sync)" in out
    assert Solution.objects.count() == 4


def test_the_command_says_when_the_sync_is_not_configured(settings: Any) -> None:
    settings.TIERDESK_SYNC_TENANT_ID = ""
    with pytest.raises(CommandError, match="not configured"):
        call_command("sync", "--language", "en")
    assert sync_daily() == "not configured"
    assert "inventory-sync" in [job.name for job in daily_jobs()]


def test_the_daily_job_syncs_when_configured(replay: Replay) -> None:
    assert sync_daily().endswith("succeeded")
    assert ImportRun.objects.get().interface == "schedule"


def test_sync_now_on_the_imports_page(replay: Replay, client: Any, settings: Any) -> None:
    settings.TIERDESK_IMPORTS_IN_BACKGROUND = False
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'action="/inventory/imports/sync/"' in page
    response = client.post("/inventory/imports/sync/")
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == f"/inventory/imports/{run.pk}/"
    assert run.status == ImportRunStatus.SUCCEEDED and run.actor == admin
    assert run.interface == "web"
    listing = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Live sync from the tenant" in listing


def test_sync_now_is_for_admins_only(replay: Replay, client: Any) -> None:
    someone = User.objects.create_user("maker", "maker@example.com", "pw")
    client.force_login(someone)
    assert client.post("/inventory/imports/sync/").status_code == 403
    assert not ImportRun.objects.exists()


def test_sync_now_without_configuration_says_so(client: Any, settings: Any) -> None:
    settings.TIERDESK_SYNC_TENANT_ID = ""
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get("/inventory/imports/").content.decode()
    assert 'action="/inventory/imports/sync/"' not in page  # no button
    response = client.post("/inventory/imports/sync/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "the sync is not configured" in response.content.decode()
    run = ImportRun.objects.get()
    assert run.status == ImportRunStatus.REJECTED and run.source == "sync"
    assert not Notification.objects.exists()  # who clicked reads it on the page


def test_the_pages_speak_korean_and_show_the_fetching_progress(
    replay: Replay, client: Any, settings: Any
) -> None:
    from django.core.cache import cache

    from tierdesk.inventory.importers.services import progress_key
    from tierdesk.inventory.importers.sync import sync_begin

    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    admin.preferred_language = "ko"
    admin.save()
    client.force_login(admin)
    page = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "지금 동기화" in page
    run = sync_begin(actor=admin, interface="web")
    cache.set(progress_key(run.pk), {"phase": "fetching", "label": "pages", "done": 3})
    live = client.get(
        f"/inventory/imports/{run.pk}/?part=live", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "테넌트의 관리 API를 읽는 중 — 지금까지 3페이지" in live
    detail = client.get(f"/inventory/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "테넌트 실시간 동기화" in detail


def test_a_co_owner_removed_in_the_tenant_is_removed_at_the_next_sync(
    replay: Replay, tmp_path: Path
) -> None:
    run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    leave = Solution.objects.get(platform_id="a1a1a1a1-0000-4000-8000-000000000002")
    assert list(leave.owners.values_list("user__upn", flat=True)) == ["minji.kang@fabrikam.example"]
    # the tenant now: minji no longer may edit the app (her CanEdit grant is gone)
    changed = tmp_path / "samples"
    shutil.copytree(SAMPLES, changed)
    page = changed / "app-permissions-leave-1.json"
    data = json.loads(page.read_text(encoding="utf-8"))
    data["value"] = [p for p in data["value"] if p["properties"]["roleName"] != "CanEdit"]
    page.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    replay.samples = changed
    again = sync_execute(actor=None)
    assert again.status == ImportRunStatus.SUCCEEDED, again.errors
    assert again.counts["owners_changed"] == 1
    assert not leave.owners.exists()
    assert User.objects.filter(upn="minji.kang@fabrikam.example").exists()  # still a person


def test_an_app_deleted_while_the_sync_reads_it_does_not_fail_the_sync(
    replay: Replay, tmp_path: Path
) -> None:
    # the permissions route of one app answers 404 (the app went after the list was read)
    changed = tmp_path / "samples"
    shutil.copytree(SAMPLES, changed)
    routes = json.loads((changed / "routes.json").read_text(encoding="utf-8"))
    routes["pages"] = [p for p in routes["pages"] if p["file"] != "app-permissions-sales-1.json"]
    (changed / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    replay.samples = changed
    run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert run.counts["sync_gone"] == 1
    assert Solution.objects.count() == 4
    assert (
        "/providers/Microsoft.PowerApps/scopes/admin/environments/"
        "6a0e2c1d-93b4-4f2e-8c55-0b7d3a9e1f20/apps/a1a1a1a1-0000-4000-8000-000000000003/"
        "permissions",
        404,
    ) in [(path, status) for _m, path, status in replay.log]


def test_an_environment_role_removed_in_the_tenant_is_removed_at_the_next_sync(
    replay: Replay, tmp_path: Path
) -> None:
    replay.throttle.add(f"{ROLES.format(DEFAULT)}|roles2")  # its page 2 throttled once
    run = sync_execute(actor=None, sleep=lambda s: None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert run.counts["sync_retries"] == 1
    held = EnvironmentRole.objects.filter(environment__platform_id__iexact=DEFAULT)
    assert sorted(held.values_list("user__upn", "role", "source")) == [
        ("hana.seo@fabrikam.example", "environment_admin", "admin_api"),
        ("joon.lim@fabrikam.example", "environment_maker", "admin_api"),
    ]
    # the tenant now: joon is no longer an Environment Maker there
    changed = tmp_path / "samples"
    shutil.copytree(SAMPLES, changed)
    page = changed / "environment-roles-default-2.json"
    data = json.loads(page.read_text(encoding="utf-8"))
    data["value"] = [r for r in data["value"] if r["properties"]["principal"]["type"] != "User"]
    page.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    replay.samples = changed
    again = sync_execute(actor=None)
    assert again.status == ImportRunStatus.SUCCEEDED, again.errors
    assert sorted(held.values_list("user__upn", "role")) == [
        ("hana.seo@fabrikam.example", "environment_admin")
    ]
    assert User.objects.filter(upn="joon.lim@fabrikam.example").exists()  # still a person
