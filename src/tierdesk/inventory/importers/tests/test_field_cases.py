"""The field cases (tests/samples/field/, copied from shared/field-cases/): exports as
administrators really produce them, each imported into an empty tierdesk with the right
result asserted value by value. The README of that folder names the tool behind each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tierdesk.accounts.models import User
from tierdesk.inventory.choices import (
    EnvironmentRoleName,
    EnvironmentType,
    SolutionKind,
    SolutionState,
)
from tierdesk.inventory.importers.models import ImportRun, ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.models import Environment, EnvironmentRole, Solution

FIELD = Path(__file__).resolve().parents[5] / "tests" / "samples" / "field"
TENANT = "4b1e9c2a-7d3f-4e8a-9b6c-0f1e2d3c4b5a"
DEFAULT = f"default-{TENANT}"
SALES = "9e7d6c5b-4a39-4821-b0fe-dcba98765432"
HANA = "11111111-2222-4333-8444-555555555501"
JOON = "11111111-2222-4333-8444-555555555502"
TRIP = "a1a1a1a1-0000-4000-8000-000000000001"  # 출장비 정산 🧾
LEAVE = "a1a1a1a1-0000-4000-8000-000000000002"  # Leave Request

pytestmark = pytest.mark.django_db


def run(case: str, folder: str = "input", **kwargs: Any) -> ImportRun:
    return import_run_execute(paths=[FIELD / case / folder], actor=None, **kwargs)


def makers() -> dict[str, tuple[str, str, str] | None]:
    """Solution id -> (object id, UPN, display name) of its maker."""
    return {
        s.platform_id: (s.maker.external_id, s.maker.upn, s.maker.display_name) if s.maker else None
        for s in Solution.objects.select_related("maker")
    }


def environments() -> dict[str, tuple[str, str]]:
    return {e.platform_id: (e.name, e.type) for e in Environment.objects.all()}


def names() -> dict[str, str]:
    return dict(Solution.objects.values_list("platform_id", "name"))


HANA_MAKER = (HANA, "hana.seo@fabrikam.example", "서하나")
JOON_MAKER = (JOON, "joon.lim@fabrikam.example", "Joon Lim")
ENVIRONMENTS = {
    DEFAULT: ("Fabrikam (default)", EnvironmentType.DEFAULT),
    SALES: ("영업 운영 (Prod)", EnvironmentType.PRODUCTION),
}


def test_01_get_admin_power_app_owner_column() -> None:
    """Get-AdminPowerApp | Export-Csv -Encoding UTF8: the maker is in the Owner cell's
    @{…} text; columns the importer does not read are named in a warning."""
    result = run("01-getadminpowerapp-owner-column")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert result.format == "powershell" and result.format_detected
    assert environments() == ENVIRONMENTS
    assert names() == {TRIP: "출장비 정산 🧾", LEAVE: "Leave Request"}
    assert makers() == {TRIP: HANA_MAKER, LEAVE: JOON_MAKER}
    assert Solution.objects.get(platform_id=LEAVE).environment.platform_id == DEFAULT
    unread = [w for w in result.warnings if w["code"] == "unread_columns"]
    apps = next(w for w in unread if w["file"].endswith("apps.csv"))
    for column in ("UnpublishedAppDefinition", "IsFeaturedApp", "IsHeroApp", "BypassConsent"):
        assert column in apps["message"]
    assert "Owner" not in apps["value"].strip("'").split(", ")  # the Owner column is read


@pytest.mark.parametrize("folder", ["input", "variant-no-padding"])
def test_02_get_admin_flow_padding_rows(folder: str) -> None:
    """Get-AdminFlow | Export-Csv: a row of empty cells is skipped (and counted); the
    creator comes from CreatedBy's objectId."""
    result = run("02-getadminflow-padding-rows", folder)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    flow = Solution.objects.get(platform_id="f1f1f1f1-0000-4000-8000-000000000001")
    assert flow.kind == SolutionKind.CLOUD_FLOW and flow.state == SolutionState.STARTED
    assert flow.maker is not None and flow.maker.external_id == JOON
    other = Solution.objects.get(platform_id="f1f1f1f1-0000-4000-8000-000000000002")
    assert other.name == "승인 요청 알림" and other.state == SolutionState.STOPPED
    assert other.maker is not None and other.maker.external_id == HANA
    skipped = [w for w in result.warnings if w["code"] == "empty_rows"]
    assert [w["count"] for w in skipped] == ([1] if folder == "input" else [])


def test_02_a_lone_value_column_is_refused_with_what_happened_and_how_to_re_export() -> None:
    result = run("02-getadminflow-padding-rows", "variant-first-object-empty")
    assert result.status == ImportRunStatus.REJECTED
    assert not Solution.objects.exists() and not Environment.objects.exists()
    [error] = [e for e in result.errors if e["file"].endswith("flows.csv")]
    assert error["file"] == "variant-first-object-empty/flows.csv"
    assert "value" in error["value"]
    assert "System.Object[]" in error["expected"] and "Export-Csv" in error["expected"]


def test_03_type_line_is_skipped() -> None:
    result = run("03-export-csv-type-header")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert environments() == ENVIRONMENTS
    assert names() == {TRIP: "출장비 정산 🧾", LEAVE: "Leave Request"}
    assert makers() == {TRIP: HANA_MAKER, LEAVE: JOON_MAKER}


