"""Moves along the support ladder, each an explicit service that records who, when and
why: triage, assign, redirect, escalate, de-escalate, hand back, hand over, link
duplicates, merge, and vendor and partner cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.choices import SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.desk import events, notifications, routing, selectors
from tierdesk.desk.choices import (
    VENDOR_CASE_OPEN_STATUSES,
    HealthResult,
    TicketStatus,
    VendorCaseStatus,
)
from tierdesk.desk.models import (
    EscalationPath,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketWatcher,
    VendorCase,
)
from tierdesk.desk.services import lock, priority_for, save, sla_facts
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution
from tierdesk.sla import services as sla


def _may(ticket: Ticket, actor: User | None, move: str) -> None:
    """Every move asks `selectors.can_move` first (no actor: the system's own move)."""
    if actor is not None:
        require(
            selectors.can_move(actor, ticket, move),
            _("You may not make this move on this ticket."),
        )


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the next person knows.")})
    return reason


def _open(ticket: Ticket) -> None:
    if not ticket.is_open:
        raise ValidationError({"status": _("The ticket is not open.")})


def _team_people(team: SupportTeam | None) -> list[User]:
    if team is None:
        return list(User.objects.filter(is_superuser=True, is_active=True).order_by("id"))
    return list(team.members.filter(is_active=True).order_by("id"))


def _tell_new_owner(ticket: Ticket, event: Any, actor: User | None) -> None:
    recipients = [ticket.agent] if ticket.agent else _team_people(ticket.team)
    notifications.notify_people(
        ticket=ticket,
        event=event,
        recipients=recipients,
        headline=gettext_noop("Ticket for your team"),
        text=gettext_noop("A ticket was moved to you or your team."),
        actor=actor,
    )
    notifications.notify_team_channel(ticket=ticket, event=event, headline=str(event.type))


@transaction.atomic
def ticket_triage(
    *,
    ticket: Ticket,
    actor: User,
    reason: str = "",
    impact: str | None = None,
    urgency: str | None = None,
    topic: str | None = None,
) -> Ticket:
    _may(ticket, actor, "triage")
    ticket = lock(ticket)
    _open(ticket)
    fields = ["status"]
    for name, value in (("impact", impact), ("urgency", urgency), ("topic", topic)):
        if value:
            setattr(ticket, name, value)
            fields.append(name)
    ticket.priority = priority_for(impact=ticket.impact, urgency=ticket.urgency)
    ticket.status = TicketStatus.TRIAGED
    ticket.full_clean(exclude=["number"], validate_unique=False)
    save(ticket, [*fields, "priority"])
    events.triaged(ticket, actor, reason=reason)
    return ticket


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    reason: str = "",
    team: SupportTeam | None = None,
    agent: User | None = None,
) -> Ticket:
    """Give the ticket to a team and/or a person in it."""
    if agent is not None and team is None and actor is not None and agent.pk == actor.pk:
        require(selectors.can_take(actor, ticket), _("You may not take this ticket."))
    else:
        _may(ticket, actor, "assign")
    ticket = lock(ticket)
    _open(ticket)
    if team is None and agent is None:
        raise ValidationError({"agent": _("Name a team or a person.")})
    if team is not None:
        ticket.team = team
        ticket.level = team.kind
        ticket.agent = None
    if agent is not None:
        if ticket.team is not None and not ticket.team.members.filter(pk=agent.pk).exists():
            raise ValidationError({"agent": _("That person is not in the ticket's team.")})
        ticket.agent = agent
    save(ticket, ["team", "agent", "level"])
    event = events.assigned(ticket, actor, reason=reason)
    _tell_new_owner(ticket, event, actor)
    return ticket


