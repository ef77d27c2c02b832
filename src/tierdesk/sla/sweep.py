"""The SLA sweep: fire due warnings, breaches and escalation steps, each exactly once.

Finding what is due is a range scan of the partial `next_check_at` indexes. Each due row
is claimed with a compare-and-set (UPDATE … WHERE id = … AND next_check_at = <seen>) in
the same transaction that sets its flags, writes its events and queues its notifications
with idempotency keys; a racing worker's UPDATE matches nothing, and a worker killed
before the commit leaves the row as it was, so the next sweep fires it (once)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common import clock as wall
from tierdesk.common.links import absolute_url
from tierdesk.notify.choices import Channel
from tierdesk.notify.services import notification_enqueue
from tierdesk.sla import oncall
from tierdesk.sla.choices import ClockEventType, EscalationState, EscalationTarget
from tierdesk.sla.models import EscalationRun, OnCallRotation, SlaClock, SlaEvent
from tierdesk.sla.services import clock_schedule, threshold_at

log = logging.getLogger(__name__)

BATCH = 100
MAX_STEP_ROUNDS = 10
FaultHook = Callable[[str, int], None]
fault_hook: FaultHook | None = None
"""Tests set this to kill the process at a named point ("claimed", "committed")."""

HEADLINES: dict[str, str] = {
    ClockEventType.WARNED_50: gettext_noop("Half the SLA time is used"),
    ClockEventType.WARNED_75: gettext_noop("SLA at risk: three quarters of the time used"),
    ClockEventType.BREACHED: gettext_noop("SLA breached"),
}
METRIC_WORDS = {
    "first_response": gettext_noop("first response"),
    "next_update": gettext_noop("next update"),
    "resolution": gettext_noop("resolution"),
}


@dataclass
class SweepReport:
    due: int = 0
    fired: dict[str, int] = field(default_factory=dict)
    lost_races: int = 0
    escalation_steps: int = 0
    notifications: int = 0

    def count(self, what: str) -> None:
        self.fired[what] = self.fired.get(what, 0) + 1


def _ticket_url(ticket_id: int) -> str:
    """Absolute (TIERDESK_BASE_URL), by the page's URL name."""
    return absolute_url(reverse("desk:ticket-detail", args=[ticket_id]))


def _hit(point: str, n: int) -> None:
    if fault_hook is not None:
        fault_hook(point, n)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def sla_sweep(*, now: dt.datetime | None = None, limit: int = 5000) -> SweepReport:
    """One sweep over clocks and timed escalations that are due at `now`."""
    now = now or wall.now()
    report = SweepReport()
    due = list(
        SlaClock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("id", "next_check_at")[:limit]
    )
    report.due = len(due)
    handled = 0
    for batch in _chunks(due, BATCH):
        with transaction.atomic():
            seen = dict(batch)
            clocks = SlaClock.objects.filter(pk__in=seen).select_related(
                "ticket", "ticket__agent", "ticket__team", "ticket__team__lead"
            )
            for c in clocks:
                _clock_fire(c, seen[c.pk], now, report)
                handled += 1
                _hit("claimed", handled)
        _hit("committed", handled)
    escalation_sweep(now=now, report=report)
    return report


def _clock_fire(
    c: SlaClock, seen: dt.datetime | None, now: dt.datetime, report: SweepReport
) -> None:
    if c.next_check_at != seen:
        report.lost_races += 1
        return
    fires: list[str] = []
    if not c.breached and c.due_at <= now:
        fires.append(ClockEventType.BREACHED)
        c.breached, c.breached_at = True, c.due_at
        c.warned_50 = c.warned_75 = True  # a breach says more than the warnings it passed
    else:
        if not c.warned_50 and threshold_at(c, 0.5) <= now:
            c.warned_50 = True
            if threshold_at(c, 0.75) > now:
                fires.append(ClockEventType.WARNED_50)
        if not c.warned_75 and threshold_at(c, 0.75) <= now:
            c.warned_75 = True
            fires.append(ClockEventType.WARNED_75)
    clock_schedule(c)
    won = SlaClock.objects.filter(pk=c.pk, next_check_at=seen).update(
        breached=c.breached,
        breached_at=c.breached_at,
        warned_50=c.warned_50,
        warned_75=c.warned_75,
        next_check_at=c.next_check_at,
    )
    if not won:
        report.lost_races += 1
        return
    for what in fires:
        report.count(what)
        SlaEvent.objects.create(
            ticket_id=c.ticket_id,
            clock=c,
            type=what,
            parameters={"metric": c.metric, "kind": c.kind, "due": c.due_at.isoformat()},
            created_at=now,
        )
        report.notifications += _notify_clock(c, what)


def _people(c: SlaClock, what: str) -> tuple[list[User], list[str]]:
    ticket = c.ticket
    team: SupportTeam | None = ticket.team
    lead = team.lead if team is not None else None
    people: list[User | None]
    mailboxes: list[str] = []
    if what == ClockEventType.WARNED_50:
        people = [ticket.agent or lead]
    elif what == ClockEventType.WARNED_75:
        people = [ticket.agent, lead]
    else:  # breach: assignee, team and team lead
        people = [ticket.agent, lead]
        if team is not None and team.email:
            mailboxes.append(team.email)
        if team is not None and not team.email:
            people += list(team.members.filter(is_active=True).order_by("id")[:20])
    unique: dict[int, User] = {}
    for p in people:
        if p is not None and p.is_active and p.email:
            unique.setdefault(p.pk, p)
    return list(unique.values()), mailboxes


