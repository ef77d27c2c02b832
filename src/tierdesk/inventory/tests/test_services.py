from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common import clock
from tierdesk.common.records import VersionConflict
from tierdesk.inventory import selectors, services
from tierdesk.inventory.models import Solution, SolutionEvent
from tierdesk.inventory.tests.factories import SolutionFactory


def test_update_records_an_event_and_raises_the_version(org: Org) -> None:
    solution = services.solution_update(
        solution=org.own,
        actor=org.users["admin"],
        expected_version=1,
        changes={"tier": "critical"},
    )
    assert (solution.tier, solution.version) == ("critical", 2)
    event = SolutionEvent.objects.get(solution=solution)
    assert event.type == "tier_changed" and event.parameters == {
        "changes": {"tier": ["", "critical"]}
    }


def test_a_stale_edit_is_refused_not_merged_silently(org: Org) -> None:
    stale = Solution.objects.get(pk=org.own.pk)
    services.solution_update(
        solution=org.own, actor=None, expected_version=1, changes={"name": "첫 번째 편집"}
    )
    with pytest.raises(VersionConflict) as conflict:
        services.solution_update(
            solution=stale, actor=None, expected_version=1, changes={"name": "두 번째 편집"}
        )
    assert conflict.value.current.name == "첫 번째 편집"
    assert Solution.objects.get(pk=org.own.pk).name == "첫 번째 편집"


def test_invalid_values_are_refused(org: Org) -> None:
    with pytest.raises(ValidationError):
        services.solution_update(
            solution=org.own, actor=None, expected_version=1, changes={"tier": "legendary"}
        )
    with pytest.raises(ValueError, match="not editable"):
        services.solution_update(
            solution=org.own, actor=None, expected_version=1, changes={"platform_id": "x"}
        )
    assert Solution.objects.get(pk=org.own.pk).version == 1


def test_api_conflict_is_409_with_both_versions(org: Org) -> None:
    api = APIClient()
    api.force_authenticate(org.users["admin"])
    url = f"/api/v1/solutions/{org.own.pk}/"
    assert api.patch(url, {"name": "A", "version": 1}, format="json").status_code == 200
    clash = api.patch(url, {"name": "B", "version": 1}, format="json")
    assert clash.status_code == 409
    assert clash.json()["current"]["name"] == "A" and clash.json()["yours"]["name"] == "B"
    assert api.patch(url, {"name": "B"}, format="json").status_code == 400


def test_usage_facts_keep_history_and_latest_is_cheap(org: Org) -> None:
    today = dt.date(2026, 11, 29)
    for offset, users, shared in ((40, 2, 10), (10, 8, 25), (1, 5, None)):
        services.usage_fact_record(
            solution=org.own,
            date=today - dt.timedelta(days=offset),
            source="coe",
            measures={"unique_users": users, "sessions": users * 2, "shared_users": shared},
        )
    # Another source's same-day fact is kept beside, never overwriting.
    services.usage_fact_record(
        solution=org.own,
        date=today - dt.timedelta(days=1),
        source="data_export",
        measures={"unique_users": 6},
    )
    org.own.refresh_from_db()
    assert org.own.usage_facts.count() == 4
    assert org.own.usage_as_of == today - dt.timedelta(days=1)
    assert org.own.shared_users == 25  # newest non-null sharing figure
    assert org.own.peak_daily_users_30d == 8  # the 40-day-old fact is outside the window
    assert org.own.launches_30d == 16 + 10
    with pytest.raises(ValueError, match="unknown usage measures"):
        services.usage_fact_record(solution=org.own, date=today, source="x", measures={"bogus": 1})


def test_trend_takes_one_point_per_day(org: Org) -> None:
    day = dt.date(2026, 11, 20)
    services.usage_fact_record(solution=org.own, date=day, source="a", measures={"unique_users": 3})
    services.usage_fact_record(
        solution=org.own, date=day, source="b", measures={"unique_users": 4, "sessions": 9}
    )
    trend = selectors.usage_trend(org.own, today=dt.date(2026, 11, 29))
    assert trend == [{"date": day, "users": 4, "activity": 9, "failures": None}]


def test_refresh_clears_latest_when_history_is_gone(org: Org) -> None:
    fact = services.usage_fact_record(
        solution=org.own, date=clock.today(), source="x", measures={"shared_users": 3}
    )
    fact.delete()
    services.solution_refresh_latest_usage(solution_ids=[org.own.pk])
    org.own.refresh_from_db()
    assert org.own.shared_users is None and org.own.usage_as_of is None


@pytest.mark.django_db
def test_identity_is_unique_per_environment() -> None:
    from django.db import IntegrityError, transaction

    first = SolutionFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        SolutionFactory.create(environment=first.environment, platform_id=first.platform_id)
    SolutionFactory.create(platform_id=first.platform_id)  # same id in another environment is fine
