"""SLA demo data: on-call rotations for the platform and help-desk teams and clocks on
the demo's open tickets. Runs after the organisation, inventory and desk demo data;
deterministic and idempotent (a second call creates nothing)."""

from __future__ import annotations

import datetime as dt
import random

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.sla import services
from tierdesk.sla.models import OnCallRotation, RotationMember, SlaClock


def demo_build(*, size: str = "small") -> dict[str, int]:
    from django.apps import apps

    desk_ticket = apps.get_model("desk", "Ticket")
    rng = random.Random(606)  # noqa: S311 - deterministic demo data
    created = {"rotations": 0, "clocked_tickets": 0}
    for kind, hours in ((TeamKind.PLATFORM, 168), (TeamKind.HELP_DESK, 24)):
        for team in SupportTeam.objects.filter(kind=kind).order_by("id")[:3]:
            if OnCallRotation.objects.filter(team=team).exists():
                continue
            people = list(
                User.objects.filter(memberships__team=team, is_active=True).order_by("id")[:6]
            )
            if not people:
                continue
            rng.shuffle(people)
            rotation = OnCallRotation.objects.create(
                team=team,
                name=f"{team.name} on call",
                shift_hours=hours,
                handoff_time=dt.time(9, 0),
                starts_on=dt.date(2025, 1, 6),
            )
            RotationMember.objects.bulk_create(
                RotationMember(rotation=rotation, user=u, position=i) for i, u in enumerate(people)
            )
            created["rotations"] += 1
    limit = 300 if size == "small" else 3000
    clocked = SlaClock.objects.values("ticket_id")
    open_tickets = (
        desk_ticket.objects.filter(is_open=True)
        .exclude(id__in=clocked)
        .select_related("solution")
        .order_by("id")[:limit]
    )
    for ticket in open_tickets:
        services.clocks_attach(ticket=ticket, new=True)
        services.clocks_sync(ticket=ticket)
        created["clocked_tickets"] += 1
    return created
