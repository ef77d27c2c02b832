# ruff: noqa: F811 - `replay` is the fixture of test_sync, imported, then used as arguments
"""The delegated connection to the Power Platform inventory API (agents) against the replay
server playing Entra ID (authorize, code + PKCE, refresh) and the inventory API: connect,
the encrypted token cache, a sync that reads agents through paging and a 429 and imports
what the same answers import as files, a refused refresh token (the apps still import, the
run says "reconnect"), disconnect, and who may."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import transaction
from django.test import Client

from tierdesk.accounts.models import User
from tierdesk.inventory.choices import SolutionKind
from tierdesk.inventory.importers.delegated import unseal
from tierdesk.inventory.importers.models import (
    ImportRun,
    ImportRunStatus,
    InventoryApiConnection,
)
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.sync import sync_execute
from tierdesk.inventory.importers.tests.replay import SAMPLES, Replay
from tierdesk.inventory.importers.tests.test_sync import (  # noqa: F401 - the fixture
    inventory,
    page_files,
    replay,
    snapshot,
)
from tierdesk.inventory.models import Solution
from tierdesk.notify.models import Notification

pytestmark = pytest.mark.django_db

QUERY = "/resourcequery/resources/query"
AGENTS = {
    "c0c0c0c0-0000-4000-8000-0000000000a1",
    "c0c0c0c0-0000-4000-8000-0000000000a2",
    "c0c0c0c0-0000-4000-8000-0000000000a3",
}


def connect(client: Client, replay: Replay, ca: str) -> requests.Response:
    """Click "Connect the inventory API", follow tierdesk's redirect to the replay server's
    authorize endpoint, and come back to tierdesk's callback with what it answers."""
    response = client.post("/inventory/imports/inventory-api/connect/")
    assert response.status_code == 302, response.content[:300]
    authorize = response["Location"]
    assert authorize.startswith(f"{replay.base}/{replay.tenant}/oauth2/v2.0/authorize?")
    entra = requests.get(authorize, allow_redirects=False, verify=ca, timeout=10)
    assert entra.status_code == 302, entra.text
    back = urllib.parse.urlsplit(entra.headers["Location"])
    assert f"{back.scheme}://{back.netloc}" == "http://127.0.0.1:8000"  # TIERDESK_BASE_URL
    assert back.path == "/inventory/imports/inventory-api/callback/"
    done = client.get(f"{back.path}?{back.query}", HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 302 and done["Location"] == "/inventory/imports/"
    return entra


@pytest.fixture
def admin(client: Client) -> User:
    user = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return user


def test_an_admin_connects_through_entra_and_the_tokens_are_kept_encrypted(
    replay: Replay, client: Client, admin: User, settings: Any
) -> None:
    page = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'action="/inventory/imports/inventory-api/connect/"' in page
    assert "Connect the inventory API" in page
    korean = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "인벤토리 API 연결" in korean and "서비스 계정 권장" in korean
    connect(client, replay, settings.TIERDESK_SYNC_CA_BUNDLE)
    # what tierdesk asked Entra: a code, PKCE (S256), the Power Platform API and a refresh
    # token, back to the callback on TIERDESK_BASE_URL
    (asked,) = [q for q in replay.log if q[1].endswith("/authorize")]
    assert asked[2] == 302
    assert replay.grants == ["authorization_code"]
    row = InventoryApiConnection.objects.get()
    assert row.connected_by == admin and row.account_upn == replay.user_upn
    stored = bytes(row.token_cache)
    (refresh,) = replay.refresh_tokens
    assert refresh.encode() not in stored and b"dtok-" not in stored  # encrypted at rest
    assert b"refresh_token" not in stored.lower() and b"RefreshToken" not in stored
    cache = json.loads(unseal(stored))
    assert [t["secret"] for t in cache["RefreshToken"].values()] == [refresh]
    page = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Connected as {replay.user_upn}" in page
    assert refresh not in page and "dtok-" not in page  # never shown
    assert 'action="/inventory/imports/inventory-api/disconnect/"' in page
    # another key (SECRET_KEY changed, no TOKEN_KEY): the cache cannot be read
    settings.TIERDESK_SYNC_TOKEN_KEY = "another key"
    with pytest.raises(Exception, match="reconnect the inventory API"):
        unseal(stored)


def test_an_answer_with_another_state_connects_nothing(
    replay: Replay, client: Client, admin: User, settings: Any
) -> None:
    response = client.post("/inventory/imports/inventory-api/connect/")
    entra = requests.get(
        response["Location"],
        allow_redirects=False,
        verify=settings.TIERDESK_SYNC_CA_BUNDLE,
        timeout=10,
    )
    back = urllib.parse.urlsplit(entra.headers["Location"])
    answer = dict(urllib.parse.parse_qsl(back.query))
    answer["state"] = "forged"
    done = client.get(back.path, answer, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "The inventory API was not connected" in done.content.decode()
    assert not InventoryApiConnection.objects.exists()
    assert "authorization_code" not in replay.grants  # the code was never redeemed
    # the flow is used once: the right answer afterwards finds no sign-in started
    again = client.get(f"{back.path}?{back.query}", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "no sign-in was started" in again.content.decode()
    assert not InventoryApiConnection.objects.exists()


def _agents_as_files(tmp_path: Path) -> Path:
    folder = tmp_path / "agents"
    folder.mkdir()
    for page in (SAMPLES / "inventory").glob("agents-*.json"):
        shutil.copy(page, folder / page.name)
    return folder


def test_a_sync_reads_agents_like_importing_the_same_answers_through_paging_and_a_429(
    replay: Replay, client: Client, admin: User, settings: Any, tmp_path: Path
) -> None:
    # the admin API pages, then the inventory API's answers, imported as files (undone)
    mark = transaction.savepoint()
    pages = import_run_execute(paths=[page_files(tmp_path)], actor=None)
    assert pages.status == ImportRunStatus.SUCCEEDED, pages.errors
    agents = import_run_execute(paths=[_agents_as_files(tmp_path)], actor=None)
    assert agents.status == ImportRunStatus.SUCCEEDED, agents.errors
    assert agents.format == "inventory_query"
    from_files = inventory()
    transaction.savepoint_rollback(mark)
    assert not Solution.objects.exists()
    bots = {k: v for k, v in from_files["solutions"].items() if v["kind"] == SolutionKind.CHATBOT}
    assert set(bots) == AGENTS
    assert bots["c0c0c0c0-0000-4000-8000-0000000000a1"]["maker"] == (
        "11111111-2222-4333-8444-555555555502",
        "joon.lim@fabrikam.example",
    )

    connect(client, replay, settings.TIERDESK_SYNC_CA_BUNDLE)
    replay.throttle_queries.add("agents2")  # page 2 of the agents throttled once
    waits: list[float] = []
    run = sync_execute(actor=None, sleep=waits.append)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    synced = inventory()
    for key in from_files:
        if isinstance(from_files[key], dict):
            for k in sorted(set(from_files[key]) | set(synced[key])):
                assert synced[key].get(k) == from_files[key].get(k), (key, k)
        assert synced[key] == from_files[key], key
    assert waits == [1.0]
    assert run.counts["sync_inventory_requests"] == 3 and run.counts["sync_retries"] == 1
    assert run.counts["solutions_created"] == 4 + 3
    assert {w["code"] for w in run.warnings} <= {"unread_columns"}, run.warnings
    # the query: PowerPlatformResources, agents only, paged by the answer's skipToken
    assert [q["Options"].get("SkipToken") for q in replay.queries] == [None, "agents2", "agents2"]
    where = replay.queries[0]["Clauses"][0]
    assert where == {
        "$type": "where",
        "FieldName": "type",
        "Operator": "in~",
        "Values": ["'microsoft.copilotstudio/agents'"],
    }
    # app-only tokens: Power Apps, Power Automate and the Office 365 Management API (launches)
    assert replay.grants == ["authorization_code"] + ["client_credentials"] * 3

    before = snapshot()
    again = sync_execute(actor=None)
    assert again.status == ImportRunStatus.SUCCEEDED, again.errors
    assert snapshot() == before  # a second sync changes nothing
    assert again.counts.get("solutions_created", 0) == 0
    assert again.counts.get("solutions_updated", 0) == 0


def test_an_expired_access_token_is_renewed_with_the_refresh_token_and_stored_again(
    replay: Replay, client: Client, admin: User, settings: Any
) -> None:
    replay.access_lifetime = 60  # MSAL does not use a token that ends within 5 minutes
    connect(client, replay, settings.TIERDESK_SYNC_CA_BUNDLE)
    stored = bytes(InventoryApiConnection.objects.get().token_cache)
    run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert "refresh_token" in replay.grants
    assert Solution.objects.filter(kind=SolutionKind.CHATBOT).count() == 3
    renewed = bytes(InventoryApiConnection.objects.get().token_cache)
    assert renewed != stored  # the rotated refresh token is kept (encrypted)
    newest = max(replay.refresh_tokens, key=lambda t: int(t.split("-")[1]))
    assert newest.encode() not in renewed and newest in unseal(renewed)


def test_a_refused_refresh_token_says_reconnect_and_the_apps_still_import(
    replay: Replay, client: Client, admin: User, settings: Any, tmp_path: Path
) -> None:
    replay.access_lifetime = 60
    connect(client, replay, settings.TIERDESK_SYNC_CA_BUNDLE)
    first = sync_execute(actor=None)
    assert first.status == ImportRunStatus.SUCCEEDED, first.errors
    assert Solution.objects.filter(kind=SolutionKind.CHATBOT, is_deleted=False).count() == 3
    replay.revoked |= replay.refresh_tokens  # the admin's sessions were revoked in Entra
    Notification.objects.all().delete()
    # the tenant has one app more since: it still arrives
    changed = tmp_path / "samples"
    shutil.copytree(SAMPLES, changed)
    apps = changed / "apps-sales-1.json"
    data = json.loads(apps.read_text(encoding="utf-8"))
    extra = json.loads(json.dumps(data["value"][0]))
    extra["name"] = "a1a1a1a1-0000-4000-8000-0000000000ff"
    extra["properties"]["displayName"] = "New since"
    data["value"].append(extra)
    apps.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    replay.samples = changed
    run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert Solution.objects.filter(platform_id="a1a1a1a1-0000-4000-8000-0000000000ff").exists()
    # agents were not read: they stay as they were (not marked deleted)
    assert Solution.objects.filter(kind=SolutionKind.CHATBOT, is_deleted=False).count() == 3
    (warning,) = [w for w in run.warnings if w["code"] == "inventory_api"]
    assert "reconnect the inventory API" in warning["message"]
    assert "AADSTS50173" in warning["message"]
    assert "sync_inventory_requests" not in run.counts
    notice = Notification.objects.get()
    assert notice.recipient == admin
    # in the admin's language (Korean first); the reason as the run recorded it
    assert notice.subject == "테넌트 인벤토리 동기화에 확인이 필요합니다"
    assert "가져오기를 마쳤지만" in notice.body and "reconnect the inventory API" in notice.body
    detail = client.get(f"/inventory/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Agents not read (inventory API)" in detail.content.decode()
    assert ImportRun.objects.get(pk=run.pk).warning_count == run.warning_count


def test_without_a_connection_the_sync_does_not_ask_the_inventory_api(replay: Replay) -> None:
    run = sync_execute(actor=None)
    assert run.status == ImportRunStatus.SUCCEEDED, run.errors
    assert not replay.queries and not [p for _m, p, _s in replay.log if p == QUERY]
    assert not Solution.objects.filter(kind=SolutionKind.CHATBOT).exists()
    assert "sync_inventory_requests" not in run.counts


def test_disconnect_removes_the_connection_and_its_tokens(
    replay: Replay, client: Client, admin: User, settings: Any
) -> None:
    connect(client, replay, settings.TIERDESK_SYNC_CA_BUNDLE)
    response = client.post("/inventory/imports/inventory-api/disconnect/", follow=True)
    assert response.status_code == 200
    assert not InventoryApiConnection.objects.exists()
    page = client.get("/inventory/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Connect the inventory API" in page
    sync_execute(actor=None)
    assert not replay.queries


def test_only_admins_connect_or_disconnect(replay: Replay, client: Client, settings: Any) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    connect(client, replay, settings.TIERDESK_SYNC_CA_BUNDLE)
    maker = User.objects.create_user("maker", "maker@example.com", "pw")
    other = Client()
    other.force_login(maker)
    assert other.post("/inventory/imports/inventory-api/connect/").status_code == 403
    assert other.post("/inventory/imports/inventory-api/disconnect/").status_code == 403
    assert other.get("/inventory/imports/inventory-api/callback/?code=x&state=y").status_code == 403
    assert InventoryApiConnection.objects.count() == 1


def test_connect_without_the_sync_configured_says_so(
    client: Client, admin: User, settings: Any
) -> None:
    settings.TIERDESK_SYNC_TENANT_ID = ""
    page = client.get("/inventory/imports/").content.decode()
    assert "inventory-api/connect" not in page
    response = client.post("/inventory/imports/inventory-api/connect/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "the sync is not configured" in response.content.decode()
