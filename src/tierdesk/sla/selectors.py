"""Reads of the SLA engine: what pages and the desk show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from tierdesk.common import clock as wall
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import ON_CALL_READERS, PLATFORM_STAFF, STAFF_WIDE
from tierdesk.sla import oncall
from tierdesk.sla.choices import Stage
from tierdesk.sla.models import (
    BusinessCalendar,
    OnCallRotation,
    SlaClock,
    SlaEvent,
    SlaPolicy,
)
from tierdesk.sla.services import clock_remaining


def can_edit_service_levels(user: Any) -> bool:
    """Calendars, policies, targets and SLA settings: the platform team and admins (they
    change every ticket's clock)."""
    return bool(roles_of(user) & PLATFORM_STAFF)


def can_edit_on_call(user: Any, rotation: OnCallRotation | None = None) -> bool:
    """Overrides and swaps on a rotation: the platform team and admins."""
    return bool(roles_of(user) & PLATFORM_STAFF)


def calendars_visible_to(user: Any) -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.prefetch_related("closures").order_by("name")


def policies_visible_to(user: Any) -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.prefetch_related("targets__calendar").order_by(
        "kind", "position", "name"
    )


def rotations_visible_to(user: Any) -> QuerySet[OnCallRotation]:
    """Staff-wide roles see every rotation; team members and partners their teams'."""
    qs = OnCallRotation.objects.select_related("team").prefetch_related("members__user")
    roles = roles_of(user)
    if roles & STAFF_WIDE:
        return qs
    if roles & ON_CALL_READERS:
        return qs.filter(team__memberships__user=user).distinct()
    return qs.none()


@dataclass(frozen=True)
class Badge:
    """What a queue row shows for a ticket: the clock due first."""

    state: str  # one of SLA_STATES: "ok", "warning", "breached", "paused" ("met" when done)
    due_at: dt.datetime
    remaining: dt.timedelta
    metric: str


SLA_STATES = ("ok", "warning", "breached", "paused", "met", "cancelled")
"""A clock's stage as badges show it (CSS `.sla-<state>`): running with time to spare,
running with under a quarter of its target left (or after the 75 % warning), breached,
paused, completed in time, cancelled."""


def clock_state(c: SlaClock, remaining: dt.timedelta | None = None) -> str:
    if c.breached:
        return "breached"
    if c.stage == Stage.COMPLETED:
        return "met"
    if c.stage == Stage.CANCELLED:
        return "cancelled"
    remaining = clock_remaining(c) if remaining is None else remaining
    if remaining.total_seconds() <= 0:
        return "breached"
    if c.stage == Stage.PAUSED:
        return "paused"
    if c.warned_75 or remaining <= c.target / 4:
        return "warning"
    return "ok"


def ticket_badges(ticket_ids: list[int], at: dt.datetime | None = None) -> dict[int, Badge]:
    """One query for a page of tickets: each ticket's active clock due first."""
    at = at or wall.now()
    found: dict[int, Badge] = {}
    clocks = SlaClock.objects.filter(
        ticket_id__in=ticket_ids, stage__in=[Stage.IN_PROGRESS, Stage.PAUSED]
    ).order_by("ticket_id", "due_at")
    for c in clocks:
        if c.ticket_id in found:
            continue
        remaining = clock_remaining(c, at)
        found[c.ticket_id] = Badge(clock_state(c, remaining), c.due_at, remaining, c.metric)
    return found


def ticket_clocks(ticket_id: int) -> list[SlaClock]:
    clocks = list(SlaClock.objects.filter(ticket_id=ticket_id).order_by("started_at", "id"))
    at = wall.now()
    for c in clocks:
        c.paused_span = dt.timedelta(microseconds=c.paused_us)  # type: ignore[attr-defined]
        remaining = clock_remaining(c, at) if c.is_active else None
        c.remaining = remaining  # type: ignore[attr-defined]
        c.state = clock_state(c, remaining)  # type: ignore[attr-defined]
    return clocks


def next_due() -> Subquery:
    """For ordering a queue by due time: the ticket's earliest running clock's due time."""
    return Subquery(
        SlaClock.objects.filter(ticket_id=OuterRef("pk"), stage__in=[Stage.IN_PROGRESS])
        .order_by("due_at")
        .values("due_at")[:1]
    )


def ticket_clock_history(ticket_id: int) -> list[SlaEvent]:
    return list(
        SlaEvent.objects.filter(ticket_id=ticket_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def on_call_board(user: Any) -> list[dict[str, Any]]:
    board = []
    for rotation in rotations_visible_to(user).order_by("team__name", "name"):
        shifts = oncall.upcoming_shifts(rotation, count=4)
        board.append(
            {"rotation": rotation, "now": shifts[0] if shifts else None, "next": shifts[1:]}
        )
    return board
