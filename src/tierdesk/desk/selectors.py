"""Reads of the desk. Every list, detail, search, count, export and download asks
`tickets_visible_to` first; what a user may do on a ticket is decided here too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tierdesk.accounts.choices import MembershipRole, SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import (
    ADMIN_ONLY,
    DESK_CONSOLE,
    DESK_WORKERS,
    PLATFORM_STAFF,
    READ_ALL,
    READ_ALL_OPEN,
    Role,
)
from tierdesk.desk import indexing
from tierdesk.desk.choices import OPEN_STATUSES, TicketStatus
from tierdesk.desk.models import (
    CannedResponse,
    Ticket,
    TicketAttachment,
    TicketWatcher,
    VendorCase,
)
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution, SolutionOwner
from tierdesk.inventory.selectors import solutions_visible_to

QUEUE_CAP = 1000


def _team_ids(user: Any) -> frozenset[int]:
    """The user's teams, read once per user object (a queue page asks for every row)."""
    cached: frozenset[int] | None = getattr(user, "_desk_team_ids", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("team_id", flat=True))
        user._desk_team_ids = cached
    return cached


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
    team_ids = _team_ids(user)
    if team_ids:
        visible |= Q(team_id__in=team_ids)
    return visible


def ticket_visibility_filter(user: User) -> Q | None:
    """None means every ticket. Help-desk agents and platform engineers see all tickets
    except confidential ones outside their reach; partner agents only their partner
    team's (and their own requests); managers read all; admins all."""
    roles = roles_of(user)
    if roles & READ_ALL:
        return None
    own = _own_q(user)
    if roles & READ_ALL_OPEN:
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


def tickets_mine(qs: QuerySet[Ticket], user: User) -> QuerySet[Ticket]:
    """The caller's own tickets among `qs`: those they requested, are assigned (agent) or
    watch — not the whole queue an agent may see (the connector's ListMyTickets)."""
    return qs.filter(
        Q(requester=user)
        | Q(agent=user)
        | Q(id__in=TicketWatcher.objects.filter(user=user).values("ticket_id"))
    )


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


# ------------------------------------------------------------- naming a solution
#
# Who files a ticket names the solution it is about: one they may see in the inventory,
# or one identified by its platform id (the GUID the embedded form carries and an app's
# "About" shows its users). A hidden solution answers exactly as a missing one does.


def solutions_nameable_by(user: Any) -> QuerySet[Solution]:
    """Live solutions the user may name by id or by name: those they may see."""
    return solutions_visible_to(user).filter(is_deleted=False)


def solution_by_platform_id(platform_id: str) -> Solution | None:
    text = (platform_id or "").strip().lower()
    if not text:
        return None
    return (
        Solution.objects.filter(is_deleted=False, platform_id=text)
        .select_related("maker", "supporting_team")
        .order_by("id")
        .first()
    )


def solution_named_by(user: Any, text: str) -> Solution | None:
    """What a person typed into "Solution": its platform id, or the exact name of a
    solution they may see; None when it names nothing they may name."""
    text = (text or "").strip()
    if not text:
        return None
    return solution_by_platform_id(text) or (
        solutions_nameable_by(user).filter(name=text).order_by("id").first()
    )


def can_see_solution_details(user: Any, ticket: Ticket) -> bool:
    """The solution's maker, co-owners, tier and support model: for who supports the
    ticket and who may see the solution in the inventory. Anyone else (its requester, an
    app user) sees its name and who supports it: what the support channel needs."""
    if ticket.solution_id is None:
        return False
    return (
        can_work(user, ticket) or solutions_visible_to(user).filter(pk=ticket.solution_id).exists()
    )


# ---------------------------------------------------------------------- the rules
#
# One named rule per write on a ticket. The services call them (and refuse with
# PermissionDenied); pages and the API only show what they allow. Managers read every
# ticket and write none: no rule below is satisfied by the manager role.


