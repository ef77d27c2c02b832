"""Each kind of real-world trait the field cases stand for, in exports written the way the
tools write them (tests/samples/kinds/, see its README): encodings and byte-order marks,
`#TYPE` and `sep=` lines, delimiters, PowerShell `@{…}` cells and ConvertTo-Json's depth,
JSON envelopes, environments joined onto inventory rows, option-set integers, and every
form of an environment's id."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from tierdesk.inventory.choices import (
    DataClassification,
    EnvironmentPurpose,
    EnvironmentType,
    SolutionKind,
    SolutionState,
    Tier,
)
from tierdesk.inventory.importers.models import ImportRun, ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.models import Environment, Solution, SolutionOwner

SAMPLES = Path(__file__).resolve().parents[5] / "tests" / "samples"
KINDS = SAMPLES / "kinds"
FIELD = SAMPLES / "field"
TENANT = "4b1e9c2a-7d3f-4e8a-9b6c-0f1e2d3c4b5a"
DEFAULT = f"default-{TENANT}"
SALES = "9e7d6c5b-4a39-4821-b0fe-dcba98765432"
HANA = "11111111-2222-4333-8444-555555555501"
JOON = "11111111-2222-4333-8444-555555555502"
TRIP = "a1a1a1a1-0000-4000-8000-000000000001"
LEAVE = "a1a1a1a1-0000-4000-8000-000000000002"
FLOW = "f1f1f1f1-0000-4000-8000-000000000001"

pytestmark = pytest.mark.django_db


def run(*paths: Path, **kwargs: Any) -> ImportRun:
    result = import_run_execute(paths=list(paths), actor=None, **kwargs)
    return result


def ok(*paths: Path, **kwargs: Any) -> ImportRun:
    result = run(*paths, **kwargs)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    return result


def apps() -> dict[str, tuple[str, str, str | None]]:
    """id -> (name, environment id, maker object id)."""
    return {
        s.platform_id: (s.name, s.environment.platform_id, s.maker.external_id if s.maker else None)
        for s in Solution.objects.select_related("environment", "maker")
    }


THE_TWO_APPS = {
    TRIP: ("출장비 정산 🧾", SALES, HANA),
    LEAVE: ("Leave Request", DEFAULT, JOON),
}


# ------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "kind",
    ["ps7-utf8-no-bom", "utf16be-bom", "tab-delimited", "use-culture-semicolon"],
)
def test_encodings_and_delimiters_the_tools_write_read_alike(kind: str) -> None:
    result = ok(KINDS / kind)
    assert result.format == "powershell"
    assert apps() == THE_TWO_APPS
    assert dict(Environment.objects.values_list("platform_id", "name")) == {
        DEFAULT: "Fabrikam (default)",
        SALES: "영업 운영 (Prod)",
    }


def test_day_first_dates_of_use_culture_exports() -> None:
    ok(KINDS / "use-culture-semicolon")
    trip = Solution.objects.get(platform_id=TRIP)
    assert trip.platform_created_at == dt.datetime(2024, 2, 1, 9, 0, 41, tzinfo=dt.UTC)
    assert trip.platform_modified_at == dt.datetime(2025, 5, 3, 5, 14, 7, tzinfo=dt.UTC)


def test_korean_excel_csv_is_read_as_cp949_with_a_warning() -> None:
    result = ok(KINDS / "excel-korean-cp949")
    assert result.format == "coe"
    trip = Solution.objects.get(platform_id=TRIP)
    assert trip.name == "출장비 정산" and trip.declared_tier == Tier.IMPORTANT
    assert trip.platform_created_at == dt.datetime(2024, 2, 1, 9, 0, tzinfo=dt.UTC)
    assert Environment.objects.get(platform_id=SALES).name == "영업 운영 (Prod)"
    assert Environment.objects.get(platform_id=SALES).purpose == EnvironmentPurpose.PRODUCTION
    legacy = [w for w in result.warnings if w["code"] == "legacy_encoding"]
    assert {w["file"] for w in legacy} == {
        "excel-korean-cp949/admin_app.csv",
        "excel-korean-cp949/admin_environment.csv",
    }
    assert "CP949" in legacy[0]["message"] and "UTF-8" in legacy[0]["message"]


def test_excel_sep_line_names_the_delimiter() -> None:
    ok(KINDS / "excel-sep-line")
    assert Environment.objects.get(platform_id=SALES).name == "영업 운영 (Prod)"


def test_text_in_another_code_page_is_refused_with_how_to_re_save(tmp_path: Path) -> None:
    latin = tmp_path / "admin_environment.csv"
    latin.write_bytes(
        "admin_environmentname,admin_displayname\nx1,Vertrieb München\n".encode("cp1252")
    )
    result = run(latin)
    assert result.status == ImportRunStatus.REJECTED
    [error] = result.errors
    assert error["file"] == "admin_environment.csv"
    assert "0xfc" in error["value"]
    assert "CSV UTF-8" in error["expected"] and "-Encoding UTF8" in error["expected"]


def test_degraded_text_never_overwrites_a_stored_name_and_is_warned() -> None:
    """Windows PowerShell 5.1's Export-Csv without -Encoding: ASCII, every Korean letter and
    the emoji become "?". The good names stored by an earlier import stay."""
    ok(FIELD / "01-getadminpowerapp-owner-column" / "input")
    result = ok(KINDS / "ps51-ascii-default")
    assert Solution.objects.get(platform_id=TRIP).name == "출장비 정산 🧾"
    assert Environment.objects.get(platform_id=SALES).name == "영업 운영 (Prod)"
    degraded = [w for w in result.warnings if w["code"] == "degraded_text"]
    assert {w["file"] for w in degraded} == {
        "ps51-ascii-default/apps.csv",
        "ps51-ascii-default/environments.csv",
    }
    assert "-Encoding UTF8" in degraded[0]["message"]
    assert not result.counts.get("solutions_updated")  # nothing else changed
    maker = Solution.objects.get(platform_id=TRIP).maker
    assert maker is not None and maker.display_name == "서하나"


def test_degraded_names_of_new_records_are_kept_until_a_good_export_comes(
    tmp_path: Path,
) -> None:
    result = ok(KINDS / "ps51-ascii-default")
    assert Solution.objects.get(platform_id=TRIP).name == "??? ?? ??"
    maker = Solution.objects.get(platform_id=TRIP).maker
    assert maker is not None and maker.display_name == ""  # "???" is no one's name
    assert any(w["code"] == "degraded_text" for w in result.warnings)
    ok(FIELD / "01-getadminpowerapp-owner-column" / "input")
    assert Solution.objects.get(platform_id=TRIP).name == "출장비 정산 🧾"


def test_a_question_mark_in_a_unicode_file_is_just_a_question_mark(tmp_path: Path) -> None:
    folder = tmp_path / "ps"
    shutil.copytree(FIELD / "01-getadminpowerapp-owner-column" / "input", folder)
    apps_csv = folder / "apps.csv"
    apps_csv.write_bytes(apps_csv.read_bytes().replace(b"Leave Request", b"Leave Request?"))
    result = ok(folder)
    assert Solution.objects.get(platform_id=LEAVE).name == "Leave Request?"
    assert not [w for w in result.warnings if w["code"] == "degraded_text"]


# -------------------------------------------------------------- PowerShell objects


def test_app_and_flow_role_assignments_make_co_owners_and_sharing() -> None:
    ok(FIELD / "02-getadminflow-padding-rows" / "input")
    ok(FIELD / "01-getadminpowerapp-owner-column" / "input")
    result = ok(KINDS / "ps-role-assignments")
    trip = Solution.objects.get(platform_id=TRIP)
    assert list(
        SolutionOwner.objects.filter(solution=trip).values_list("user__upn", flat=True)
    ) == ["joon.lim@fabrikam.example"]  # CanEdit; the Owner is the maker
    assert (trip.shared_users, trip.shared_groups, trip.shared_with_tenant) == (1, 1, True)
    flow = Solution.objects.get(platform_id=FLOW)
    assert flow.maker is not None and flow.maker.external_id == JOON
    # Get-AdminFlowOwnerRole carries object ids only: 서하나 (an owner too) co-owns it
    owners = SolutionOwner.objects.filter(solution=flow).values_list("user__external_id", flat=True)
    assert list(owners) == [HANA]
    assert result.counts["owners_changed"] == 2


def test_convert_to_json_output_reads_with_its_depth_cut_objects() -> None:
    """Get-AdminPowerApp | ConvertTo-Json > apps.json in Windows PowerShell 5.1: UTF-16LE,
    and Internal.properties past depth 2 written as @{…} text — which still holds the
    sharing counts and the last publish time."""
    result = ok(KINDS / "ps-convertto-json")
    assert result.format == "powershell"
    assert apps() == THE_TWO_APPS
    trip = Solution.objects.get(platform_id=TRIP)
    assert (trip.shared_users, trip.shared_groups) == (37, 1)
    assert trip.last_published_at == dt.datetime(2025, 5, 3, 5, 14, 7, tzinfo=dt.UTC)
    assert Environment.objects.get(platform_id=DEFAULT).type == EnvironmentType.DEFAULT


def test_select_object_columns_are_read_when_a_script_adds_them() -> None:
    ok(FIELD / "01-getadminpowerapp-owner-column" / "input")
    ok(KINDS / "ps-select-object")
    trip = Solution.objects.get(platform_id=TRIP)
    assert (trip.shared_users, trip.shared_groups) == (37, 1)
    assert trip.maker is not None and trip.maker.external_id == HANA


# ------------------------------------------------------------------- envelopes


INVENTORY_IDS = {
    TRIP,
    FLOW,
    "c0c0c0c0-0000-4000-8000-000000000001",
    "c0c0c0c0-0000-4000-8000-000000000002",
}


@pytest.mark.parametrize(
    "kind",
    [
        "inventory-api-joined",
        "az-graph-query",
        "az-graph-query-1x",
        "search-azgraph-convertto-json",
    ],
)
def test_resource_graph_rows_in_every_envelope(kind: str) -> None:
    result = ok(KINDS / kind)
    assert result.format == "inventory_query"
    assert set(Solution.objects.values_list("platform_id", flat=True)) == INVENTORY_IDS
    assert Environment.objects.get(platform_id=SALES).name == "영업 운영 (Prod)"
    assert Environment.objects.get(platform_id=SALES).is_managed
    assert Environment.objects.get(platform_id=DEFAULT).type == EnvironmentType.DEFAULT
    flow = Solution.objects.get(platform_id=FLOW)
    assert flow.environment.platform_id == DEFAULT and flow.maker is not None
    assert flow.maker.external_id == JOON
    published = Solution.objects.get(platform_id="c0c0c0c0-0000-4000-8000-000000000001")
    draft = Solution.objects.get(platform_id="c0c0c0c0-0000-4000-8000-000000000002")
    assert published.kind == draft.kind == SolutionKind.CHATBOT
    assert published.state == SolutionState.PUBLISHED and draft.state == SolutionState.DRAFT


def test_environments_joined_onto_resource_rows_are_created() -> None:
    """The admin center's default query: no environment rows of their own, only the joined
    environmentName / environmentType / environmentRegion / isManagedEnvironment."""
    ok(KINDS / "inventory-api-joined")
    envs = {
        e.platform_id: (e.name, e.type, e.region, e.is_managed) for e in Environment.objects.all()
    }
    assert envs == {
        SALES: ("영업 운영 (Prod)", EnvironmentType.PRODUCTION, "asia", True),
        DEFAULT: ("Fabrikam (default)", EnvironmentType.DEFAULT, "asia", False),
    }


def test_one_row_on_its_own_is_one_object() -> None:
    result = ok(KINDS / "search-azgraph-one-row")
    assert result.format == "inventory_query"
    assert list(Solution.objects.values_list("platform_id", flat=True)) == [TRIP]


def test_dataverse_web_api_choices_lookups_annotations_and_next_link() -> None:
    result = ok(KINDS / "dataverse-web-api")
    assert result.format == "coe"
    kinds = dict(Solution.objects.filter(platform_id__startswith="d1").values_list("name", "kind"))
    assert kinds == {
        "Canvas 앱": SolutionKind.CANVAS_APP,
        "Model Driven 앱": SolutionKind.MODEL_DRIVEN_APP,
        "SharePointFormApp 앱": SolutionKind.CANVAS_APP,
        "Custom Page 앱": SolutionKind.CANVAS_APP,
        "Component Library 앱": SolutionKind.CANVAS_APP,
    }
    tiers = dict(
        Solution.objects.filter(platform_id__startswith="d1").values_list("name", "declared_tier")
    )
    assert tiers["Model Driven 앱"] == Tier.IMPORTANT and tiers["SharePointFormApp 앱"] == (
        Tier.CRITICAL
    )
    # the classification's option set is not published with the kit: read from its label
    assert set(
        Solution.objects.filter(platform_id__startswith="d1").values_list(
            "data_classification", flat=True
        )
    ) == {DataClassification.CONFIDENTIAL}
    sales = Environment.objects.get(platform_id=SALES)
    assert sales.purpose == EnvironmentPurpose.PRODUCTION and sales.is_managed
    # the flow names its environment by the environment's URL
    flow = Solution.objects.get(platform_id=FLOW)
    assert flow.environment == sales and flow.declared_tier == Tier.CRITICAL
    assert flow.maker is not None and flow.maker.upn == "joon.lim@fabrikam.example"
    assert Solution.objects.get(platform_id="d1d1d1d1-0000-4000-8000-000000000002").environment == (
        Environment.objects.get(platform_id=DEFAULT)
    )  # _admin_appenvironment_value holds the bare tenant GUID


def test_a_data_classification_integer_without_a_label_is_left_out_with_a_warning(
    tmp_path: Path,
) -> None:
    source = (KINDS / "dataverse-web-api" / "admin_apps.json").read_text(encoding="utf-8")
    folder = tmp_path / "coe"
    folder.mkdir()
    shutil.copy(KINDS / "dataverse-web-api" / "admin_environments.json", folder)
    (folder / "admin_apps.json").write_text(
        source.replace('"admin_requirement_6@OData.Community.Display.V1.FormattedValue"', '"x"'),
        encoding="utf-8",
    )
    result = ok(folder)
    assert set(Solution.objects.values_list("data_classification", flat=True)) == {""}
    [warning] = [w for w in result.warnings if w["code"] == "value_ignored"]
    assert warning["column"] == "admin_requirement_6" and warning["count"] == 5


# ------------------------------------------------------------- environment ids


def test_every_form_of_an_environment_id_reaches_one_environment(tmp_path: Path) -> None:
    """Usage, connection references and role grants naming the default environment as
    Default-<tenant>, default-<tenant>, the bare tenant GUID and its URL all land on it."""
    ok(KINDS / "dataverse-web-api")  # environments with their URLs
    folder = tmp_path / "2025-05-03" / "powerapps"
    (folder / "Applications").mkdir(parents=True)
    (folder / "Usage").mkdir()
    forms = [
        f"Default-{TENANT}",
        f"default-{TENANT}",
        TENANT,
        "https://org1a2b3c4d.crm5.dynamics.com/",
        "/providers/Microsoft.BusinessAppPlatform/environments/Default-" + TENANT,
    ]
    lines = []
    usage = []
    for i, form in enumerate(forms, start=1):
        app = f"e1e1e1e1-0000-4000-8000-00000000000{i}"
        lines.append(
            f'{{"resourceId":"{app}","environmentId":"{form}","name":"앱 {i}",'
            f'"subType":"Canvas","createdTime":"2024-01-0{i}T00:00:00Z",'
            f'"createdPrincipalId":"{HANA}"}}'
        )
        usage.append(
            f'{{"appId":"{app}","environmentId":"{form}","objectId":"{JOON}",'
            f'"sessionId":"5e55e55e-0000-4000-8000-00000000000{i}",'
            f'"timeAccessed":"2025-05-03T0{i}:00:00Z"}}'
        )
    (folder / "Applications" / "asia.json").write_text("\n".join(lines), encoding="utf-8")
    (folder / "Usage" / "usage.json").write_text("\n".join(usage), encoding="utf-8")
    result = ok(tmp_path)
    placed = set(
        Solution.objects.filter(platform_id__startswith="e1").values_list(
            "environment__platform_id", flat=True
        )
    )
    assert placed == {DEFAULT}
    assert Environment.objects.count() == 2
    assert result.counts["usage_facts_found"] == 5
    assert all(
        s.last_used_at is not None for s in Solution.objects.filter(platform_id__startswith="e1")
    )
