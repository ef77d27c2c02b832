"""`Ticket.reached_past_help_desk` is what the timeline says: after random moves along
the ladder, the tickets marked are exactly those whose history shows a level past the
help desk or a vendor or partner case (`services.past_help_desk_in_history_q`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import Org
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.desk import ladder, services
from tierdesk.desk.choices import HealthResult, Topic
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket


def _marked() -> set[int]:
    return set(Ticket.objects.filter(reached_past_help_desk=True).values_list("pk", flat=True))


def _by_history() -> set[int]:
    return set(
        Ticket.objects.filter(services.past_help_desk_in_history_q()).values_list("pk", flat=True)
    )


def _team(kind: str) -> SupportTeam:
    return SupportTeam.objects.get(kind=kind)


def _moves(org: Org) -> list[Callable[[Ticket], Any]]:
    maker, agent, platform = org.users["maker"], org.users["agent"], org.users["platform"]
    platform_team = _team(TeamKind.PLATFORM)
    return [
        lambda t: ladder.ticket_escalate(ticket=t, actor=maker, reason="r"),
        lambda t: ladder.ticket_escalate(ticket=t, actor=agent, reason="r"),
        lambda t: ladder.ticket_de_escalate(ticket=t, actor=platform, reason="r"),
        lambda t: ladder.ticket_hand_back(ticket=t, actor=agent, reason="r"),
        lambda t: ladder.ticket_hand_over(ticket=t, actor=agent, reason="r"),
        lambda t: ladder.ticket_redirect(ticket=t, actor=agent, reason="r"),
        lambda t: ladder.ticket_assign(ticket=t, actor=platform, team=platform_team, reason="r"),
        lambda t: ladder.vendor_case_open(
            ticket=t,
            actor=platform,
            health_checked_at=clock.now() - dt.timedelta(minutes=5),
            health_result=HealthResult.HEALTHY,
            external_number="2611290010001",
        ),
        lambda t: ladder.partner_case_open(
            ticket=t, actor=platform, partner=org.partner_team, reason="r"
        ),
        lambda t: services.ticket_resolve(ticket=t, actor=agent, reason="done"),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_mark_equals_the_history_after_random_moves(org: Org, seed: int) -> None:
    rng = random.Random(seed)
    solutions = [org.own, org.partner_solution, None]
    tickets = [
        ticket(requester=org.users["requester"], solution=rng.choice(solutions), topic=Topic.BUG)
        for _ in range(6)
    ]
    moves = _moves(org)
    applied = 0
    for _ in range(40):
        target = Ticket.objects.get(pk=rng.choice(tickets).pk)
        try:
            rng.choice(moves)(target)
            applied += 1
        except (PermissionDenied, ValidationError):
            continue  # a move that does not apply here: nothing written
        assert _marked() == _by_history()
    assert applied >= 10
    assert _marked(), "no ticket went past the help desk: the moves did not exercise the mark"


def test_the_mark_stays_after_the_ticket_comes_back(org: Org) -> None:
    t = ticket(requester=org.users["requester"], solution=None, topic=Topic.BUG)
    platform = org.users["platform"]
    t = ladder.ticket_assign(ticket=t, actor=platform, team=_team(TeamKind.PLATFORM), reason="r")
    assert t.reached_past_help_desk
    t = ladder.ticket_assign(ticket=t, actor=platform, team=_team(TeamKind.HELP_DESK), reason="r")
    t.refresh_from_db()
    assert t.reached_past_help_desk


def test_bulk_written_tickets_are_marked_from_their_history(org: Org) -> None:
    t = ticket(requester=org.users["requester"], solution=None, topic=Topic.BUG)
    ladder.ticket_assign(
        ticket=t, actor=org.users["platform"], team=_team(TeamKind.PLATFORM), reason="r"
    )
    Ticket.objects.update(reached_past_help_desk=False)  # as a bulk write leaves them
    assert services.mark_reached_past_help_desk() == 1
    assert _marked() == _by_history() == {t.pk}
