"""SQLite: the staged path (daily usage written to a file of its own before the import's
transaction, applied there in one statement) gives exactly the database the direct path
gives — on a first import, a re-import and a newer export — and leaves no file behind.
These tests commit for real (the stage is attached only outside a transaction)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tierdesk.inventory.importers.engine import stage as stage_module
from tierdesk.inventory.importers.models import ImportRunStatus
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.models import Solution, UsageFact

SAMPLES = Path(__file__).resolve().parents[5] / "tests" / "samples"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="the stage is SQLite's; PostgreSQL writes facts by COPY",
    ),
]


def facts() -> list[tuple[Any, ...]]:
    return sorted(
        UsageFact.objects.values_list(
            "solution__platform_id",
            "date",
            "source",
            "unique_users",
            "sessions",
            "flow_runs",
            "flow_failures",
            "last_used_at",
            "shared_users",
        )
    )


def latest() -> list[tuple[Any, ...]]:
    return sorted(
        Solution.objects.values_list(
            "platform_id",
            "last_used_at",
            "peak_daily_users_30d",
            "launches_30d",
            "usage_as_of",
            "shared_users",
        )
    )


def import_all(folder: Path) -> dict[str, Any]:
    result = import_run_execute(paths=[folder], actor=None)
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    return dict(result.counts)


def test_staged_and_direct_paths_write_the_same(tmp_path: Path, monkeypatch: Any) -> None:
    export = tmp_path / "data_export"
    shutil.copytree(SAMPLES / "data_export", export)
    stages = set(Path(stage_module._folder()).glob("import-stage-*"))
    seen = []
    used: list[bool] = []
    real = stage_module.wants_stage
    for staged in (True, False):
        UsageFact.objects.all().delete()
        Solution.objects.all().delete()

        def decide(got: Any, staged: bool = staged) -> bool:
            chosen = staged and real(got)
            used.append(chosen)
            return chosen

        monkeypatch.setattr("tierdesk.inventory.importers.engine.wants_stage", decide)
        import_all(export)
        again = import_all(export)
        seen.append((facts(), latest()))
        assert not again.get("facts_created") and not again.get("facts_updated"), again
    assert used == [True, True, False, False]
    assert seen[0] == seen[1] and seen[0][0]
    assert set(Path(stage_module._folder()).glob("import-stage-*")) == stages
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        assert [row[1] for row in cursor.fetchall()] in (["main"], ["main", "temp"])


def test_a_newer_export_corrects_staged_facts(tmp_path: Path) -> None:
    export = tmp_path / "data_export"
    shutil.copytree(SAMPLES / "data_export", export)
    import_all(export)
    usage = next(export.rglob("powerautomate/KPI/Usage/usage.json"))
    usage.write_text(
        usage.read_text(encoding="utf-8").replace('"runs": 10', '"runs": 15'), encoding="utf-8"
    )
    counts = import_all(export)
    assert counts["facts_updated"] == 1
    flow = UsageFact.objects.get(
        solution__platform_id="c0ffee00-1234-4abc-8def-001122334455",
        date=dt.date(2025, 5, 3),
        source="data_export",
    )
    assert flow.flow_runs == 17  # 15 + the failed run's 2