def can_work(user: Any, ticket: Ticket) -> bool:
    """Whether the user supports this ticket: the help desk, the platform team and admins
    on any ticket they see, its agent, the members of the team it sits with, and — while
    it is at the self-support level — its solution's maker and co-owners."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = roles_of(user)
    if roles & DESK_WORKERS:
        return True
    if ticket.agent_id == user.pk:
        return True
    if ticket.team_id and ticket.team_id in _team_ids(user):
        return True
    return ticket.level == SupportType.SELF and _is_owner(user, ticket)


def can_see_notes(user: Any, ticket: Ticket) -> bool:
    """Internal notes and attachments: who supports the ticket, and the read-all roles."""
    return bool(roles_of(user) & READ_ALL) or can_work(user, ticket)


def can_file(user: Any) -> bool:
    """Anyone signed in asks for help (the requester role); a manager-only account reads."""
    return Role.REQUESTER in roles_of(user)


def can_file_for_someone(user: Any) -> bool:
    """Logging a request someone made another way (phone, walk-in, chat, e-mail): the
    help desk, the platform team and admins."""
    return bool(roles_of(user) & DESK_WORKERS)


def _is_requester(user: Any, ticket: Ticket) -> bool:
    return ticket.requester_id is not None and ticket.requester_id == getattr(user, "pk", None)


def can_edit(user: Any, ticket: Ticket) -> bool:
    """Subject, description, impact and urgency: the requester and whoever supports it."""
    return can_work(user, ticket) or (_is_requester(user, ticket) and can_file(user))


def can_reply(user: Any, ticket: Ticket) -> bool:
    """A public reply: the requester, whoever supports the ticket, and its watchers."""
    if can_work(user, ticket) or (_is_requester(user, ticket) and can_file(user)):
        return True
    return (
        can_file(user)
        and not bool(roles_of(user) & READ_ALL - DESK_WORKERS)  # read-all roles only read
        and ticket.watcher_rows.filter(user=user).exists()
    )


def can_write_note(user: Any, ticket: Ticket) -> bool:
    """Internal notes: only who supports the ticket (reading them is wider)."""
    return can_work(user, ticket)


def can_attach(user: Any, ticket: Ticket, *, internal: bool = False) -> bool:
    """A file with a reply (who may reply) or an internal one (who may write notes)."""
    return can_write_note(user, ticket) if internal else can_reply(user, ticket)


def can_take(user: Any, ticket: Ticket) -> bool:
    """Take an open ticket as its agent from the queue."""
    return ticket.is_open and can_work(user, ticket)


def can_set_status(user: Any, ticket: Ticket) -> bool:
    """Waiting on the requester, on a vendor, in progress: who supports the ticket."""
    return ticket.is_open and can_work(user, ticket)


def can_close(user: Any, ticket: Ticket) -> bool:
    """Close: the requester — their own request, open (no longer needed, solved another
    way; they say why) or resolved (confirming it) — or who supports it."""
    if ticket.status == TicketStatus.CLOSED:
        return False
    return can_work(user, ticket) or requester_closes(user, ticket)


def requester_closes(user: Any, ticket: Ticket) -> bool:
    """Whether `user` would close the ticket as its requester (not as its support): an
    open request then needs a reason."""
    return (
        _is_requester(user, ticket)
        and can_file(user)
        and not can_work(user, ticket)
        and ticket.status != TicketStatus.CLOSED
    )


def can_set_solution(user: Any, ticket: Ticket) -> bool:
    """Attach the solution a ticket is about, or change it (routing, the redirect and the
    SLA follow): the help desk, the platform team and admins on an open ticket they
    work."""
    return ticket.is_open and bool(roles_of(user) & DESK_WORKERS) and can_work(user, ticket)


def can_mention(person: Any, ticket: Ticket, *, internal: bool) -> bool:
    """Whether an @mention may reach `person`: they see the ticket, and for an internal
    note they read internal notes. Anyone else's @name stays plain text."""
    if not getattr(person, "is_active", False):
        return False
    if not tickets_visible_to(person).filter(pk=ticket.pk).exists():
        return False
    return can_see_notes(person, ticket) if internal else True


# ----------------------------------------------------------------- canned responses


def _led_team_ids(user: Any) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    led = set(user.memberships.filter(role=MembershipRole.LEAD).values_list("team_id", flat=True))
    led |= set(SupportTeam.objects.filter(lead=user).values_list("id", flat=True))
    return frozenset(led)