def _notify_clock(c: SlaClock, what: str) -> int:
    people, mailboxes = _people(c, what)
    ticket = c.ticket
    queued = 0
    for person in people:
        queued += _send(
            key=f"sla:{c.pk}:{what}:{person.pk}",
            address=person.email,
            recipient=person,
            lang=person.preferred_language,
            headline=HEADLINES[what],
            ticket=ticket,
            metric=c.metric,
            due=c.due_at,
        )
    for mailbox in mailboxes:
        queued += _send(
            key=f"sla:{c.pk}:{what}:team{ticket.team_id}",
            address=mailbox,
            recipient=None,
            lang="en",
            headline=HEADLINES[what],
            ticket=ticket,
            metric=c.metric,
            due=c.due_at,
        )
    return queued


def _send(
    *,
    key: str,
    address: str,
    recipient: User | None,
    lang: str,
    headline: str,
    ticket: Any,
    metric: str,
    due: dt.datetime | None,
) -> int:
    # A person who chose no language gets the site's (LANGUAGE_CODE, Korean).
    with translation.override(lang or settings.LANGUAGE_CODE):
        subject = f"[{ticket.number}] {_(headline)}: {ticket.subject}"
        lines = [_(headline) + (f" ({_(METRIC_WORDS[metric])})" if metric else "")]
        if due is not None:
            when = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
            lines.append(_("Due: %(due)s (%(zone)s)") % {"due": when, "zone": settings.TIME_ZONE})
        lines.append(_ticket_url(ticket.pk))
    _n, created = notification_enqueue(
        key=key,
        channel=Channel.EMAIL,
        address=address,
        recipient=recipient,
        subject=subject,
        body="\n\n".join(lines),
    )
    return int(created)


# --- timed escalation ---------------------------------------------------------------


def escalation_sweep(*, now: dt.datetime, report: SweepReport, limit: int = 1000) -> None:
    """Fire due steps; a late sweep catches up on every step already due (each once)."""
    for _round in range(MAX_STEP_ROUNDS):
        due = list(
            EscalationRun.objects.filter(next_check_at__lte=now)
            .order_by("next_check_at")
            .values_list("id", "next_check_at", "step")[:limit]
        )
        if not due:
            return
        for run_id, seen, step in due:
            with transaction.atomic():
                run = EscalationRun.objects.select_related("ticket").get(pk=run_id)
                _step_fire(run, seen, step, now, report)
            _hit("escalated", report.escalation_steps)


def _step_fire(
    run: EscalationRun, seen: dt.datetime | None, step: int, now: dt.datetime, report: SweepReport
) -> None:
    steps = run.snapshot.get("steps", [])
    if run.state != EscalationState.RUNNING or step >= len(steps):
        return
    following = step + 1
    next_at = (
        run.started_at + dt.timedelta(minutes=steps[following]["after_minutes"])
        if following < len(steps)
        else None
    )
    won = EscalationRun.objects.filter(
        pk=run.pk, step=step, next_check_at=seen, state=EscalationState.RUNNING
    ).update(
        step=following,
        next_check_at=next_at,
        state=EscalationState.RUNNING if next_at else EscalationState.EXHAUSTED,
    )
    if not won:
        report.lost_races += 1
        return
    spec = steps[step]
    people, addresses = _step_people(run, spec, now)
    SlaEvent.objects.create(
        ticket_id=run.ticket_id,
        type=ClockEventType.ESCALATION_STEP,
        parameters={
            "step": step + 1,
            "target": spec["target"],
            "paged": [str(p) for p in people] + addresses,
        },
        created_at=now,
    )
    report.escalation_steps += 1
    headline = gettext_noop("Unacknowledged critical ticket: you are paged")
    for person in people:
        report.notifications += _send(
            key=f"sla:esc:{run.pk}:{step}:{person.pk}",
            address=person.email,
            recipient=person,
            lang=person.preferred_language,
            headline=headline,
            ticket=run.ticket,
            metric="",
            due=None,
        )
    for address in addresses:
        report.notifications += _send(
            key=f"sla:esc:{run.pk}:{step}:{address.lower()}",
            address=address,
            recipient=None,
            lang="en",
            headline=headline,
            ticket=run.ticket,
            metric="",
            due=None,
        )


def _step_people(
    run: EscalationRun, spec: dict[str, Any], now: dt.datetime
) -> tuple[list[User], list[str]]:
    people: list[User | None] = []
    addresses: list[str] = []
    team_id, rotation_id = spec.get("team_id"), spec.get("rotation_id")
    team = (
        SupportTeam.objects.filter(pk=team_id).select_related("lead").first() if team_id else None
    )
    if spec["target"] == EscalationTarget.ON_CALL:
        rotation = OnCallRotation.objects.filter(pk=rotation_id).first() if rotation_id else None
        if rotation is not None:
            people.append(oncall.on_call_now(rotation, now))
        elif team is not None:
            people.append(team.lead)
    elif spec["target"] == EscalationTarget.TEAM_LEAD:
        people.append(team.lead if team is not None else None)
    else:
        email = run.snapshot.get("global_admin_email") or ""
        if email:
            addresses.append(email)
        else:
            admins = (
                get_user_model()
                .objects.filter(Q(is_superuser=True), is_active=True)
                .order_by("id")[:5]
            )
            people += list(admins)
    found = [p for p in people if p is not None and p.is_active and p.email]
    return list({p.pk: p for p in found}.values()), addresses
