"""Writes to the inventory. Views, the API, importers, the demo and the CLI all call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.common.records import VersionConflict, record_delete, record_save
from tierdesk.inventory import selectors
from tierdesk.inventory.choices import SolutionEventType
from tierdesk.inventory.models import Environment, Solution, SolutionEvent, UsageFact
from tierdesk.inventory.signals import support_changed
from tierdesk.inventory.usage_refresh import solutions_refresh_latest_usage

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


SUPPORT_FIELDS = frozenset({"tier", "support_model", "supporting_team"})
"""The fields that decide who supports a solution and to which service level."""

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
        raise VersionConflict(current=current, yours=dict(update))
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
    if SUPPORT_FIELDS & set(changed):
        solutions_support_changed(solution_ids=[solution.pk], actor=actor)
    return solution


def solutions_support_changed(*, solution_ids: Iterable[int], actor: User | None = None) -> None:
    """Say that these solutions' tier, support model or supporting team changed, in the
    transaction that changed them: the apps above react in it (the desk moves the open
    tickets to the service level the solution now has), so both commit or neither does.
    Every path that changes those fields calls this — `solution_update` (governance,
    graduation, the API) and the admin's solution form."""
    ids = sorted(set(solution_ids))
    if ids:
        support_changed.send(sender=Solution, solution_ids=ids, actor=actor)


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
    """Copy the newest value of each measure (and 30-day figures) onto the solutions;
    the rules live in `usage_refresh`, shared with the importers."""
    return solutions_refresh_latest_usage(solution_ids=solution_ids)


# --- corrections by hand (the API); each checks `selectors.can_edit_inventory` ---------


def _inventory_editor(actor: User) -> None:
    require(selectors.can_edit_inventory(actor), _("Only an admin corrects the inventory by hand."))


def solution_edit(
    *, actor: User, solution: Solution, expected_version: int, changes: Mapping[str, Any]
) -> Solution:
    """An admin's correction of a solution's fields, guarded like every other edit."""
    _inventory_editor(actor)
    return solution_update(
        solution=solution, actor=actor, expected_version=expected_version, changes=changes
    )


def environment_save(
    *, actor: User, instance: Environment | None, data: Mapping[str, Any]
) -> Environment:
    _inventory_editor(actor)
    return record_save(Environment, instance, data)


def environment_delete(*, actor: User, instance: Environment) -> None:
    """Refused with ProtectedError (409) while solutions still live in it."""
    _inventory_editor(actor)
    record_delete(instance)


@transaction.atomic
def usage_fact_save(
    *, actor: User, instance: UsageFact | None, data: Mapping[str, Any]
) -> UsageFact:
    """Record or correct one day's figures by hand (the same row an import would write)."""
    _inventory_editor(actor)
    measures = {k: v for k, v in data.items() if k in USAGE_MEASURES}
    solution = data.get("solution", instance.solution if instance else None)
    date = data.get("date", instance.date if instance else None)
    source = data.get("source", instance.source if instance else None)
    if instance is not None and (
        solution != instance.solution or date != instance.date or source != instance.source
    ):
        instance_id = instance.solution_id
        instance.delete()
        solution_refresh_latest_usage(solution_ids=[instance_id])
    assert solution is not None and date is not None and source is not None
    return usage_fact_record(solution=solution, date=date, source=source, measures=measures)


@transaction.atomic
def usage_fact_delete(*, actor: User, instance: UsageFact) -> None:
    _inventory_editor(actor)
    solution_id = instance.solution_id
    instance.delete()
    solution_refresh_latest_usage(solution_ids=[solution_id])
