"""SLA demo data: on-call rotations for the platform and help-desk teams (the desk's demo
attaches clocks to its open tickets afterwards). Deterministic and idempotent (a second
call creates nothing)."""

from __future__ import annotations

import datetime as dt
import random

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.sla.models import OnCallRotation, RotationMember


def demo_build(*, size: str = "small") -> dict[str, int]:
    rng = random.Random(606)  # noqa: S311 - deterministic demo data
    created = {"rotations": 0}
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
    return created
