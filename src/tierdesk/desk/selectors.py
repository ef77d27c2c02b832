"""Reads of the desk. Every list, detail, search, count, export and download asks
`tickets_visible_to` first; what a user may do on a ticket is decided here too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tierdesk.accounts.choices import SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import Role
from tierdesk.desk.choices import OPEN_STATUSES, TicketStatus
from tierdesk.desk.models import Ticket, TicketAttachment, TicketWatcher
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import SolutionOwner

SEE_ALL = frozenset({Role.ADMIN, Role.MANAGER})
SEE_ALL_OPEN = frozenset({Role.HELP_DESK_AGENT, Role.PLATFORM_ENGINEER})
WORKERS = frozenset({Role.ADMIN, Role.HELP_DESK_AGENT, Role.PLATFORM_ENGINEER})
CASE_FILERS = frozenset({Role.ADMIN, Role.PLATFORM_ENGINEER})
QUEUE_CAP = 1000


def _own_q(user: User) -> Q:
    """What anyone sees: their requests, what they watch, what they are assigned, tickets
    on solutions they make or co-own, and the tickets of their teams."""
    visible = (
        Q(requester=user)
        | Q(agent=user)
        | Q(id__in=TicketWatcher.objects.filter(user=user).values("ticket_id"))
        | Q(solution__maker=user)
        | Q(solution_id__in=SolutionOwner.objects.filter(user=user).values("solution_id"))
    )
    team_ids = list(user.memberships.values_list("team_id", flat=True))
    if team_ids:
        visible |= Q(team_id__in=team_ids)
    return visible


def ticket_visibility_filter(user: User) -> Q | None:
    """None means every ticket. Help-desk agents and platform engineers see all tickets
    except confidential ones outside their reach; partner agents only their partner
    team's (and their own requests); managers read all; admins all."""
    roles = roles_of(user)
    if roles & SEE_ALL:
        return None
    own = _own_q(user)
    if roles & SEE_ALL_OPEN:
        return Q(is_confidential=False) | own
    return own


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Ticket.objects.none()
    qs = Ticket.objects.all()
    visible = ticket_visibility_filter(user)
    if visible is not None:
        qs = qs.filter(visible)
    return qs


def ticket_get_for_user(user: Any, pk: int) -> Ticket:
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "requester", "solution", "solution__maker", "solution__supporting_team", "team", "agent"
        )
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def attachment_get_for_user(user: Any, ticket_pk: int, pk: int) -> TicketAttachment:
    ticket = ticket_get_for_user(user, ticket_pk)
    attachment = TicketAttachment.objects.filter(ticket=ticket, pk=pk).first()
    if attachment is None or (attachment.is_internal and not can_see_notes(user, ticket)):
        raise Http404("No such attachment.")
    return attachment


def _is_owner(user: User, ticket: Ticket) -> bool:
    solution = ticket.solution
    if solution is None:
        return False
    return (
        solution.maker_id == user.pk
        or SolutionOwner.objects.filter(solution=solution, user=user).exists()
    )


def can_work(user: Any, ticket: Ticket) -> bool:
    """Whether the user may act on the ticket (reply as support, move it)."""
    roles = roles_of(user)
    if roles & WORKERS:
        return True
    if ticket.agent_id == user.pk:
        return True
    if ticket.team_id and user.memberships.filter(team_id=ticket.team_id).exists():
        return True
    return ticket.level == SupportType.SELF and _is_owner(user, ticket)


def can_see_notes(user: Any, ticket: Ticket) -> bool:
    return bool(roles_of(user) & SEE_ALL) or can_work(user, ticket)


def allowed_moves(user: Any, ticket: Ticket) -> list[str]:
    """The ladder moves this user may make on this ticket now."""
    if not can_work(user, ticket):
        return []
    roles = roles_of(user)
    moves: list[str] = []
    if not ticket.is_open:
        return ["reopen"]
    moves += ["assign", "escalate", "resolve", "link_duplicate", "merge"]
    if ticket.status == TicketStatus.NEW:
        moves.insert(0, "triage")
    if ticket.level in {SupportType.HELP_DESK, SupportType.PLATFORM} and ticket.solution_id:
        moves.append("redirect")
    if ticket.escalation.get("steps"):
        moves += ["de_escalate", "hand_back"]
    if (
        ticket.solution is not None
        and ticket.solution.tier == Tier.CRITICAL
        and ticket.level != SupportType.PLATFORM
    ):
        moves.append("hand_over")
    if roles & CASE_FILERS:
        moves += ["vendor_case", "partner_case"]
    return moves


def can_reopen(user: Any, ticket: Ticket) -> bool:
    return ticket.requester_id == user.pk or can_work(user, ticket)


@dataclass
class QueueFilters:
    team: SupportTeam | None = None
    status: str = ""
    priority: str = ""
    level: str = ""
    mine: bool = False
    unassigned: bool = False
    q: str = ""


def queue_teams_for(user: User) -> QuerySet[SupportTeam]:
    """Teams whose queue the user may open: their own teams; staff-wide roles any team."""
    roles = roles_of(user)
    if roles & (SEE_ALL | SEE_ALL_OPEN):
        return SupportTeam.objects.exclude(kind=TeamKind.VENDOR).order_by("kind", "name")
    return SupportTeam.objects.filter(memberships__user=user).order_by("kind", "name")


def ticket_queue(user: User, filters: QueueFilters) -> QuerySet[Ticket]:
    """Open tickets by priority, then age; walks the (team, is_open, priority, created_at)
    index so the first page costs the same with ten thousand or a million tickets."""
    qs = tickets_visible_to(user)
    if filters.mine:
        qs = qs.filter(agent=user)
    elif filters.team is not None:
        qs = qs.filter(team=filters.team)
    qs = qs.filter(status=filters.status) if filters.status else qs.filter(is_open=True)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.unassigned:
        qs = qs.filter(agent__isnull=True)
    if filters.q:
        qs = ticket_search(qs, filters.q)
    return qs.order_by("priority", "created_at", "id")


def ticket_search(qs: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    q = q.strip()
    if not q:
        return qs
    if q.upper().startswith("TD-"):
        return qs.filter(number=q.upper())
    return qs.filter(Q(subject__icontains=q) | Q(number__iexact=q))


def capped_count(qs: QuerySet[Ticket], cap: int = QUEUE_CAP) -> tuple[int, bool]:
    """Count at most `cap` rows (a bounded scan, never COUNT(*) over the table)."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def open_statuses() -> list[str]:
    return sorted(OPEN_STATUSES)