@transaction.atomic
def ticket_redirect(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """Send the ticket to the channel that supports its solution and tell the requester
    where it went and why."""
    _may(ticket, actor, "redirect")
    reason = _need_reason(reason)
    ticket = lock(ticket)
    _open(ticket)
    if ticket.solution is None:
        raise ValidationError({"solution": _("Only tickets about a solution can be redirected.")})
    channel = routing.solution_channel(ticket.solution)
    if channel.level == SupportType.HELP_DESK:
        raise ValidationError({"solution": _("The help desk is this solution's channel.")})
    ticket.level, ticket.team, ticket.agent = channel.level, channel.team, channel.agent
    ticket.status = TicketStatus.TRIAGED
    save(ticket, ["level", "team", "agent", "status"])
    if channel.watchers:
        TicketWatcher.objects.bulk_create(
            [TicketWatcher(ticket=ticket, user=u) for u in channel.watchers],
            ignore_conflicts=True,
        )
    event = events.redirected(ticket, actor, reason=reason)
    where = ticket.agent or ticket.team
    notifications.notify_people(
        ticket=ticket,
        event=event,
        recipients=[ticket.requester],
        headline=gettext_noop("Your ticket was redirected"),
        text=gettext_noop(
            "Your ticket now goes to %(where)s, who support this solution. Why: %(why)s"
        ),
        params={"where": where or "", "why": reason},
        actor=actor,
    )
    _tell_new_owner(ticket, event, actor)
    return ticket


def _path_snapshot(ticket: Ticket) -> dict[str, Any]:
    path = (
        EscalationPath.objects.filter(is_default=True).order_by("id").first()
        or EscalationPath.objects.order_by("id").first()
    )
    if path is not None:
        steps = [
            {"level": s.level, "team": s.team_id, "label": str(s)}
            for s in path.steps.select_related("team").order_by("position")
        ]
        name = path.name
    else:  # no path configured: the design's default ladder
        steps = []
        for kind in (TeamKind.HELP_DESK, TeamKind.PLATFORM):
            team = routing.team_of_kind(kind)
            if team is not None:
                steps.append({"level": kind, "team": team.pk, "label": team.name})
        steps.append({"level": SupportType.PLATFORM, "team": None, "label": "Global admins"})
        name = "default"
    return {
        "path": name,
        "taken_at": clock.now().isoformat(),
        "origin": {"level": ticket.level, "team": ticket.team_id, "agent": ticket.agent_id},
        "steps": steps,
        "step": -1,
    }


def _go_to_step(ticket: Ticket, snapshot: dict[str, Any], index: int) -> None:
    if index < 0:
        origin = snapshot["origin"]
        ticket.level = origin["level"]
        ticket.team_id = origin["team"]
        ticket.agent_id = origin["agent"]
    else:
        step = snapshot["steps"][index]
        ticket.level, ticket.team_id, ticket.agent_id = step["level"], step["team"], None
    snapshot["step"] = index
    ticket.escalation = snapshot
    # Drop cached relations so notifications read the new owners.
    for name in ("team", "agent"):
        ticket._state.fields_cache.pop(name, None)


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """One step up the escalation path, snapshotted when the first escalation starts so
    editing the path never moves a ticket in flight."""
    _may(ticket, actor, "escalate")
    reason = _need_reason(reason)
    ticket = lock(ticket)
    _open(ticket)
    snapshot = dict(ticket.escalation) if ticket.escalation.get("steps") else _path_snapshot(ticket)
    steps = snapshot["steps"]
    index = int(snapshot.get("step", -1)) + 1
    # Skip levels the ticket already stands on (a ticket at the help desk goes on to the
    # platform team).
    while (
        index < len(steps)
        and steps[index]["team"] is not None
        and (steps[index]["team"] == ticket.team_id)
    ):
        index += 1
    if index >= len(steps):
        raise ValidationError({"reason": _("The ticket is at the top of its escalation path.")})
    _go_to_step(ticket, snapshot, index)
    if ticket.status == TicketStatus.NEW:
        ticket.status = TicketStatus.TRIAGED
    save(ticket, ["level", "team", "agent", "escalation", "status"])
    event = events.escalated(ticket, actor, reason=reason, step=index)
    _tell_new_owner(ticket, event, actor)
    return ticket


@transaction.atomic
def ticket_de_escalate(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """One step back down the snapshotted path (to where it started from the first step)."""
    _may(ticket, actor, "de_escalate")
    reason = _need_reason(reason)
    ticket = lock(ticket)
    _open(ticket)
    snapshot = dict(ticket.escalation)
    if not snapshot.get("steps") or int(snapshot.get("step", -1)) < 0:
        raise ValidationError({"reason": _("The ticket has not been escalated.")})
    index = int(snapshot["step"]) - 1
    _go_to_step(ticket, snapshot, index)
    save(ticket, ["level", "team", "agent", "escalation"])
    event = events.de_escalated(ticket, actor, reason=reason, step=index)
    _tell_new_owner(ticket, event, actor)
    return ticket


@transaction.atomic
def ticket_hand_back(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """Back to where the ticket stood before escalation began."""
    _may(ticket, actor, "hand_back")
    reason = _need_reason(reason)
    ticket = lock(ticket)
    _open(ticket)
    snapshot = dict(ticket.escalation)
    if not snapshot.get("steps") or int(snapshot.get("step", -1)) < 0:
        raise ValidationError({"reason": _("The ticket has not been escalated.")})
    _go_to_step(ticket, snapshot, -1)
    save(ticket, ["level", "team", "agent", "escalation"])
    event = events.handed_back(ticket, actor, reason=reason)
    _tell_new_owner(ticket, event, actor)
    return ticket


@transaction.atomic
def ticket_hand_over(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """A critical solution's ticket goes to the platform team."""
    _may(ticket, actor, "hand_over")
    reason = _need_reason(reason)
    ticket = lock(ticket)
    _open(ticket)
    if ticket.solution is None or ticket.solution.tier != Tier.CRITICAL:
        raise ValidationError(
            {"solution": _("Only tickets on critical solutions are handed over.")}
        )
    team = ticket.solution.supporting_team
    if team is None or team.kind != TeamKind.PLATFORM:
        team = routing.team_of_kind(TeamKind.PLATFORM)
    if team is None:
        raise ValidationError({"team": _("There is no platform team.")})
    ticket.level, ticket.team, ticket.agent = SupportType.PLATFORM, team, None
    save(ticket, ["level", "team", "agent"])
    event = events.handed_over(ticket, actor, reason=reason)
    _tell_new_owner(ticket, event, actor)
    return ticket


@transaction.atomic
def ticket_link_duplicate(
    *, ticket: Ticket, original: Ticket, actor: User, reason: str = ""
) -> Ticket:
    _may(ticket, actor, "link_duplicate")
    if original.pk == ticket.pk:
        raise ValidationError({"original": _("A ticket cannot duplicate itself.")})
    ticket = lock(ticket)
    ticket.duplicate_of = original
    save(ticket, ["duplicate_of"])
    events.duplicate_linked(ticket, actor, original=original, reason=reason)
    return ticket


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Fold `source` into `target`: its replies, notes, files and watchers move; its
    requester watches the target; the source closes, pointing at the target."""
    _may(source, actor, "merge")
    if actor is not None:
        require(selectors.can_work(actor, target), _("You may not change the other ticket."))
    if source.pk == target.pk:
        raise ValidationError({"target": _("A ticket cannot be merged into itself.")})
    source, target = lock(source), lock(target)
    if target.merged_into_id:
        raise ValidationError({"target": _("That ticket was itself merged.")})
    if target.status == TicketStatus.CLOSED:
        raise ValidationError(
            {
                "target": _(
                    "That ticket is closed: nobody would read a question merged into it. "
                    "Merge it into this one, or link it as a duplicate."
                )
            }
        )
    if source.is_open and not target.is_open:
        # Resolved, not closed: merging an open question reopens it, never buries it.
        target.status, target.is_open, target.resolved_at = TicketStatus.IN_PROGRESS, True, None
        save(target, ["status", "is_open", "resolved_at"])
        events.reopened(target, actor, reason=gettext_noop("An open ticket was merged into it"))
    TicketMessage.objects.filter(ticket=source).update(ticket=target)
    TicketAttachment.objects.filter(ticket=source).update(ticket=target)
    people = list(source.watchers.all())
    if source.requester is not None:
        people.append(source.requester)
    TicketWatcher.objects.bulk_create(
        [TicketWatcher(ticket=target, user=u) for u in people], ignore_conflicts=True
    )
    source.merged_into = target
    source.status, source.is_open = TicketStatus.CLOSED, False
    source.resolved_at = source.resolved_at or clock.now()
    save(source, ["merged_into", "status", "is_open", "resolved_at"])
    save(target, [])
    events.merged(source, actor, other=target, into=True)
    events.merged(target, actor, other=source, into=False)
    return target


@transaction.atomic
def vendor_case_open(
    *,
    ticket: Ticket,
    actor: User,
    health_checked_at: dt.datetime,
    health_result: str,
    external_number: str,
    vendor: str = "Microsoft",
    health_link: str = "",
    health_notes: str = "",
) -> VendorCase:
    """Open a case with the vendor after the service-health check. Only platform
    engineers and admins file vendor cases."""
    _may(ticket, actor, "vendor_case")
    if health_result not in HealthResult.values:
        raise ValidationError({"health_result": _("Record what the service-health check said.")})
    if health_checked_at > clock.now():
        raise ValidationError({"health_checked_at": _("The check cannot be in the future.")})
    if not external_number.strip():
        raise ValidationError({"external_number": _("Give the vendor's case number.")})
    ticket = lock(ticket)
    _open(ticket)
    case = VendorCase(
        ticket=ticket,
        vendor=vendor,
        health_checked_at=health_checked_at,
        health_result=health_result,
        health_link=health_link,
        health_notes=health_notes,
        external_number=external_number.strip(),
        filed_by=actor,
        filed_at=clock.now(),
        updated_at=clock.now(),
        status=VendorCaseStatus.WAITING_ON_VENDOR,
    )
    case.full_clean(exclude=["filed_by"])
    case.save()
    ticket.level, ticket.status = SupportType.VENDOR, TicketStatus.WAITING_ON_VENDOR
    save(ticket, ["level", "status"])
    case.status = VendorCaseStatus.WAITING_ON_VENDOR
    events.vendor_case_opened(
        ticket, actor, vendor=vendor, external_number=case.external_number, health=health_result
    )
    return case


@transaction.atomic
def partner_case_open(
    *, ticket: Ticket, actor: User, partner: SupportTeam, reason: str, external_number: str = ""
) -> VendorCase:
    """Give the ticket to a contracted partner team; its agents then see it."""
    reason = _need_reason(reason)
    _may(ticket, actor, "partner_case")
    if partner.kind != TeamKind.PARTNER:
        raise ValidationError({"partner": _("Choose a partner team.")})
    ticket = lock(ticket)
    _open(ticket)
    case = VendorCase.objects.create(
        ticket=ticket,
        is_partner=True,
        vendor=partner.name,
        partner_team=partner,
        external_number=external_number,
        filed_by=actor,
        filed_at=clock.now(),
        updated_at=clock.now(),
        status=VendorCaseStatus.OPEN,
    )
    ticket.level, ticket.team, ticket.agent = SupportType.PARTNER, partner, None
    save(ticket, ["level", "team", "agent"])
    event = events.partner_case_opened(ticket, actor, partner=partner, reason=reason)
    _tell_new_owner(ticket, event, actor)
    return case


@transaction.atomic
def vendor_case_update(
    *,
    case: VendorCase,
    actor: User | None,
    status: str,
    external_number: str | None = None,
    note: str = "",
) -> VendorCase:
    """Record where a vendor or partner case stands (`selectors.can_update_vendor_case`:
    the platform team and admins who work its ticket). The ticket follows: while a case
    waits on the vendor the ticket does too (its SLA clocks pause, as the SLA settings
    say); when no case waits any more it is back in progress. A closed case stays
    closed."""
    if actor is not None:
        require(
            selectors.can_update_vendor_case(actor, case),
            _("Only the platform team and admins update vendor cases."),
        )
    if status not in VendorCaseStatus.values:
        raise ValidationError({"status": _("Choose a case status.")})
    case = VendorCase.objects.select_for_update().get(pk=case.pk)
    if case.status == VendorCaseStatus.CLOSED:
        raise ValidationError({"status": _("The case is closed.")})
    fields = ["status", "updated_at", "last_note"]
    before = case.status
    case.status = status
    case.updated_at = clock.now()
    note = (note or "").strip()
    if note:
        case.last_note = note
    if external_number is not None and external_number.strip():
        case.external_number = external_number.strip()[:100]
        fields.append("external_number")
    if status == VendorCaseStatus.CLOSED:
        case.closed_at = clock.now()
        fields.append("closed_at")
    case.save(update_fields=fields)
    ticket = lock(case.ticket)
    if ticket.is_open:
        waiting = VendorCase.objects.filter(
            ticket=ticket, status=VendorCaseStatus.WAITING_ON_VENDOR
        ).exists()
        if waiting and ticket.status != TicketStatus.WAITING_ON_VENDOR:
            events.status_changed(
                ticket, actor, before=ticket.status, after=TicketStatus.WAITING_ON_VENDOR
            )
            ticket.status = TicketStatus.WAITING_ON_VENDOR
            save(ticket, ["status"])
        elif not waiting and ticket.status == TicketStatus.WAITING_ON_VENDOR:
            events.status_changed(
                ticket, actor, before=ticket.status, after=TicketStatus.IN_PROGRESS
            )
            ticket.status = TicketStatus.IN_PROGRESS
            save(ticket, ["status"])
        else:
            save(ticket, [])
    if status != before or note:
        events.vendor_case_updated(
            ticket,
            actor,
            vendor=case.vendor,
            external_number=case.external_number,
            status=status,
        )
    return case


def vendor_case_is_open(case: VendorCase) -> bool:
    return case.status in VENDOR_CASE_OPEN_STATUSES


@transaction.atomic
def ticket_set_solution(
    *, ticket: Ticket, actor: User | None, solution: Solution | None, reason: str = ""
) -> Ticket:
    """Attach the solution a ticket is about, or change or clear it
    (`selectors.can_set_solution`: the help desk, the platform team and admins who work
    it). The actor must be able to name the solution (a hidden one answers as missing).
    The SLA follows the solution's tier (its clocks are re-synced, keeping the time
    spent, as when a solution's tier changes); a ticket nobody has picked up yet (new,
    no agent) is routed again by the solution's support model; otherwise "redirect to
    the solution's channel" becomes available. The timeline records it."""
    if actor is not None:
        require(
            selectors.can_set_solution(actor, ticket),
            _("Only the help desk, the platform team and admins set a ticket's solution."),
        )
        if solution is not None and not (
            selectors.solutions_nameable_by(actor).filter(pk=solution.pk).exists()
        ):
            raise ValidationError({"solution": _("No such solution.")})
    ticket = lock(ticket)
    _open(ticket)
    if ticket.solution_id == (solution.pk if solution is not None else None):
        raise ValidationError({"solution": _("The ticket already names this solution.")})
    before = ticket.solution.name if ticket.solution is not None else ""
    ticket.solution = solution
    fields = ["solution"]
    reroute = (
        ticket.status == TicketStatus.NEW
        and ticket.agent_id is None
        and ticket.request_type_id is None
        and not ticket.escalation.get("steps")
    )
    first = None
    if reroute:
        first = routing.route(solution=solution, topic=ticket.topic)
        if (first.level, first.team, first.agent) != (ticket.level, ticket.team, ticket.agent):
            ticket.level, ticket.team, ticket.agent = first.level, first.team, first.agent
            for name in ("team", "agent"):
                ticket._state.fields_cache.pop(name, None)
            fields += ["level", "team", "agent"]
        else:
            first = None
    save(ticket, fields)
    # The tier may differ: the SLA engine re-attaches the clocks of the new service level.
    sla.clocks_sync(ticket=ticket, facts=sla_facts(ticket), actor=actor, reason="solution changed")
    events.solution_set(
        ticket,
        actor,
        before=before,
        after=solution.name if solution is not None else "",
        reason=(reason or "").strip(),
    )
    if first is not None:
        if first.watchers:
            TicketWatcher.objects.bulk_create(
                [TicketWatcher(ticket=ticket, user=u) for u in first.watchers],
                ignore_conflicts=True,
            )
        event = events.routed(ticket, actor, reason=first.reason)
        _tell_new_owner(ticket, event, actor)
    return ticket
