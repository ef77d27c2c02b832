"""Who is on call: rotations with members in order, shifts of fixed length handed off at
a local time, overrides and swaps on top (Grafana OnCall's layered schedule, kept small)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution
from tierdesk.sla.choices import OverrideKind
from tierdesk.sla.models import OnCallOverride, OnCallRotation, RotationMember


@dataclass(frozen=True)
class Shift:
    starts_at: dt.datetime
    ends_at: dt.datetime
    user: User | None
    scheduled: User | None
    override: OnCallOverride | None = None


def _shift_bounds(
    rotation: OnCallRotation, at: dt.datetime
) -> tuple[int, dt.datetime, dt.datetime]:
    """The index of the shift holding `at` and its bounds. Shifts of whole days follow
    the local wall clock (hand-off at the same local time across daylight saving)."""
    zone = ZoneInfo(rotation.time_zone)
    anchor = dt.datetime.combine(rotation.starts_on, rotation.handoff_time, zone)
    hours = max(rotation.shift_hours, 1)
    if hours % 24 == 0:
        days = hours // 24
        local = at.astimezone(zone)
        day = local.date()
        if local.time() < rotation.handoff_time:
            day -= dt.timedelta(days=1)
        index = (day - rotation.starts_on).days // days
        first = rotation.starts_on + dt.timedelta(days=index * days)
        start = dt.datetime.combine(first, rotation.handoff_time, zone)
        end = dt.datetime.combine(first + dt.timedelta(days=days), rotation.handoff_time, zone)
        return index, start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    length = dt.timedelta(hours=hours)
    index = (at - anchor) // length
    start = anchor + index * length
    return index, start.astimezone(dt.UTC), (start + length).astimezone(dt.UTC)


def shift_at(
    rotation: OnCallRotation,
    at: dt.datetime,
    *,
    members: list[User] | None = None,
    overrides: list[OnCallOverride] | None = None,
) -> Shift:
    if members is None:
        members = [
            m.user for m in RotationMember.objects.filter(rotation=rotation).select_related("user")
        ]
    index, start, end = _shift_bounds(rotation, at)
    scheduled = members[index % len(members)] if members and index >= 0 else None
    if overrides is None:
        overrides = list(
            OnCallOverride.objects.filter(
                rotation=rotation, starts_at__lte=at, ends_at__gt=at
            ).select_related("user", "replaces")
        )
    winner = None
    for o in sorted(overrides, key=lambda o: (o.created_at, o.pk or 0)):
        if not (o.starts_at <= at < o.ends_at):
            continue
        if o.kind == OverrideKind.SWAP and o.replaces_id != (scheduled.pk if scheduled else None):
            continue
        winner = o  # the newest override that applies wins
    if winner is not None:
        return Shift(
            max(start, winner.starts_at), min(end, winner.ends_at), winner.user, scheduled, winner
        )
    return Shift(start, end, scheduled, scheduled)


def on_call_now(rotation: OnCallRotation, at: dt.datetime | None = None) -> User | None:
    return shift_at(rotation, at or clock.now()).user


def upcoming_shifts(rotation: OnCallRotation, *, count: int = 6) -> list[Shift]:
    members = [
        m.user for m in RotationMember.objects.filter(rotation=rotation).select_related("user")
    ]
    now = clock.now()
    overrides = list(
        OnCallOverride.objects.filter(rotation=rotation, ends_at__gt=now).select_related(
            "user", "replaces"
        )
    )
    shifts: list[Shift] = []
    at = now
    for _shift_index in range(count):
        shift = shift_at(rotation, at, members=members, overrides=overrides)
        shifts.append(shift)
        at = shift.ends_at
    return shifts


def rotation_for_team(team: SupportTeam) -> OnCallRotation | None:
    return (
        OnCallRotation.objects.filter(team=team, is_active=True, members__isnull=False)
        .order_by("id")
        .first()
    )


def escalation_team(solution_id: int | None) -> SupportTeam | None:
    """Who is paged for a ticket about a solution: its supporting team when it keeps a
    rotation, else the platform team that does."""
    solution = (
        Solution.objects.select_related("supporting_team").filter(pk=solution_id).first()
        if solution_id
        else None
    )
    if solution is not None and solution.supporting_team_id is not None:
        team = solution.supporting_team
        if team is not None and rotation_for_team(team) is not None:
            return team
    with_rotation = SupportTeam.objects.filter(
        kind=TeamKind.PLATFORM, rotations__is_active=True
    ).order_by("id")
    return with_rotation.first() or SupportTeam.objects.filter(kind=TeamKind.PLATFORM).first()


def critical_solutions_without_on_call() -> QuerySet[Solution]:
    """Critical solutions whose supporting team keeps no active rotation with members:
    a critical solution needs 24/7 on-call (design.md §6)."""
    staffed = OnCallRotation.objects.filter(
        team_id=OuterRef("supporting_team_id"), is_active=True, members__isnull=False
    )
    return (
        Solution.objects.filter(tier=Tier.CRITICAL, is_deleted=False)
        .filter(Q(supporting_team__isnull=True) | ~Exists(staffed))
        .order_by("name", "id")
    )


@transaction.atomic
def override_create(
    *,
    rotation: OnCallRotation,
    user: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    actor: User | None,
    replaces: User | None = None,
    kind: str = "override",
    reason: str = "",
) -> OnCallOverride:
    """Put `user` on call for an interval (an override), or in place of `replaces`
    only (a swap). Refused (PermissionDenied) unless `selectors.can_edit_on_call`; no
    actor is tierdesk itself (the demo)."""
    from tierdesk.sla.selectors import can_edit_on_call

    if actor is not None:
        require(can_edit_on_call(actor, rotation), _("The platform team edits on-call."))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if kind == "swap" and replaces is None:
        raise ValidationError({"replaces": _("A swap names whose shift is taken.")})
    found = OnCallOverride(
        rotation=rotation,
        kind=kind,
        user=user,
        replaces=replaces,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
        created_at=clock.now(),
    )
    found.full_clean()
    found.save()
    return found
