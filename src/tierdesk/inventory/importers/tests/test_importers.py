"""Importers: every format's happy path, idempotency, updates and deletions, every broken
sample rejected with the database unchanged, and the cross-format organisation."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import User
from tierdesk.inventory.choices import (
    EnvironmentRoleName,
    SolutionEventType,
    SolutionKind,
    Tier,
)
from tierdesk.inventory.importers.formats import detect_format
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.models import (
    Environment,
    EnvironmentRole,
    Solution,
    SolutionEvent,
    SolutionOwner,
    UsageFact,
)

SAMPLES = Path(__file__).resolve().parents[5] / "tests" / "samples"
ENV_A = "default-1f2e3d4c-5b6a-4789-8abc-def012345678"
ENV_B = "6a0e2c1d-93b4-4f2e-8c55-0b7d3a9e1f20"
APP1 = "3f1c9a2e-0b4d-4c8e-9f11-2a6b7c8d9e01"
APP2 = "8b2d4e6f-1a3c-4e5b-9d7f-0c1e2f3a4b5c"
FLOW1 = "c0ffee00-1234-4abc-8def-001122334455"
BOT1 = "b07b07b0-5555-4666-8777-888899990000"
DANA_OID = "d0d0d0d0-0000-4000-8000-000000000001"
MJ_OID = "d0d0d0d0-0000-4000-8000-000000000002"

pytestmark = pytest.mark.django_db


def run(*paths: Path | str, **kwargs: Any) -> ImportRun:
    return import_run_execute(paths=[SAMPLES / p for p in paths], actor=None, **kwargs)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except the import-run log (a rejected run is recorded
    there on purpose, and nowhere else)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model is ImportRun:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        tables[model._meta.db_table] = sorted(
            model._default_manager.order_by().values_list(*fields), key=repr
        )
    return tables


def inventory() -> dict[str, Any]:
    """The inventory in comparable form: what every format should agree on."""
    envs = {e.platform_id: e.name for e in Environment.objects.all()}
    sols = {
        s.platform_id: {
            "env": s.environment.platform_id,
            "kind": s.kind,
            "name": s.name,
            "created": s.platform_created_at,
            "maker": (s.maker.external_id or s.maker.upn) if s.maker else None,
        }
        for s in Solution.objects.select_related("environment", "maker")
    }
    return {"environments": envs, "solutions": sols}


# ------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "folder", ["coe", "data_export", "inventory_query", "admin_api", "powershell"]
)
def test_detects_each_format(folder: str) -> None:
    assert detect_format([SAMPLES / folder]) == folder


def test_generic_needs_a_mapping_to_be_detected() -> None:
    assert detect_format([SAMPLES / "generic"]) is None
    assert detect_format([SAMPLES / "generic"], has_mapping=True) == "generic"


# --------------------------------------------------------------- happy paths


def test_coe_import_maps_option_sets_tiers_owners_and_audit_launches() -> None:
    result = run("coe")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert result.format == "coe" and result.format_detected
    app1 = Solution.objects.get(platform_id=APP1)
    assert app1.kind == SolutionKind.CANVAS_APP
    assert app1.declared_tier == Tier.IMPORTANT
    assert app1.name == "현장 점검 (Site Inspection)"
    assert app1.maker is not None and app1.maker.upn == "dana.park@contoso.com"
    assert not app1.maker.is_active and not app1.maker.has_usable_password()
    assert Solution.objects.get(platform_id=APP2).kind == SolutionKind.MODEL_DRIVEN_APP
    assert Solution.objects.get(platform_id=APP2).declared_tier == Tier.CRITICAL
    assert Solution.objects.get(platform_id=FLOW1).declared_tier == Tier.PRODUCTIVITY
    assert Solution.objects.get(platform_id=BOT1).kind == SolutionKind.CHATBOT
    # co-owner from admin_powerplatformuserrole, matched case-insensitively
    owners = SolutionOwner.objects.filter(solution=app1).values_list("user__upn", flat=True)
    assert list(owners) == ["seoyeon.lee@contoso.com"]
    # audit log: 3 launches (one DeletePowerApp ignored) by 2 people on 2025-05-02
    fact = UsageFact.objects.get(solution=app1, date=dt.date(2025, 5, 2))
    assert (fact.unique_users, fact.sessions) == (2, 3)
    app1.refresh_from_db()
    assert app1.shared_users == 37 and app1.shared_groups == 1
    assert set(app1.connectors.values_list("platform_id", flat=True)) == {"shared_sharepointonline"}
    assert SolutionEvent.objects.filter(type=SolutionEventType.CREATED).count() == 4


def test_data_export_aggregates_usage_into_daily_facts() -> None:
    result = run("data_export")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    app1 = Solution.objects.get(platform_id=APP1)
    fact = UsageFact.objects.get(solution=app1, source="data_export", date=dt.date(2025, 5, 3))
    # two people, two sessions (a duplicated row does not count twice), last at 10:00
    assert (fact.unique_users, fact.sessions) == (2, 2)
    assert fact.last_used_at == dt.datetime(2025, 5, 3, 10, 0, tzinfo=dt.UTC)
    assert (fact.shared_users, fact.shared_groups) == (37, 1)
    flow = UsageFact.objects.get(solution__platform_id=FLOW1, date=dt.date(2025, 5, 3))
    assert (flow.flow_runs, flow.flow_failures) == (12, 2)
    app1.refresh_from_db()
    assert app1.last_used_at == fact.last_used_at and app1.peak_daily_users_30d == 2
    assert app1.launches_30d == 2 and app1.usage_as_of == dt.date(2025, 5, 3)
    assert result.counts["files_skipped"] == 1  # Connections: nothing tierdesk keeps


def test_inventory_query_includes_agents() -> None:
    result = run("inventory_query")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert Solution.objects.get(platform_id=BOT1).kind == SolutionKind.CHATBOT
    assert Environment.objects.get(platform_id=ENV_B).is_managed


def test_admin_api_reads_owner_objects_sharing_and_connection_references() -> None:
    result = run("admin_api")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    app1 = Solution.objects.get(platform_id=APP1)
    assert app1.maker is not None and app1.maker.upn == "dana.park@contoso.com"
    assert app1.shared_users == 37
    assert list(app1.connectors.values_list("platform_id", flat=True)) == [
        "shared_sharepointonline"
    ]
    flow = Solution.objects.get(platform_id=FLOW1)
    assert flow.state == "started"
    assert list(flow.connectors.values_list("tier", flat=True)) == ["premium"]


def test_powershell_reads_nested_owner_objects_and_role_assignments() -> None:
    """Get-AdminPowerApp | Export-Csv: the maker is in the `Owner` cell's @{…} text; the
    sharing counts are not in the CSV (`Internal.properties` cannot be written), so they
    come from Get-AdminPowerAppRoleAssignment (one person, one group)."""
    result = run("powershell")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    app1 = Solution.objects.get(platform_id=APP1)
    assert app1.maker is not None and app1.maker.upn == "dana.park@contoso.com"
    assert app1.maker.external_id == DANA_OID and app1.maker.display_name == "박다나"
    assert (app1.shared_users, app1.shared_groups) == (1, 1)
    assert app1.last_published_at is None
    assert list(app1.owners.values_list("user__upn", flat=True)) == ["seoyeon.lee@contoso.com"]
    assert Solution.objects.get(platform_id=APP2).kind == SolutionKind.MODEL_DRIVEN_APP
    flow = Solution.objects.get(platform_id=FLOW1)
    assert flow.maker is not None and flow.maker.external_id == DANA_OID  # CreatedBy.objectId
    unread = {w["file"]: w["value"] for w in result.warnings if w["code"] == "unread_columns"}
    assert "UnpublishedAppDefinition" in unread["powershell/apps.csv"]


def grants() -> set[tuple[str, str, str]]:
    return set(
        EnvironmentRole.objects.values_list("environment__platform_id", "user__username", "role")
    )


def test_coe_reads_environment_roles_from_user_role_rows_about_environments() -> None:
    result = run("coe")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert grants() == {
        (ENV_B, "minjun.kim@contoso.com", EnvironmentRoleName.ENVIRONMENT_MAKER),
        (ENV_B, "minjun.kim@contoso.com", EnvironmentRoleName.OTHER),  # 영업 보고서 담당자
        (ENV_B, "seoyeon.lee@contoso.com", EnvironmentRoleName.SYSTEM_CUSTOMIZER),
        (ENV_B, "dana.park@contoso.com", EnvironmentRoleName.ENVIRONMENT_ADMIN),
        (ENV_B, "dana.park@contoso.com", EnvironmentRoleName.BASIC_USER),
        # the admin_environment lookup holds the default environment's row id
        (ENV_A, "minjun.kim@contoso.com", EnvironmentRoleName.ENVIRONMENT_MAKER),
    }
    grant = EnvironmentRole.objects.filter(role=EnvironmentRoleName.SYSTEM_CUSTOMIZER).get()
    assert grant.source == "coe" and grant.first_seen == grant.last_seen == dt.date(2025, 5, 3)
    assert grant.user.display_name == "이서연"
    # app roles still make co-owners, not environment grants
    app1 = Solution.objects.get(platform_id=APP1)
    assert list(app1.owners.values_list("user__upn", flat=True)) == ["seoyeon.lee@contoso.com"]


def test_powershell_reads_environment_role_assignments() -> None:
    result = run("powershell")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    sp = "aad-5e5e5e5e-0000-4000-8000-000000000001"
    assert grants() == {
        (ENV_B, "minjun.kim@contoso.com", EnvironmentRoleName.ENVIRONMENT_MAKER),
        (ENV_B, "dana.park@contoso.com", EnvironmentRoleName.ENVIRONMENT_ADMIN),
        (ENV_B, sp, EnvironmentRoleName.ENVIRONMENT_MAKER),
        (ENV_A, "jiwoo.choi@contoso.com", EnvironmentRoleName.ENVIRONMENT_MAKER),
    }  # the group's grant holds no row
    assert User.objects.get(username=sp).kind == AccountKind.SERVICE_PRINCIPAL
    assert User.objects.get(username="jiwoo.choi@contoso.com").display_name == "최지우"
    assert User.objects.get(username="jiwoo.choi@contoso.com").kind == AccountKind.PERSON


def test_newer_export_of_an_environment_removes_grants_it_no_longer_lists(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "powershell"
    shutil.copytree(SAMPLES / "powershell", folder)
    assert import_run_execute(paths=[folder], actor=None).status == "succeeded"
    stored = EnvironmentRole.objects.get(user__username="minjun.kim@contoso.com")
    # a grant another source reported stays: this source never listed it
    other = EnvironmentRole.objects.create(
        environment=stored.environment,
        user=User.objects.get(username="dana.park@contoso.com"),
        role=EnvironmentRoleName.SYSTEM_CUSTOMIZER,
        source="coe",
        first_seen=dt.date(2025, 5, 1),
        last_seen=dt.date(2025, 5, 1),
    )
    roles = folder / "environment-role-assignments.csv"
    lines = roles.read_text(encoding="utf-8-sig").splitlines()
    roles.write_text("\r\n".join(line for line in lines if "김민준" not in line), encoding="utf-8")
    result = import_run_execute(paths=[folder], actor=None, as_of=dt.date(2025, 6, 1))
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert result.counts["environment_roles_removed"] == 1
    assert result.counts["environment_roles_seen_again"] == 3
    assert not EnvironmentRole.objects.filter(pk=stored.pk).exists()
    assert EnvironmentRole.objects.filter(pk=other.pk).exists()
    admin = EnvironmentRole.objects.get(role=EnvironmentRoleName.ENVIRONMENT_ADMIN)
    assert (admin.first_seen, admin.last_seen) == (dt.date(2025, 5, 3), dt.date(2025, 6, 1))
    # the same newer export again: nothing changes
    before = snapshot()
    again = import_run_execute(paths=[folder], actor=None, as_of=dt.date(2025, 6, 1))
    assert again.status == ImportRunStatus.SUCCEEDED
    assert snapshot() == before
    assert not again.counts.get("environment_roles_added")
    assert not again.counts.get("environment_roles_removed")


def test_grant_in_an_unknown_environment_rejects_the_whole_import(tmp_path: Path) -> None:
    folder = tmp_path / "powershell"
    shutil.copytree(SAMPLES / "powershell", folder)
    roles = folder / "environment-role-assignments.csv"
    roles.write_bytes(
        roles.read_bytes().replace(
            b'"EnvironmentMaker","Default-1f2e3d4c-5b6a-4789-8abc-def012345678"',
            b'"EnvironmentMaker","0ddba11-0000-4000-8000-000000000000"',
        )
    )
    before = snapshot()
    result = import_run_execute(paths=[folder], actor=None)
    assert result.status == ImportRunStatus.REJECTED
    assert [(e["file"], e["row"], e["column"]) for e in result.errors] == [
        ("powershell/environment-role-assignments.csv", 6, "environment")
    ]
    assert snapshot() == before


def test_generic_csv_and_xlsx_with_saved_mapping(tmp_path: Path) -> None:
    mapping = ColumnMapping.objects.create(
        name="contoso-register",
        table="app",
        columns={
            "id": "Solution ID",
            "env": "Environment",
            "name": "Title",
            "kind": "Type",
            "owner": "Owner e-mail",
            "created": "Created on",
            "modified": "Modified on",
            "declared_tier": "Business impact",
            "shared_users": "Shared users",
        },
        values={
            "kind": {"App": "canvas_app", "Model app": "model_driven_app", "Flow": "cloud_flow"}
        },
    )
    call_command("import", str(SAMPLES / "coe" / "admin_environment.csv"), "--no-progress")
    result = run("generic", mapping=mapping)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert Solution.objects.get(platform_id=FLOW1).kind == SolutionKind.CLOUD_FLOW
    assert Solution.objects.get(platform_id=APP2).declared_tier == Tier.CRITICAL
    # the same sheet as XLSX changes nothing
    import csv

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with (SAMPLES / "generic" / "solutions.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append(row)
    book.save(tmp_path / "solutions.xlsx")
    before = snapshot()
    again = import_run_execute(paths=[tmp_path / "solutions.xlsx"], actor=None, mapping=mapping)
    assert again.status == ImportRunStatus.SUCCEEDED, again.errors
    assert again.counts.get("solutions_unchanged") == 3
    assert snapshot() == before


# ------------------------------------------------- idempotency, updates, deletions


@pytest.mark.parametrize(
    "folder", ["coe", "data_export", "inventory_query", "admin_api", "powershell"]
)
def test_importing_the_same_export_again_changes_nothing(folder: str) -> None:
    assert run(folder).status == ImportRunStatus.SUCCEEDED
    before = snapshot()
    again = run(folder)
    assert again.status == ImportRunStatus.SUCCEEDED
    assert snapshot() == before
    assert not again.counts.get("solutions_created") and not again.counts.get("solutions_updated")


def test_newer_export_updates_marks_deleted_restores_and_orphans(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "coe", tmp_path / "coe")
    assert import_run_execute(paths=[tmp_path / "coe"], actor=None).status == "succeeded"
    # the newer export: app2 gone, app1 renamed, minjun left the organisation
    app_json = tmp_path / "coe" / "admin_app.json"
    document = json.loads(app_json.read_text(encoding="utf-8"))
    document["value"] = document["value"][:1]
    document["value"][0]["admin_displayname"] = "현장 점검 v2"
    app_json.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    makers = tmp_path / "coe" / "admin_maker.csv"
    makers.write_bytes(
        makers.read_bytes().replace(b"\xec\x9d\xb8\xec\x82\xac,false", "인사,true".encode())
    )
    flows = tmp_path / "coe" / "admin_flow.csv"
    flows.write_bytes(
        flows.read_bytes()
        .replace(DANA_OID.encode(), MJ_OID.encode())
        .replace(b"Dana.Park", b"minjun.kim")
    )
    result = import_run_execute(paths=[tmp_path / "coe"], actor=None, dry_run=True)
    assert result.status == ImportRunStatus.DRY_RUN, result.errors
    assert result.counts["solutions_marked_deleted"] == 1
    assert Solution.objects.get(platform_id=APP1).name == "현장 점검 (Site Inspection)"
    result = import_run_execute(paths=[tmp_path / "coe"], actor=None)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    app1 = Solution.objects.get(platform_id=APP1)
    assert app1.name == "현장 점검 v2" and app1.version == 2
    event = SolutionEvent.objects.get(solution=app1, type=SolutionEventType.UPDATED)
    assert event.parameters["changes"]["name"] == ["현장 점검 (Site Inspection)", "현장 점검 v2"]
    app2 = Solution.objects.get(platform_id=APP2)
    assert app2.is_deleted and app2.deleted_at is not None
    assert UsageFact.objects.filter(solution=app2).exists()  # history stays
    assert SolutionEvent.objects.filter(
        solution=app2, type=SolutionEventType.MARKED_DELETED
    ).exists()
    flow = Solution.objects.get(platform_id=FLOW1)
    assert flow.is_orphaned
    assert SolutionEvent.objects.filter(solution=flow, type=SolutionEventType.ORPHANED).exists()
    # the first export again: app2 comes back
    shutil.copy(SAMPLES / "coe" / "admin_app.json", app_json)
    assert import_run_execute(paths=[tmp_path / "coe"], actor=None).status == "succeeded"
    app2.refresh_from_db()
    assert not app2.is_deleted and app2.deleted_at is None
    assert SolutionEvent.objects.filter(solution=app2, type=SolutionEventType.RESTORED).exists()


def test_makers_match_existing_users_case_insensitively() -> None:
    dana = User.objects.create_user("dana", email="DANA.PARK@CONTOSO.COM")
    assert run("coe").status == "succeeded"
    assert Solution.objects.get(platform_id=APP1).maker == dana
    assert User.objects.filter(email__iexact="dana.park@contoso.com").count() == 1


# ------------------------------------------------------------------ broken


BROKEN = {
    "truncated_json_line": (
        "data_export",
        "Applications/asia.json",
        2,
        "",
        "one complete JSON object per line",
    ),
    "non_numeric_count": (
        "data_export",
        "Applications/asia.json",
        1,
        "sharedusers",
        "a whole number",
    ),
    "unknown_option": ("coe", "admin_app.csv", 3, "admin_powerappstype", "a known app type"),
    "missing_environment": ("coe", "admin_app.csv", 2, "environment", "an environment listed"),
    "conflicting_duplicate": ("powershell", "apps.csv", 3, "id", "a unique id"),
    "wrong_encoding": ("coe", "admin_environment.csv", None, "", "text encoded as UTF-8 or UTF-16"),
    "empty_file": ("coe", "admin_app.csv", None, "", "the file is empty"),
    "missing_required_column": ("powershell", "apps.csv", 1, "environmentname", "a column named"),
    "truncated_json_document": ("admin_api", "apps.json", None, "", "the file ends too early"),
    "unknown_inventory_type": (
        "inventory_query",
        "page.json",
        1,
        "type",
        "a PowerPlatformResources type",
    ),
    "usage_for_missing_app": ("data_export", "Usage/usage.json", 1, "id", "an app, flow or bot"),
    "bad_date": ("coe", "admin_flow.csv", 2, "admin_flowcreatedon", "a date and time"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_sample_is_rejected_whole_with_a_precise_message(name: str) -> None:
    fmt, file, row, column, expected = BROKEN[name]
    assert run("coe").status == "succeeded"  # something to keep unchanged
    before = snapshot()
    runs_before = ImportRun.objects.count()
    with translation.override("en"):  # the expected words are the English ones
        result = run(f"broken/{name}", format=fmt)
    assert result.status == ImportRunStatus.REJECTED
    assert result.error_count >= 1
    assert any(
        e["file"].endswith(file)
        and e["row"] == row
        and e["column"] == column
        and expected in e["expected"]
        for e in result.errors
    ), result.errors
    assert snapshot() == before
    assert ImportRun.objects.count() == runs_before + 1


def test_every_error_is_listed() -> None:
    result = run("broken/unknown_option", format="coe")
    assert result.error_count == 1
    error = result.errors[0]
    assert error["value"] == "'597910009'" and error["row"] == 3


def test_cli_reports_detection_and_rejects_with_exit_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("import", str(SAMPLES / "data_export"), "--no-progress", "--dry-run")
    out = capsys.readouterr().out
    assert "format: data_export (detected)" in out and "Dry run" in out
    assert not Solution.objects.exists()
    with pytest.raises(CommandError, match="rejected"):
        call_command(
            "import", str(SAMPLES / "broken" / "empty_file"), "--format", "coe", "--no-progress"
        )
    assert "found" in capsys.readouterr().out


# ------------------------------------------------------------- cross-format


CROSS = ["coe", "data_export", "inventory_query", "admin_api", "powershell"]


def test_the_same_organisation_imports_into_the_same_inventory(django_db_blocker: Any) -> None:
    """Each format describes the same organisation. What a format lacks:
    - data export and inventory query name people by directory object id only (no UPN);
    - the data export and admin API / PowerShell carry no chatbots; the inventory query
      and CoE do;
    - the inventory query has no sharing counts, CoE and PowerShell no session usage."""
    seen: dict[str, dict[str, Any]] = {}
    for fmt in CROSS:
        Solution.objects.all().delete()
        Environment.objects.all().delete()
        User.objects.all().delete()
        result = run(fmt)
        assert result.status == "succeeded", (fmt, result.errors)
        seen[fmt] = inventory()
    for fmt, got in seen.items():
        assert got["environments"] == {ENV_A: "Contoso (default)", ENV_B: "영업 운영"}, fmt
        common = {k: v for k, v in got["solutions"].items() if k != BOT1}
        assert set(common) == {APP1, APP2, FLOW1}, fmt
        for sol_id, sol in common.items():
            reference = seen["coe"]["solutions"][sol_id]
            assert (sol["env"], sol["kind"], sol["name"], sol["created"]) == (
                reference["env"],
                reference["kind"],
                reference["name"],
                reference["created"],
            ), (fmt, sol_id)
            assert sol["maker"] in {
                DANA_OID,
                MJ_OID,
                "dana.park@contoso.com",
                "minjun.kim@contoso.com",
            }, (fmt, sol_id)
    assert BOT1 in seen["coe"]["solutions"] and BOT1 in seen["inventory_query"]["solutions"]


# ----------------------------------------------------------- upload page and API


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser("root", "root@example.com", "pw")


def test_upload_page_imports_and_shows_the_report(client: Any, admin_user: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    assert client.get("/inventory/imports/upload/").status_code == 200
    files = [
        SimpleUploadedFile(p.name, p.read_bytes())
        for p in sorted((SAMPLES / "powershell").iterdir())
    ]
    response = client.post("/inventory/imports/upload/", {"upload": files})
    assert response.status_code == 302
    run_ = ImportRun.objects.get()
    assert run_.status == "succeeded" and run_.actor == admin_user and run_.interface == "upload"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "PowerShell" in page.content.decode()
    assert client.get("/inventory/imports/").status_code == 200


def test_upload_page_and_api_refuse_non_admins(client: Any) -> None:
    user = User.objects.create_user("someone", password="pw")
    client.force_login(user)
    assert client.get("/inventory/imports/upload/").status_code == 403
    assert client.get("/inventory/imports/").status_code == 403
    assert client.post("/api/v1/imports/upload/", {}).status_code == 403


def test_api_accepts_the_same_files_and_reports_rejections(client: Any, admin_user: User) -> None:
    client.force_login(admin_user)
    with (SAMPLES / "broken" / "unknown_option" / "admin_app.csv").open("rb") as fh:
        response = client.post("/api/v1/imports/upload/", {"files": [fh], "format": "coe"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["column"] == "admin_powerappstype"
    with (SAMPLES / "coe" / "admin_environment.csv").open("rb") as fh:
        response = client.post("/api/v1/imports/upload/", {"files": [fh]})
    assert response.status_code == 201, response.json()
    assert response.json()["counts"]["environments_created"] == 2
    listing = client.get("/api/v1/imports/")
    assert listing.status_code == 200 and listing.json()["count"] == 2
