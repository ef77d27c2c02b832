"""Writes of the SLA engine: clocks attached, paused, resumed, completed and re-attached
as tickets change, timed escalations started and acknowledged.

The desk calls three functions (design.md §3: desk → sla), inside its own transaction:

- `clocks_attach(ticket=…)` when a ticket is filed (or `clocks_plan` before the
  transaction and `clocks_attach_planned` inside it);
- `clocks_reply(ticket=…, by_support=…)` when someone replies in public;
- `clocks_sync(ticket=…)` after any other change: status (pause, resume, stop, reopen),
  priority or tier (re-attach, counted from the ticket's start), support level (OLA and
  underpinning clocks).

Due times are computed here, when things happen, and stored; the sweep only reads what
is due (sweep.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from tierdesk.accounts.models import User
from tierdesk.common import clock as wall
from tierdesk.sla import calendars
from tierdesk.sla.businesstime import (
    BusinessCalendar,
    CalendarSpec,
    calendar_for,
    from_micros,
    to_micros,
)
from tierdesk.sla.choices import (
    AgreementKind,
    ClockEventType,
    EscalationState,
    Metric,
    Stage,
)
from tierdesk.sla.models import EscalationRun, SlaClock, SlaEvent, SlaPolicy, SlaSettings

if TYPE_CHECKING:
    from tierdesk.desk.models import Ticket

WARN_FRACTIONS = ((ClockEventType.WARNED_50, 0.5), (ClockEventType.WARNED_75, 0.75))
ACTIVE = (Stage.IN_PROGRESS, Stage.PAUSED)
START_METRICS = (Metric.FIRST_RESPONSE, Metric.RESOLUTION)


# --- clock arithmetic (pure: no queries) ----------------------------------------------


def clock_calendar(clock: SlaClock) -> BusinessCalendar:
    spec = CalendarSpec.from_json(clock.snapshot["calendar"]["spec"])
    return calendar_for(spec)


def threshold_at(clock: SlaClock, fraction: float) -> dt.datetime:
    """When `fraction` of the target will have been used, pauses so far included."""
    cal = clock_calendar(clock)
    need = int(clock.target_us * fraction) + clock.paused_us
    return from_micros(cal.add_micros(to_micros(clock.started_at), need))


def clock_schedule(clock: SlaClock) -> None:
    """Set `due_at` and `next_check_at` (the earliest warning or breach still to fire);
    a paused or finished clock has nothing to check."""
    clock.due_at = threshold_at(clock, 1.0)
    if clock.stage != Stage.IN_PROGRESS:
        clock.next_check_at = None
        return
    pending: list[dt.datetime] = []
    if not clock.warned_50:
        pending.append(threshold_at(clock, 0.5))
    elif not clock.warned_75:
        pending.append(threshold_at(clock, 0.75))
    if not clock.breached:
        pending.append(clock.due_at)
    clock.next_check_at = min(pending) if pending else None


def clock_elapsed(clock: SlaClock, at: dt.datetime | None = None) -> dt.timedelta:
    """Working time used so far (pauses excluded)."""
    at = at or wall.now()
    end = clock.stopped_at or clock.paused_at or at
    used = clock_calendar(clock).between_micros(to_micros(clock.started_at), to_micros(end))
    return dt.timedelta(microseconds=max(used - clock.paused_us, 0))


def clock_remaining(clock: SlaClock, at: dt.datetime | None = None) -> dt.timedelta:
    """Working time left (negative once breached)."""
    return clock.target - clock_elapsed(clock, at)


# --- attaching ---------------------------------------------------------------------


def _snapshot(
    policy: SlaPolicy, target: Any, facts: calendars.Facts, pause_statuses: list[str]
) -> dict[str, Any]:
    return {
        "policy": {"id": policy.pk, "name": policy.name, "version": policy.version},
        "kind": policy.kind,
        "metric": target.metric,
        "minutes": target.minutes,
        "calendar": calendars.calendar_snapshot(target.calendar),
        "facts": {"tier": facts.tier, "priority": facts.priority, "level": facts.level},
        "pause_statuses": list(pause_statuses),
    }


def _new_clock(
    *,
    ticket: Ticket,
    policy: SlaPolicy,
    metric: str,
    facts: calendars.Facts,
    settings_row: SlaSettings,
    started_at: dt.datetime,
    level: str = "",
) -> SlaClock | None:
    target = next((t for t in policy.targets.all() if t.metric == metric), None)
    if target is None:
        return None
    clock = SlaClock(
        ticket=ticket,
        policy=policy,
        kind=policy.kind,
        metric=metric,
        level=level,
        snapshot=_snapshot(policy, target, facts, settings_row.pause_statuses),
        target_us=target.minutes * 60 * 1_000_000,
        started_at=started_at,
        created_at=wall.now(),
    )
    clock_schedule(clock)
    clock.original_due_at = clock.due_at
    return clock


def _event(
    clock: SlaClock | None,
    ticket: Ticket,
    type: str,
    actor: User | None = None,
    at: dt.datetime | None = None,
    **params: Any,
) -> SlaEvent:
    if clock is not None:
        params.setdefault("metric", clock.metric)
        params.setdefault("kind", clock.kind)
    return SlaEvent(
        ticket=ticket,
        clock=clock,
        type=type,
        actor=actor,
        parameters=params,
        created_at=at or wall.now(),
    )


def _save_new(clocks: list[SlaClock], ticket: Ticket, actor: User | None) -> None:
    if not clocks:
        return
    SlaClock.objects.bulk_create(clocks)
    if not clocks[0].pk:  # backends that do not return ids from bulk inserts
        for c in clocks:
            c.save()
    SlaEvent.objects.bulk_create(
        [
            _event(
                c,
                ticket,
                ClockEventType.STARTED,
                actor,
                due=c.due_at.isoformat(),
                policy=c.snapshot["policy"]["name"],
            )
            for c in clocks
        ]
    )


def _level_policy(policies: list[SlaPolicy], facts: calendars.Facts) -> SlaPolicy | None:
    for kind in (AgreementKind.OLA, AgreementKind.UNDERPINNING):
        found = calendars.policy_match(policies, kind=kind, facts=facts)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class AttachPlan:
    """A new ticket's clocks, computed before the write transaction opens (policy match
    and business-time arithmetic are pure), so the transaction holds only the inserts."""

    clocks: list[SlaClock]
    facts: calendars.Facts
    settings_row: SlaSettings


def clocks_plan(*, ticket: Ticket, facts: calendars.Facts) -> AttachPlan:
    """The clocks a ticket about to be filed gets (its id may still be missing): no
    writes, and no queries once the policy configuration is cached."""
    policies, settings_row = calendars.config()
    opened_at = facts.opened_at or wall.now()
    clocks: list[SlaClock] = []
    policy = calendars.policy_match(policies, kind=AgreementKind.SLA, facts=facts)
    if policy is not None:
        for metric in START_METRICS:
            made = _new_clock(
                ticket=ticket,
                policy=policy,
                metric=metric,
                facts=facts,
                settings_row=settings_row,
                started_at=opened_at,
            )
            if made is not None:
                clocks.append(made)
    level_policy = _level_policy(policies, facts)
    if level_policy is not None:
        clocks += _level_clocks(ticket, level_policy, facts, settings_row, opened_at)
    return AttachPlan(clocks=clocks, facts=facts, settings_row=settings_row)


def clocks_attach_planned(*, ticket: Ticket, plan: AttachPlan, actor: User | None) -> None:
    """Insert planned clocks (one multi-row INSERT, one for their events) with no
    savepoint: the desk calls it in the transaction that inserted the ticket."""
    _save_new(plan.clocks, ticket, actor)
    if plan.facts.status in plan.settings_row.pause_statuses:
        _pause(plan.clocks, ticket, actor, wall.now(), plan.facts.status)
    if _escalation_wanted(plan.facts, plan.settings_row):
        _escalation_sync(ticket, plan.facts, plan.settings_row, actor)


@transaction.atomic
def clocks_attach(
    *, ticket: Ticket, facts: calendars.Facts, actor: User | None = None, new: bool = False
) -> list[SlaClock]:
    """A new ticket gets its SLA clocks (first response, resolution), the clocks of the
    level it starts at, and a timed escalation when it qualifies. Attaching twice
    attaches nothing more."""
    if not new:  # the desk says when the ticket was inserted in this transaction
        existing = list(SlaClock.objects.filter(ticket_id=ticket.pk))
        if existing:
            return existing
    plan = clocks_plan(ticket=ticket, facts=facts)
    clocks_attach_planned(ticket=ticket, plan=plan, actor=actor)
    return plan.clocks


def _level_clocks(
    ticket: Ticket,
    policy: SlaPolicy,
    facts: calendars.Facts,
    settings_row: SlaSettings,
    at: dt.datetime,
) -> list[SlaClock]:
    found = []
    for metric in START_METRICS:
        new = _new_clock(
            ticket=ticket,
            policy=policy,
            metric=metric,
            facts=facts,
            settings_row=settings_row,
            started_at=at,
            level=facts.level,
        )
        if new is not None:
            found.append(new)
    return found


# --- pausing, resuming, stopping ------------------------------------------------------


_MOVING = ["stage", "paused_at", "paused_us", "due_at", "next_check_at", "stopped_at"]


def _pause(
    clocks: Iterable[SlaClock], ticket: Ticket, actor: User | None, at: dt.datetime, status: str
) -> None:
    events = []
    for c in clocks:
        if c.stage != Stage.IN_PROGRESS:
            continue
        c.stage, c.paused_at = Stage.PAUSED, at
        clock_schedule(c)
        c.save(update_fields=_MOVING)
        events.append(_event(c, ticket, ClockEventType.PAUSED, actor, at, status=status))
    SlaEvent.objects.bulk_create(events)


def _resume(
    clocks: Iterable[SlaClock], ticket: Ticket, actor: User | None, at: dt.datetime
) -> None:
    events = []
    for c in clocks:
        if c.stage != Stage.PAUSED or c.paused_at is None:
            continue
        cal = clock_calendar(c)
        paused = cal.between_micros(to_micros(c.paused_at), to_micros(at))
        c.paused_us += paused
        c.stage, c.paused_at = Stage.IN_PROGRESS, None
        clock_schedule(c)
        c.save(update_fields=_MOVING)
        events.append(
            _event(
                c,
                ticket,
                ClockEventType.RESUMED,
                actor,
                at,
                paused_minutes=round(paused / 60_000_000, 1),
                due=c.due_at.isoformat(),
            )
        )
    SlaEvent.objects.bulk_create(events)


def _complete(
    clocks: Iterable[SlaClock], ticket: Ticket, actor: User | None, at: dt.datetime
) -> None:
    events = []
    for c in clocks:
        if c.stage not in ACTIVE:
            continue
        if c.stage == Stage.PAUSED and c.paused_at is not None:
            c.paused_us += clock_calendar(c).between_micros(to_micros(c.paused_at), to_micros(at))
            c.paused_at = None
        c.stage, c.stopped_at = Stage.COMPLETED, at
        clock_schedule(c)
        met = at <= c.due_at
        c.save(update_fields=_MOVING)
        events.append(_event(c, ticket, ClockEventType.COMPLETED, actor, at, met=met))
    SlaEvent.objects.bulk_create(events)


def _active(ticket: Ticket) -> list[SlaClock]:
    return list(
        SlaClock.objects.select_for_update()
        .filter(ticket_id=ticket.pk, stage__in=ACTIVE)
        .order_by("id")
    )


@transaction.atomic
def clocks_reply(
    *, ticket: Ticket, facts: calendars.Facts, by_support: bool, actor: User | None = None
) -> None:
    """A public reply. From support it meets the first response (of the ticket and of
    the level it stands at) and the next update, opens the next update's cycle and
    acknowledges a timed escalation."""
    at = wall.now()
    if by_support:
        active = _active(ticket)
        # Clocks started by this very reply are left alone, so a repeated call is harmless.
        done = [
            c
            for c in active
            if c.metric in (Metric.FIRST_RESPONSE, Metric.NEXT_UPDATE) and c.started_at < at
        ]
        _complete(done, ticket, actor, at)
        escalation_acknowledge(ticket=ticket, actor=actor)
        waiting = any(c.metric == Metric.NEXT_UPDATE and c.started_at >= at for c in active)
        if facts.is_open and not waiting:
            _next_update_start(ticket, facts, actor, at)
    clocks_sync(ticket=ticket, facts=facts, actor=actor)


def _next_update_start(
    ticket: Ticket, facts: calendars.Facts, actor: User | None, at: dt.datetime
) -> None:
    policies, settings_row = calendars.config()
    policy = calendars.policy_match(policies, kind=AgreementKind.SLA, facts=facts)
    if policy is None:
        return
    new = _new_clock(
        ticket=ticket,
        policy=policy,
        metric=Metric.NEXT_UPDATE,
        facts=facts,
        settings_row=settings_row,
        started_at=at,
    )
    if new is not None:
        _save_new([new], ticket, actor)
        if facts.status in new.snapshot["pause_statuses"]:
            _pause([new], ticket, actor, at, facts.status)


@transaction.atomic
def clocks_sync(
    *, ticket: Ticket, facts: calendars.Facts, actor: User | None = None, reason: str = ""
) -> None:
    """Bring the ticket's clocks in line with what the desk says of it now (`facts`),
    whatever changed."""
    at = wall.now()
    policies, settings_row = calendars.config()
    active = _active(ticket)
    if not facts.is_open:
        _complete(active, ticket, actor, facts.resolved_at or at)
        _escalation_stop(ticket, actor, EscalationState.STOPPED)
        return
    sla = [c for c in active if c.kind == AgreementKind.SLA]
    if not any(c.metric == Metric.RESOLUTION for c in sla):
        # Reopened (or filed before any policy existed): a new resolution cycle.
        reopened = SlaClock.objects.filter(ticket_id=ticket.pk, metric=Metric.RESOLUTION).exists()
        policy = calendars.policy_match(policies, kind=AgreementKind.SLA, facts=facts)
        if policy is not None:
            new = _new_clock(
                ticket=ticket,
                policy=policy,
                metric=Metric.RESOLUTION,
                facts=facts,
                settings_row=settings_row,
                started_at=at if reopened else (facts.opened_at or at),
            )
            if new is not None:
                _save_new([new], ticket, actor)
                active.append(new)
    elif any(_facts_changed(c, facts) for c in sla):
        active = _reattach(ticket, active, facts, policies, settings_row, actor, reason)
    # Operational and underpinning clocks follow the level the ticket stands at.
    leaving = [c for c in active if c.kind != AgreementKind.SLA and c.level != facts.level]
    _complete(leaving, ticket, actor, at)
    if not any(c.kind != AgreementKind.SLA and c.level == facts.level for c in active):
        level_policy = _level_policy(policies, facts)
        if level_policy is not None:
            new_level = _level_clocks(ticket, level_policy, facts, settings_row, at)
            _save_new(new_level, ticket, actor)
            active += new_level
    running = [c for c in active if c.stage in ACTIVE and c not in leaving]
    if facts.status in settings_row.pause_statuses:
        _pause(running, ticket, actor, at, facts.status)
    else:
        _resume(running, ticket, actor, at)
    _escalation_sync(ticket, facts, settings_row, actor)


def _facts_changed(clock: SlaClock, facts: calendars.Facts) -> bool:
    was = clock.snapshot.get("facts", {})
    return bool(was.get("tier") != facts.tier or was.get("priority") != facts.priority)


def _reattach(
    ticket: Ticket,
    active: list[SlaClock],
    facts: calendars.Facts,
    policies: list[SlaPolicy],
    settings_row: SlaSettings,
    actor: User | None,
    reason: str,
) -> list[SlaClock]:
    """Priority or tier changed: cancel the SLA clocks and attach the new policy's,
    counted from each old clock's start (retroactive start) with the pause already
    accrued (retroactive pause). The old clocks stay, cancelled, in the history."""
    at = wall.now()
    policy = calendars.policy_match(policies, kind=AgreementKind.SLA, facts=facts)
    kept = [c for c in active if c.kind != AgreementKind.SLA]
    old = [c for c in active if c.kind == AgreementKind.SLA]
    replacements: list[tuple[SlaClock, SlaClock]] = []
    for c in old:
        new = None
        if policy is not None:
            new = _new_clock(
                ticket=ticket,
                policy=policy,
                metric=c.metric,
                facts=facts,
                settings_row=settings_row,
                started_at=c.started_at,
            )
        if new is not None:
            new.paused_us, new.paused_at, new.stage = c.paused_us, c.paused_at, c.stage
            clock_schedule(new)
            new.original_due_at = new.due_at
            replacements.append((c, new))
    _save_new([n for _o, n in replacements], ticket, actor)
    by_old = {o.pk: n for o, n in replacements}
    events = []
    for c in old:
        new = by_old.get(c.pk)
        c.stage, c.stopped_at, c.next_check_at = Stage.CANCELLED, at, None
        c.replaced_by = new
        c.cancel_reason = (reason or "priority or tier changed")[:200]
        c.save(
            update_fields=["stage", "stopped_at", "next_check_at", "replaced_by", "cancel_reason"]
        )
        events.append(
            _event(
                c,
                ticket,
                ClockEventType.CANCELLED,
                actor,
                at,
                was=c.snapshot.get("facts", {}),
                now={"tier": facts.tier, "priority": facts.priority},
                new_due=new.due_at.isoformat() if new else None,
            )
        )
    SlaEvent.objects.bulk_create(events)
    return kept + [n for _o, n in replacements]


# --- timed escalation -------------------------------------------------------------------


def _escalation_wanted(facts: calendars.Facts, settings_row: SlaSettings) -> bool:
    return (
        facts.priority in settings_row.escalate_priorities
        and facts.tier in settings_row.escalate_tiers
        and bool(settings_row.escalation_steps)
    )


def _escalation_sync(
    ticket: Ticket, facts: calendars.Facts, settings_row: SlaSettings, actor: User | None
) -> None:
    running = EscalationRun.objects.filter(ticket_id=ticket.pk, state=EscalationState.RUNNING)
    if _escalation_wanted(facts, settings_row):
        done_before = EscalationRun.objects.filter(ticket_id=ticket.pk).exists()
        if not done_before:
            escalation_start(
                ticket=ticket, solution_id=facts.solution_id, actor=actor, settings_row=settings_row
            )
    elif running.exists():
        _escalation_stop(ticket, actor, EscalationState.STOPPED)


def escalation_start(
    *,
    ticket: Ticket,
    solution_id: int | None,
    actor: User | None = None,
    settings_row: SlaSettings | None = None,
) -> EscalationRun:
    """Snapshot the path now (who is paged at each step is decided then, so editing the
    settings or the rotation's team never changes an escalation in flight)."""
    from tierdesk.sla import oncall

    settings_row = settings_row or calendars.config()[1]
    team = oncall.escalation_team(solution_id)
    rotation = oncall.rotation_for_team(team) if team is not None else None
    steps = [
        {
            "after_minutes": int(step["after_minutes"]),
            "target": step["target"],
            "team_id": team.pk if team else None,
            "rotation_id": rotation.pk if rotation else None,
        }
        for step in settings_row.escalation_steps
    ]
    start = wall.now()
    run = EscalationRun.objects.create(
        ticket=ticket,
        snapshot={"steps": steps, "global_admin_email": settings_row.global_admin_email},
        started_at=start,
        next_check_at=start + dt.timedelta(minutes=steps[0]["after_minutes"]),
    )
    SlaEvent.objects.create(
        ticket=ticket,
        type=ClockEventType.ESCALATION_STARTED,
        actor=actor,
        parameters={"steps": len(steps), "team": str(team) if team else None},
        created_at=start,
    )
    return run


def _escalation_stop(ticket: Ticket, actor: User | None, state: str) -> int:
    at = wall.now()
    stopped = EscalationRun.objects.filter(
        ticket_id=ticket.pk, state=EscalationState.RUNNING
    ).update(
        state=state,
        next_check_at=None,
        acknowledged_at=at if state == EscalationState.ACKNOWLEDGED else None,
        acknowledged_by=actor if state == EscalationState.ACKNOWLEDGED else None,
    )
    if stopped:
        SlaEvent.objects.create(
            ticket=ticket,
            type=ClockEventType.ESCALATION_ENDED,
            actor=actor,
            parameters={"state": state},
            created_at=at,
        )
    return stopped


@transaction.atomic
def escalation_acknowledge(*, ticket: Ticket, actor: User | None) -> bool:
    """Someone took the page: no further steps fire."""
    return bool(_escalation_stop(ticket, actor, EscalationState.ACKNOWLEDGED))


# --- on-call ------------------------------------------------------------------------