def can_manage_canned_responses(user: Any, team: SupportTeam | None = None) -> bool:
    """Write, change and delete canned responses: the platform team and admins any (the
    global ones too); a team lead their own team's. Without a team named: whether the
    user manages any."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if roles_of(user) & PLATFORM_STAFF:
        return True
    led = _led_team_ids(user)
    if team is None:
        return False
    return team.pk in led


def canned_teams_managed_by(user: Any) -> QuerySet[SupportTeam]:
    if roles_of(user) & PLATFORM_STAFF:
        return SupportTeam.objects.exclude(kind=TeamKind.VENDOR).order_by("name")
    return SupportTeam.objects.filter(pk__in=_led_team_ids(user)).order_by("name")


def may_manage_some_canned_responses(user: Any) -> bool:
    return can_manage_canned_responses(user) or bool(_led_team_ids(user))


def canned_responses_for(user: Any) -> QuerySet[CannedResponse]:
    """The canned responses a user may use or read: everyone's, their teams' (the platform
    team and admins: all). Only people with a queue to work (`DESK_CONSOLE`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CannedResponse.objects.none()
    if not roles_of(user) & DESK_CONSOLE:
        return CannedResponse.objects.none()
    qs = CannedResponse.objects.select_related("team")
    if roles_of(user) & PLATFORM_STAFF:
        return qs.order_by("title", "id")
    return qs.filter(Q(team__isnull=True) | Q(team_id__in=_team_ids(user))).order_by("title", "id")


def canned_response_get_for_user(user: Any, pk: int) -> CannedResponse:
    found = canned_responses_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such canned response.")
    return found


# --------------------------------------------------------------------- vendor cases


def can_update_vendor_case(user: Any, case: VendorCase) -> bool:
    """Update, resolve or close a vendor or partner case: the platform team and admins
    who work its ticket."""
    return bool(roles_of(user) & PLATFORM_STAFF) and can_work(user, case.ticket)


def vendor_cases_visible_to(user: Any) -> QuerySet[VendorCase]:
    """Cases of tickets the user sees; the list page is the platform team's."""
    return VendorCase.objects.filter(
        ticket_id__in=tickets_visible_to(user).values("id")
    ).select_related("ticket", "filed_by", "partner_team")


def vendor_case_get_for_user(user: Any, pk: int) -> VendorCase:
    found = vendor_cases_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such case.")
    return found


# ---------------------------------------------------------- merge and duplicate targets


def merge_candidates(user: Any, ticket: Ticket, q: str, limit: int = 20) -> list[Ticket]:
    """Tickets the user sees that `ticket` could be merged into or linked to, by number
    or words of the subject; open ones first."""
    qs = (
        tickets_visible_to(user)
        .exclude(pk=ticket.pk)
        .filter(merged_into__isnull=True)
        .select_related("team", "agent", "requester")
    )
    q = (q or "").strip()
    if q:
        qs = ticket_search(qs, q)
    elif ticket.solution_id is not None:
        qs = qs.filter(solution_id=ticket.solution_id)
    else:
        qs = qs.filter(requester_id=ticket.requester_id) if ticket.requester_id else qs.none()
    return list(qs.order_by("-is_open", "-created_at", "-id")[:limit])


def can_add_watcher(user: Any, ticket: Ticket, watcher: Any) -> bool:
    """Watch a ticket oneself (anyone who may reply), or add someone (who supports it)."""
    if watcher is not None and getattr(watcher, "pk", None) == getattr(user, "pk", None):
        return can_reply(user, ticket) or can_work(user, ticket)
    return can_work(user, ticket)


def can_manage_request_types(user: Any) -> bool:
    return bool(roles_of(user) & ADMIN_ONLY)


def can_move(user: Any, ticket: Ticket, move: str) -> bool:
    """A move along the ladder: who supports the ticket; vendor and partner cases only the
    platform team and admins. Whether the move makes sense now (a ticket that is not new
    is not triaged) is the service's to say, as a validation error."""
    if move == "reopen":
        return can_reopen(user, ticket)
    if not can_work(user, ticket):
        return False
    if move in {"vendor_case", "partner_case"}:
        return bool(roles_of(user) & PLATFORM_STAFF)
    return True


def allowed_moves(user: Any, ticket: Ticket) -> list[str]:
    """The ladder moves to offer this user on this ticket now: those that make sense in
    its state and that `can_move` allows."""
    if not ticket.is_open:
        return ["reopen"] if can_reopen(user, ticket) else []
    moves = ["assign", "escalate", "resolve", "link_duplicate", "merge"]
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
    moves += ["vendor_case", "partner_case"]
    return [m for m in moves if can_move(user, ticket, m)]


def can_reopen(user: Any, ticket: Ticket) -> bool:
    """Reopen a resolved ticket (within the reopen window, before it closes): the requester
    or who supports it. A closed ticket is reopened only by the help desk, the platform
    team or admins (a requester files a new ticket, which can name the old one)."""
    if ticket.is_open:
        return False
    if ticket.status == TicketStatus.CLOSED:
        return bool(roles_of(user) & DESK_WORKERS) and can_work(user, ticket)
    return can_work(user, ticket) or (_is_requester(user, ticket) and can_file(user))


def status_moves(user: Any, ticket: Ticket) -> list[str]:
    """The status changes to offer on an open ticket: put it on hold for the requester
    (pauses its SLA clocks until they reply), back in progress, or close it."""
    moves = []
    if can_set_status(user, ticket):
        if ticket.status != TicketStatus.WAITING_ON_REQUESTER:
            moves.append("wait_on_requester")
        if ticket.status in {TicketStatus.WAITING_ON_REQUESTER, TicketStatus.WAITING_ON_VENDOR}:
            moves.append("in_progress")
    if ticket.status != TicketStatus.CLOSED and can_close(user, ticket):
        moves.append("close")
    return moves


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
    if roles & (READ_ALL | READ_ALL_OPEN):
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
    """The tickets of `qs` with number `q`, or matching its words (`indexing.matching`)."""
    q = q.replace("\x00", "").strip()
    if not q:
        return qs
    if q.upper().startswith("TD-"):
        return qs.filter(number=q.upper())
    return indexing.matching(qs, q)


def capped_count(qs: QuerySet[Ticket], cap: int = QUEUE_CAP) -> tuple[int, bool]:
    """Count at most `cap` rows (a bounded scan, never COUNT(*) over the table)."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def open_statuses() -> list[str]:
    return sorted(OPEN_STATUSES)