def test_03_forced_format_reads_the_type_line_file_too() -> None:
    result = run("03-export-csv-type-header", format="powershell")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert not result.format_detected and len(names()) == 2


def test_04_utf16_redirect_imports_as_case_01() -> None:
    result = run("04-utf16-redirect")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert environments() == ENVIRONMENTS
    assert names() == {TRIP: "출장비 정산 🧾", LEAVE: "Leave Request"}
    assert makers() == {TRIP: HANA_MAKER, LEAVE: JOON_MAKER}
    assert any("UTF-16 LE" in f["looks"] for f in result.files)


def test_06_environment_role_is_role_type_not_role_name() -> None:
    result = run("06-env-role-rolename-is-guid")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    grants = set(
        EnvironmentRole.objects.values_list("environment__platform_id", "user__external_id", "role")
    )
    assert grants == {
        (SALES, HANA, EnvironmentRoleName.ENVIRONMENT_ADMIN),
        (SALES, JOON, EnvironmentRoleName.ENVIRONMENT_MAKER),
    }  # the tenant-wide grant (PrincipalType Tenant) belongs to no one account


def test_08_coe_default_environment_by_name_row_id_or_bare_guid() -> None:
    result = run("08-coe-default-env-bare-guid")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert environments() == ENVIRONMENTS
    placed = dict(Solution.objects.values_list("platform_id", "environment__platform_id"))
    assert placed == {
        LEAVE: DEFAULT,
        "a1a1a1a1-0000-4000-8000-000000000003": DEFAULT,  # named by the bare tenant GUID
        TRIP: SALES,
    }
    assert Solution.objects.get(platform_id=TRIP).kind == SolutionKind.CANVAS_APP
    assert makers()[TRIP] == (HANA, "", "서하나")


def test_08_the_bare_guid_also_finds_an_environment_imported_before() -> None:
    assert run("08-coe-default-env-bare-guid", "variant-without-bare-guid-row").status == (
        ImportRunStatus.SUCCEEDED
    )
    apps_only = FIELD / "08-coe-default-env-bare-guid" / "input" / "admin_app.json"
    result = import_run_execute(paths=[apps_only], actor=None)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert Environment.objects.count() == 2
    third = Solution.objects.get(platform_id="a1a1a1a1-0000-4000-8000-000000000003")
    assert third.environment.platform_id == DEFAULT


def test_09_data_export_makers_come_from_created_principal_id_only() -> None:
    result = run("09-data-export-owner-is-display-name")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    found = makers()
    # the owner's display name is kept as the (new) person's name only
    assert found[TRIP] == (HANA, "", "서하나")
    assert found[LEAVE] is None  # createdPrincipalId null: no maker, owner "Joon Lim" is no id
    assert found["b2b2b2b2-0000-4000-8000-000000000001"] is None  # owner SYSTEM
    model = Solution.objects.get(platform_id="b2b2b2b2-0000-4000-8000-000000000001")
    assert model.kind == SolutionKind.MODEL_DRIVEN_APP
    assert not User.objects.filter(username__iexact="system").exists()
    assert not User.objects.filter(display_name__iexact="system").exists()
    assert User.objects.count() == 1


def test_09_a_system_owner_alone_makes_no_account() -> None:
    result = run("09-data-export-owner-is-display-name", "variant-system-owner-only")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert not User.objects.exists()
    assert makers() == {"b2b2b2b2-0000-4000-8000-000000000001": None}


@pytest.mark.parametrize("folder", ["input", "variant-value-wrapped"])
def test_12_m365_cli_bare_array_reads_like_a_value_array(folder: str) -> None:
    result = run("12-m365-cli-bare-array", folder)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    assert result.format == "admin_api"
    assert environments() == {DEFAULT: ("Fabrikam (default)", EnvironmentType.DEFAULT)}
    app = Solution.objects.get(platform_id=LEAVE)
    assert app.environment.platform_id == DEFAULT  # lower-case default-<tenant> resolves
    assert makers() == {LEAVE: JOON_MAKER}
    assert app.state == SolutionState.PUBLISHED and app.shared_users == 12
    assert list(app.connectors.values_list("platform_id", flat=True)) == ["shared_sharepointonline"]


def test_12_both_shapes_give_the_same_inventory() -> None:
    assert run("12-m365-cli-bare-array").status == ImportRunStatus.SUCCEEDED
    before = (environments(), names(), makers())
    again = run("12-m365-cli-bare-array", "variant-value-wrapped")
    assert again.status == ImportRunStatus.SUCCEEDED
    assert (environments(), names(), makers()) == before
    assert not again.counts.get("solutions_created") and not again.counts.get("solutions_updated")


def test_every_case_through_the_cli_as_a_new_admin_would(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`tierdesk import FOLDER/input` on each case: detected, imported, warnings printed."""
    printed = {}
    for case in sorted(p.name for p in FIELD.iterdir() if p.is_dir()):
        call_command("import", str(FIELD / case / "input"), "--no-progress", "--language", "en")
        printed[case] = capsys.readouterr().out
        assert "status: Imported" in printed[case], (case, printed[case])
    first = printed["01-getadminpowerapp-owner-column"]
    assert "WARNING input/apps.csv" in first and "not read" in first
    assert "Solutions added: 2" in first
