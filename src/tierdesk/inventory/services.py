"""Writes to the inventory. Views, the API, importers, the demo and the CLI all call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Max

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.inventory.choices import SolutionEventType
from tierdesk.inventory.models import Solution, SolutionEvent, UsageFact

USAGE_WINDOW_DAYS = 30
USAGE_MEASURES = (
    "shared_users",
    "shared_groups",
    "shared_with_tenant",
    "unique_users",
    "sessions",
    "flow_runs",
    "flow_failures",
    "last_used_at",
)


class ConcurrentEditError(Exception):
    """Somebody else changed the record since the editor loaded it."""

    def __init__(self, *, current: Solution, changed_fields: dict[str, Any]) -> None:
        super().__init__(
            f"solution {current.pk} was changed by someone else (now version {current.version})"
        )
        self.current = current
        self.changed_fields = changed_fields


EDITABLE_FIELDS = frozenset(
    {
        "name",
        "description",
        "business_unit",
        "alm_method",
        "data_classification",
        "declared_tier",
        "tier",
        "support_model",
        "supporting_team",
        "state",
    }
)


@transaction.atomic
def solution_update(
    *, solution: Solution, actor: User | None, expected_version: int, changes: Mapping[str, Any]
) -> Solution:
    """Change fields of a solution if nobody changed it since `expected_version`.

    The version check and the write are one UPDATE ... WHERE version = expected, so two
    editors can never both win."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"fields not editable here: {sorted(unknown)}")
    before = {name: getattr(solution, name) for name in changes}
    for name, value in changes.items():
        setattr(solution, name, value)
    solution.full_clean(exclude=["maker", "environment"], validate_unique=False)
    update = {name: getattr(solution, name) for name in changes}
    column_values = {
        (f"{name}_id" if name in {"business_unit", "supporting_team"} else name): (
            value.pk if hasattr(value, "pk") else value
        )
        for name, value in update.items()
    }
    updated = Solution.objects.filter(pk=solution.pk, version=expected_version).update(
        **column_values, version=F("version") + 1, updated_at=clock.now()
    )
    if not updated:
        current = Solution.objects.get(pk=solution.pk)
        raise ConcurrentEditError(current=current, changed_fields=dict(update))
    solution.refresh_from_db()
    changed = {
        name: [_plain(before[name]), _plain(update[name])]
        for name in update
        if before[name] != update[name]
    }
    if changed:
        SolutionEvent.objects.create(
            solution=solution,
            actor=actor,
            type=(
                SolutionEventType.TIER_CHANGED if "tier" in changed else SolutionEventType.UPDATED
            ),
            parameters={"changes": changed},
        )
    return solution


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def usage_fact_record(
    *, solution: Solution, date: dt.date, source: str, measures: Mapping[str, Any]
) -> UsageFact:
    """Record (or correct) what `source` reported about `solution` on `date`, then
    refresh the solution's latest figures."""
    unknown = set(measures) - set(USAGE_MEASURES)
    if unknown:
        raise ValueError(f"unknown usage measures: {sorted(unknown)}")
    fact, _created = UsageFact.objects.update_or_create(
        solution=solution, date=date, source=source, defaults=dict(measures)
    )
    solution_refresh_latest_usage(solution_ids=[solution.pk])
    return fact


def solution_refresh_latest_usage(*, solution_ids: Iterable[int]) -> int:
    """Copy the newest value of each measure (and 30-day totals) onto the solutions.

    Works in chunks so importers can call it for 100,000 solutions at once."""
    ids = sorted(set(solution_ids))
    updated = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        latest = _latest_usage(chunk)
        solutions = list(Solution.objects.filter(pk__in=chunk))
        for solution in solutions:
            for name, value in latest.get(solution.pk, _EMPTY_LATEST).items():
                setattr(solution, name, value)
        updated += Solution.objects.bulk_update(solutions, list(_EMPTY_LATEST), batch_size=500)
    return updated


_EMPTY_LATEST: dict[str, Any] = {
    "shared_users": None,
    "shared_groups": None,
    "shared_with_tenant": None,
    "peak_daily_users_30d": None,
    "launches_30d": None,
    "last_used_at": None,
    "usage_as_of": None,
}


def _latest_usage(solution_ids: list[int]) -> dict[int, dict[str, Any]]:
    result: dict[int, dict[str, Any]] = {}
    newest = dict(
        UsageFact.objects.filter(solution_id__in=solution_ids)
        .values("solution_id")
        .annotate(newest=Max("date"))
        .values_list("solution_id", "newest")
    )
    if not newest:
        return result
    for solution_id, as_of in newest.items():
        result[solution_id] = {**_EMPTY_LATEST, "usage_as_of": as_of}
    # Newest non-null sharing figures, whatever day they were reported.
    for measure in ("shared_users", "shared_groups", "shared_with_tenant"):
        rows = (
            UsageFact.objects.filter(solution_id__in=solution_ids, **{f"{measure}__isnull": False})
            .order_by("solution_id", "date", "source")
            .values_list("solution_id", measure)
        )
        for solution_id, value in rows:  # ascending: the last one seen is the newest
            result[solution_id][measure] = value
    oldest_as_of = min(newest.values())
    window = UsageFact.objects.filter(
        solution_id__in=solution_ids,
        date__gt=oldest_as_of - dt.timedelta(days=USAGE_WINDOW_DAYS),
    ).values_list("solution_id", "date", "unique_users", "sessions", "flow_runs")
    for solution_id, date, users, sessions, runs in window:
        latest = result[solution_id]
        if date <= latest["usage_as_of"] - dt.timedelta(days=USAGE_WINDOW_DAYS):
            continue
        if users is not None:
            latest["peak_daily_users_30d"] = max(latest["peak_daily_users_30d"] or 0, users)
        activity = (sessions or 0) + (runs or 0)
        if sessions is not None or runs is not None:
            latest["launches_30d"] = (latest["launches_30d"] or 0) + activity
    last_used = (
        UsageFact.objects.filter(solution_id__in=solution_ids, last_used_at__isnull=False)
        .values("solution_id")
        .annotate(last=Max("last_used_at"))
        .values_list("solution_id", "last")
    )
    for solution_id, last in last_used:
        result[solution_id]["last_used_at"] = last
    return result
