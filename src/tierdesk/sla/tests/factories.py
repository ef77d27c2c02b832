"""Tickets with clocks, filed through the desk's services like real ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.desk.tests.factories import ticket as desk_ticket
from tierdesk.inventory.models import Solution
from tierdesk.sla.models import OnCallRotation, RotationMember

# A Monday 10:00 in Seoul, far from Korean public holidays.
MONDAY_10 = dt.datetime(2025, 6, 16, 1, 0, tzinfo=dt.UTC)


def set_tier(solution: Solution, tier: str) -> None:
    Solution.objects.filter(pk=solution.pk).update(tier=tier)
    solution.refresh_from_db()


def ticket(
    *,
    requester: User,
    solution: Solution | None = None,
    at: dt.datetime = MONDAY_10,
    impact: str = "low",
    urgency: str = "low",
    **kw: Any,
) -> Any:
    """File at a known time; the desk attaches the clocks as it files."""
    with clock.frozen(at):
        return desk_ticket(
            requester=requester, solution=solution, impact=impact, urgency=urgency, **kw
        )


def rotation(*, team: Any, users: list[User], **kw: Any) -> OnCallRotation:
    kw.setdefault("name", f"{team.name} on call")
    kw.setdefault("starts_on", dt.date(2025, 6, 2))
    kw.setdefault("shift_hours", 168)
    r = OnCallRotation.objects.create(team=team, **kw)
    for i, u in enumerate(users):
        RotationMember.objects.create(rotation=r, user=u, position=i)
    return r
