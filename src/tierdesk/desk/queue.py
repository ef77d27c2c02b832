"""The agent console's queue: its filters and sorts, the markers on its rows ("escalated
to us", "new since you looked"), saved views and bulk actions.

Reads ask `selectors.tickets_visible_to` first. Bulk actions call the desk's own services
once per ticket (each its own transaction), so every ticket is allowed or refused by the
service's named rule. Saved views and last looks are written only here, by named rules
(`can_save_view`, `can_edit_view`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tierdesk.accounts.choices import MembershipRole, SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, TeamMembership, User
from tierdesk.common import clock
from tierdesk.common.models import PageLook, SavedView
from tierdesk.common.permissions import require, roles_of
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import (
    DESK_CONSOLE,
    PLATFORM_STAFF,
    READ_ALL,
    READ_ALL_OPEN,
)
from tierdesk.desk import ladder, selectors, services
from tierdesk.desk.choices import (
    OPEN_STATUSES,
    Impact,
    Priority,
    TicketEventType,
    TicketStatus,
    Urgency,
)
from tierdesk.desk.models import Ticket, TicketEvent
from tierdesk.inventory.models import Solution, SolutionOwner
from tierdesk.sla.choices import Stage
from tierdesk.sla.models import SlaClock

QUEUE_PAGE = "desk.queue"
QUEUE_CAP = selectors.QUEUE_CAP

SORTS = ("due", "priority", "updated")
DUE_FILTERS = ("today", "breached")
QUERY_KEYS = (
    "team",
    "mine",
    "status",
    "priority",
    "level",
    "unassigned",
    "escalated",
    "due",
    "q",
    "sort",
)
"""What a queue's query string (and so a saved view) may hold, in this order."""

ESCALATED_WINDOW = dt.timedelta(days=7)
"""How long a ticket that arrived by escalation counts as "escalated to us"."""
ARRIVALS = (TicketEventType.ESCALATED, TicketEventType.HANDED_OVER)
"""The moves that bring a ticket up to a team from a lower level."""
LOOK_GAP = dt.timedelta(minutes=30)
"""A pause this long ends a sitting: what changed before it is no longer "new"."""
LOOK_WRITE_EVERY = dt.timedelta(minutes=1)
"""A look is stored at most this often (a queue refreshed every few seconds writes once)."""
BULK_MAX = 100


# --------------------------------------------------------------------------- filtering


@dataclass
class QueueFilters:
    team: SupportTeam | None = None
    statuses: tuple[str, ...] = ()
    priority: str = ""
    level: str = ""
    mine: bool = False
    unassigned: bool = False
    q: str = ""
    sort: str = "due"
    escalated: bool = False
    due: str = ""

    @property
    def status(self) -> str:
        return self.statuses[0] if len(self.statuses) == 1 else ""


def queue_teams_for(user: User) -> QuerySet[SupportTeam]:
    """Teams whose queue the user may open: their own teams; staff-wide roles any team."""
    return selectors.queue_teams_for(user)


def default_team(user: User) -> SupportTeam | None:
    """The queue a person lands on: their first team (help desk before platform …)."""
    return SupportTeam.objects.filter(memberships__user=user).order_by("kind", "name").first()


def filters_from_query(
    user: User, query: QueryDict | Mapping[str, Any]
) -> tuple[QueueFilters, QuerySet[SupportTeam]]:
    """The queue's filters from its query string. Unknown values are ignored (the queue
    shows its default), a team the user may not open answers 404."""
    get = query.get
    teams = queue_teams_for(user)
    mine = get("mine") == "1"
    team = None
    team_id = str(get("team") or "")
    if team_id:
        if not (team_id.isascii() and team_id.isdigit() and len(team_id) <= 18):
            raise Http404("No such queue.")
        team = teams.filter(pk=int(team_id)).first()
        if team is None:
            raise Http404("No such queue.")
    elif not mine:
        team = default_team(user)
        mine = team is None
    raw_statuses = query.getlist("status") if isinstance(query, QueryDict) else [get("status")]
    statuses = tuple(dict.fromkeys(s for s in raw_statuses if s in TicketStatus.values))
    sort = get("sort") or ""
    due = get("due") or ""
    return (
        QueueFilters(
            team=team,
            statuses=statuses,
            priority=str(get("priority")) if get("priority") in Priority.values else "",
            level=str(get("level")) if get("level") in SupportType.values else "",
            mine=mine,
            unassigned=get("unassigned") == "1",
            q=str(get("q") or "").strip()[:200],
            sort=sort if sort in SORTS else "due",
            escalated=get("escalated") == "1",
            due=due if due in DUE_FILTERS else "",
        ),
        teams,
    )


def _end_of_today(at: dt.datetime) -> dt.datetime:
    local = timezone.localtime(at)
    return local.replace(hour=23, minute=59, second=59, microsecond=999999)


def next_due() -> Subquery:
    """The ticket's earliest running clock's due time (paused clocks wait; none: null)."""
    return Subquery(
        SlaClock.objects.filter(ticket_id=OuterRef("pk"), stage=Stage.IN_PROGRESS)
        .order_by("due_at")
        .values("due_at")[:1]
    )


def breached_clock(at: dt.datetime) -> Exists:
    """The ticket has an active clock that is past its due time (or marked breached)."""
    return Exists(
        SlaClock.objects.filter(
            ticket_id=OuterRef("pk"), stage__in=[Stage.IN_PROGRESS, Stage.PAUSED]
        ).filter(Q(breached=True) | Q(stage=Stage.IN_PROGRESS, due_at__lte=at))
    )


def arrived_by_escalation() -> Exists:
    """The ticket's last move to its level (or within it) was an escalation or hand-over."""
    return Exists(
        TicketEvent.objects.filter(
            ticket_id=OuterRef("pk"),
            type__in=ARRIVALS,
            created_at__gte=OuterRef("level_changed_at"),
        )
    )


OPEN = {"is_open__in": [True]}
"""`is_open IN (1)`: SQLite's planner takes a bare boolean column (what `is_open=True`
renders as) for no constraint at all and walks every ticket of the team; an IN list of one
is an equality it uses with the (team, is_open, …) indexes."""


def sees_whole_team(user: User, team: SupportTeam) -> bool:
    """Whether every ticket of the team is visible to the user: the read-all roles see
    every ticket, and everyone sees their own teams' tickets (`selectors._own_q`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return selectors.ticket_visibility_filter(user) is None or team.pk in selectors._team_ids(user)


def _visible(user: User, filters: QueueFilters) -> QuerySet[Ticket]:
    """`selectors.tickets_visible_to`, or — when the queue is one team's and the user sees
    all of that team's tickets anyway — the team's tickets without the visibility
    condition, which would make the database read every ticket row of the queue to sort
    it (the sort by due time then reads only the queue index and the clocks)."""
    if filters.team is not None and not filters.mine and sees_whole_team(user, filters.team):
        return Ticket.objects.all()
    return selectors.tickets_visible_to(user)


def _base(user: User, filters: QueueFilters, at: dt.datetime) -> QuerySet[Ticket]:
    qs = _visible(user, filters)
    if filters.mine:
        qs = qs.filter(agent=user)
    elif filters.team is not None:
        qs = qs.filter(team=filters.team)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
        if OPEN_STATUSES.issuperset(filters.statuses):
            qs = qs.filter(**OPEN)
    else:
        qs = qs.filter(**OPEN)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.unassigned:
        qs = qs.filter(agent__isnull=True)
    if filters.q:
        qs = selectors.ticket_search(qs, filters.q)
    if filters.escalated:
        # An index range (team, is_open, level_changed_at), then one probe per ticket.
        qs = qs.filter(level_changed_at__gte=at - ESCALATED_WINDOW).filter(arrived_by_escalation())
    if filters.due == "breached":
        qs = qs.filter(breached_clock(at))
    return qs


def ticket_queue(
    user: User, filters: QueueFilters, *, at: dt.datetime | None = None
) -> QuerySet[Ticket]:
    """The queue in the order asked for. By priority it walks the (team, is_open,
    priority, created_at) index; by due time it reads each open ticket's earliest running
    clock through the clocks' (ticket, stage) index; tickets without one come last."""
    at = at or clock.now()
    qs = _base(user, filters, at)
    if filters.sort == "due" or filters.due == "today":
        qs = qs.annotate(sla_due=next_due())
    if filters.due == "today":
        qs = qs.filter(Q(sla_due__lte=_end_of_today(at)))
    if filters.sort == "due":
        return qs.order_by(F("sla_due").asc(nulls_last=True), "priority", "created_at", "id")
    if filters.sort == "updated":
        return qs.order_by("-updated_at", "-id")
    return qs.order_by("priority", "created_at", "id")


def queue_count(
    user: User, filters: QueueFilters, *, at: dt.datetime | None = None, cap: int = QUEUE_CAP
) -> tuple[int, bool]:
    """How many tickets the queue holds, counting at most `cap` (never the whole table)."""
    at = at or clock.now()
    qs = _base(user, filters, at)
    if filters.due == "today":
        qs = qs.annotate(sla_due=next_due()).filter(sla_due__lte=_end_of_today(at))
    return selectors.capped_count(qs, cap)


def query_string(filters: QueueFilters, **override: Any) -> str:
    """The filters as the queue's query string (what a saved view keeps)."""
    values: dict[str, Any] = {
        "team": "" if filters.mine or filters.team is None else filters.team.pk,
        "mine": "1" if filters.mine else "",
        "status": list(filters.statuses),
        "priority": filters.priority,
        "level": filters.level,
        "unassigned": "1" if filters.unassigned else "",
        "escalated": "1" if filters.escalated else "",
        "due": filters.due,
        "q": filters.q,
        "sort": "" if filters.sort == "due" else filters.sort,
    }
    values.update(override)
    pairs: list[tuple[str, Any]] = []
    for key in QUERY_KEYS:
        value = values.get(key)
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                pairs.append((key, item))
    return urlencode(pairs)


def clean_query(query: str) -> str:
    """A query string reduced to the queue's own keys in their order (no page number),
    so a saved view and the page it came from compare equal."""
    parsed = QueryDict(query or "")
    pairs: list[tuple[str, str]] = []
    for key in QUERY_KEYS:
        for value in parsed.getlist(key):
            value = value.strip()
            if value:
                pairs.append((key, value))
    return urlencode(pairs)[:1000]


# ----------------------------------------------------------------------------- markers


@dataclass(frozen=True)
class RowMarkers:
    escalated: bool = False
    escalated_at: dt.datetime | None = None
    new: str = ""  # "new" (filed since you looked), "updated" (changed since), or ""


def our_team_ids(user: User, filters: QueueFilters) -> set[int]:
    """Who "us" is: the viewer's teams, and the team whose queue they are looking at."""
    ids = set(selectors._team_ids(user))
    if filters.team is not None and not filters.mine:
        ids.add(filters.team.pk)
    return ids


def row_markers(
    tickets: Iterable[Ticket],
    *,
    us: set[int],
    looked_before: dt.datetime | None,
    at: dt.datetime | None = None,
) -> dict[int, RowMarkers]:
    """Markers for one page of rows, with one query (the page's arrivals by escalation).

    Escalated to us: the ticket sits with one of our teams, reached its level within the
    last week, by an escalation or hand-over (not a de-escalation, a redirect or filing),
    and nobody has taken it yet or it arrived since the viewer last looked.
    New: filed (or, "updated", changed) since the viewer's previous sitting."""
    at = at or clock.now()
    rows = list(tickets)
    candidates = [
        t.pk
        for t in rows
        if t.team_id in us
        and t.level_changed_at is not None
        and t.level_changed_at >= at - ESCALATED_WINDOW
    ]
    arrivals: dict[int, dt.datetime] = {}
    if candidates:
        arrivals = dict(
            TicketEvent.objects.filter(ticket_id__in=candidates, type__in=ARRIVALS)
            .order_by()
            .values_list("ticket_id")
            .annotate(last=Max("created_at"))
        )
    found: dict[int, RowMarkers] = {}
    for t in rows:
        arrived = arrivals.get(t.pk)
        escalated = bool(
            arrived is not None
            and t.level_changed_at is not None
            and arrived >= t.level_changed_at
            and (
                t.agent_id is None
                or (looked_before is not None and t.level_changed_at > looked_before)
            )
        )
        new = ""
        if looked_before is not None:
            if t.created_at > looked_before:
                new = "new"
            elif t.updated_at > looked_before:
                new = "updated"
        if escalated or new:
            found[t.pk] = RowMarkers(
                escalated=escalated, escalated_at=t.level_changed_at if escalated else None, new=new
            )
    return found


def page_look(*, user: User, page: str, at: dt.datetime | None = None) -> dt.datetime | None:
    """Record that the user looks at `page` now; answer when their previous sitting was
    (what changed after it is "new"), or None the first time.

    The user's own record, written for them by their own request (no one else's); at
    most once a minute, so refreshing the queue does not write on every request."""
    at = at or clock.now()
    look = PageLook.objects.filter(user=user, page=page).first()
    if look is None:
        try:
            with transaction.atomic():
                PageLook.objects.create(user=user, page=page, seen_at=at, previous_at=None)
        except IntegrityError:  # two tabs at once: the other one recorded it
            pass
        return None
    previous = look.previous_at
    if at - look.seen_at >= LOOK_GAP:
        previous = look.seen_at  # a new sitting: what changed since the last one is new
    if at - look.seen_at >= LOOK_WRITE_EVERY or previous != look.previous_at:
        PageLook.objects.filter(pk=look.pk).update(seen_at=at, previous_at=previous)
    return previous


def page_look_reset(*, user: User, page: str, at: dt.datetime | None = None) -> None:
    """ "Mark all as seen": nothing on the page is new for this user any more."""
    at = at or clock.now()
    updated = PageLook.objects.filter(user=user, page=page).update(seen_at=at, previous_at=at)
    if not updated:
        PageLook.objects.get_or_create(
            user=user, page=page, defaults={"seen_at": at, "previous_at": at}
        )


# -------------------------------------------------------------------------- saved views


@dataclass(frozen=True)
class BuiltInView:
    key: str
    name: Any
    query: str


BUILT_IN_VIEWS: tuple[BuiltInView, ...] = (
    BuiltInView("mine", _("My open"), "mine=1"),
    BuiltInView("due_today", _("Due today"), "due=today"),
    BuiltInView("breached", pgettext_lazy("saved view", "Breached"), "due=breached"),
    BuiltInView(
        "waiting",
        pgettext_lazy("saved view", "Waiting"),
        "status=waiting_on_requester&status=waiting_on_vendor",
    ),
    BuiltInView("escalated", pgettext_lazy("saved view", "Escalated"), "escalated=1"),
)


def is_team_lead(user: Any, team: SupportTeam) -> bool:
    if getattr(user, "pk", None) is None:
        return False
    if team.lead_id == user.pk:
        return True
    return TeamMembership.objects.filter(
        team=team, user_id=user.pk, role=MembershipRole.LEAD
    ).exists()


def can_save_view(user: Any, team: SupportTeam | None = None) -> bool:
    """A personal view: anyone with a queue (for a manager, a preference of their own).
    A team's view, which every member sees: the team's lead, the platform team, admins."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = roles_of(user)
    if not roles & DESK_CONSOLE:
        return False
    if team is None:
        return True
    if team.kind == TeamKind.VENDOR:
        return False
    return bool(roles & PLATFORM_STAFF) or is_team_lead(user, team)


def can_edit_view(user: Any, view: SavedView) -> bool:
    """Rename, change or delete: a personal view its owner; a team's view whoever may save
    one for that team."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if view.team_id is None:
        return bool(view.owner_id == user.pk)
    return can_save_view(user, view.team)


def saved_views_visible_to(user: Any, page: str = QUEUE_PAGE) -> QuerySet[SavedView]:
    """Your personal views and your teams' views; staff-wide roles see every team's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return SavedView.objects.none()
    visible = Q(owner=user, team__isnull=True)
    if roles_of(user) & (READ_ALL | READ_ALL_OPEN):
        visible |= Q(team__isnull=False)
    else:
        visible |= Q(team_id__in=selectors._team_ids(user))
    return SavedView.objects.filter(visible, page=page).select_related("team")


def saved_views_listed(user: User, team: SupportTeam | None) -> list[SavedView]:
    """The views to list beside a queue: personal ones, then the viewed team's and the
    user's own teams' (a staff-wide viewer is not shown every team's views at once)."""
    teams = set(selectors._team_ids(user))
    if team is not None:
        teams.add(team.pk)
    return list(
        saved_views_visible_to(user)
        .filter(Q(team__isnull=True) | Q(team_id__in=teams))
        .order_by(F("team_id").asc(nulls_first=True), "position", "name", "id")
    )


def saved_view_get_for_user(user: Any, pk: int) -> SavedView:
    found = saved_views_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such view.")
    return found


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name under 80 characters.")})
    return name


def _name_taken(*, owner: User, team: SupportTeam | None, page: str, name: str) -> QuerySet[Any]:
    qs = SavedView.objects.filter(page=page, name=name)
    return qs.filter(team=team) if team is not None else qs.filter(team__isnull=True, owner=owner)


@transaction.atomic
def saved_view_create(
    *,
    actor: User,
    name: str,
    query: str,
    team: SupportTeam | None = None,
    page: str = QUEUE_PAGE,
) -> SavedView:
    """Save the queue's current filters under a name (`can_save_view`)."""
    require(
        can_save_view(actor, team),
        _("Only the team's lead, the platform team and admins save views for a team.")
        if team is not None
        else _("Your account has no queue to save views of."),
    )
    name = _clean_name(name)
    if _name_taken(owner=actor, team=team, page=page, name=name).exists():
        raise ValidationError({"name": _("A view with this name already exists.")})
    scope = SavedView.objects.filter(page=page)
    scope = scope.filter(team=team) if team else scope.filter(owner=actor, team__isnull=True)
    last = scope.aggregate(n=Max("position"))["n"]
    return SavedView.objects.create(
        owner=actor,
        team=team,
        page=page,
        name=name,
        query=clean_query(query),
        position=0 if last is None else last + 1,
        created_at=clock.now(),
    )


@transaction.atomic
def saved_view_update(
    *, actor: User, view: SavedView, name: str | None = None, query: str | None = None
) -> SavedView:
    """Rename a view, or keep the queue's current filters in it (`can_edit_view`)."""
    require(can_edit_view(actor, view), _("You may not change this view."))
    fields = []
    if name is not None:
        clean = _clean_name(name)
        taken = _name_taken(owner=view.owner, team=view.team, page=view.page, name=clean)
        if taken.exclude(pk=view.pk).exists():
            raise ValidationError({"name": _("A view with this name already exists.")})
        view.name = clean
        fields.append("name")
    if query is not None:
        view.query = clean_query(query)
        fields.append("query")
    if fields:
        view.save(update_fields=fields)
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    require(can_edit_view(actor, view), _("You may not delete this view."))
    view.delete()


# -------------------------------------------------------------------------- bulk actions

BULK_STATUSES: dict[str, str] = {
    TicketStatus.IN_PROGRESS: "set",
    TicketStatus.WAITING_ON_REQUESTER: "set",
    TicketStatus.WAITING_ON_VENDOR: "set",
    TicketStatus.RESOLVED: "resolve",
    TicketStatus.CLOSED: "close",
}


@dataclass
class BulkOutcome:
    changed: list[Ticket] = field(default_factory=list)
    refused: list[tuple[Ticket, str]] = field(default_factory=list)
    missing: int = 0
    denied: int = 0  # refused by a permission rule (the rest were invalid in their state)

    @property
    def reasons(self) -> dict[str, list[str]]:
        """Refusals grouped by reason: {reason: [ticket numbers]}."""
        grouped: dict[str, list[str]] = {}
        for ticket, reason in self.refused:
            grouped.setdefault(reason, []).append(ticket.number or str(ticket.pk))
        return grouped


@dataclass(frozen=True)
class BulkAction:
    """What to do to every ticket: `kind` is one of assign_me, assign_person,
    assign_team, triage, status, link."""

    kind: str
    person: User | None = None
    team: SupportTeam | None = None
    impact: str = ""
    urgency: str = ""
    status: str = ""
    original: Ticket | None = None
    reason: str = ""


def _apply(actor: User, ticket: Ticket, action: BulkAction) -> None:
    reason = action.reason or str(_("Bulk change from the queue"))
    if action.kind == "assign_me":
        ladder.ticket_assign(ticket=ticket, actor=actor, agent=actor, reason=reason)
    elif action.kind == "assign_person":
        ladder.ticket_assign(ticket=ticket, actor=actor, agent=action.person, reason=reason)
    elif action.kind == "assign_team":
        ladder.ticket_assign(ticket=ticket, actor=actor, team=action.team, reason=reason)
    elif action.kind == "triage":
        if action.impact not in Impact.values or action.urgency not in Urgency.values:
            raise ValidationError(_("Choose the impact and the urgency."))
        if ticket.status == TicketStatus.NEW:
            ladder.ticket_triage(
                ticket=ticket,
                actor=actor,
                reason=reason,
                impact=action.impact,
                urgency=action.urgency,
            )
        else:  # already triaged: change impact and urgency, keep its status
            services.ticket_update(
                ticket=ticket,
                actor=actor,
                expected_version=ticket.version,
                changes={"impact": action.impact, "urgency": action.urgency},
            )
    elif action.kind == "status":
        how = BULK_STATUSES.get(action.status)
        if how == "set":
            services.ticket_set_status(
                ticket=ticket, actor=actor, status=action.status, reason=action.reason
            )
        elif how == "resolve":
            services.ticket_resolve(ticket=ticket, actor=actor, reason=reason)
        elif how == "close":
            services.ticket_close(ticket=ticket, actor=actor, reason=action.reason)
        else:
            raise ValidationError(_("Choose a status."))
    elif action.kind == "link":
        if action.original is None:
            raise ValidationError(_("Name the ticket they duplicate."))
        ladder.ticket_link_duplicate(
            ticket=ticket, original=action.original, actor=actor, reason=action.reason
        )
    else:
        raise ValidationError(_("Choose an action."))


def queue_bulk(*, actor: User, ticket_ids: Iterable[int], action: BulkAction) -> BulkOutcome:
    """Apply one action to several tickets, each through its own service and transaction:
    a ticket the service refuses (its named rule, or its state) is reported with the
    service's reason and the others still change. Tickets the actor may not see count as
    missing, exactly like ids that name nothing."""
    ids = list(dict.fromkeys(int(i) for i in ticket_ids))[:BULK_MAX]
    found = {
        t.pk: t
        for t in selectors.tickets_visible_to(actor)
        .filter(pk__in=ids)
        .select_related("solution", "team", "agent")
    }
    outcome = BulkOutcome(missing=len([i for i in ids if i not in found]))
    for pk in ids:
        ticket = found.get(pk)
        if ticket is None:
            continue
        try:
            _apply(actor, ticket, action)
        except PermissionDenied as error:
            outcome.denied += 1
            outcome.refused.append((ticket, str(error) or str(_("Not allowed."))))
        except ValidationError as error:
            outcome.refused.append((ticket, " ".join(str(m) for m in error.messages)))
        except VersionConflict:
            outcome.refused.append((ticket, str(_("Someone changed it meanwhile."))))
        else:
            outcome.changed.append(ticket)
    return outcome


# ---------------------------------------------------------------------------- the home

HOME_ROWS = 5
HOME_CAP = 99


@dataclass
class WorkTile:
    key: str
    label: Any
    count: int
    more: bool
    query: str
    alert: bool = False


def my_work(user: User, *, at: dt.datetime | None = None) -> dict[str, Any]:
    """A desk worker's home: counts of their open, due today, breached and waiting
    tickets (each a link to the queue filtered so), their team's unassigned, and their
    first open tickets, next due first."""
    at = at or clock.now()
    mine = QueueFilters(mine=True)
    tiles = []
    for key, label, filters, alert in (
        ("open", _("My open tickets"), mine, False),
        ("due_today", _("Due today"), QueueFilters(mine=True, due="today"), False),
        ("breached", _("Breached"), QueueFilters(mine=True, due="breached"), True),
        (
            "waiting",
            _("Waiting on requester"),
            QueueFilters(mine=True, statuses=(TicketStatus.WAITING_ON_REQUESTER,)),
            False,
        ),
    ):
        count, more = queue_count(user, filters, at=at, cap=HOME_CAP)
        tiles.append(WorkTile(key, label, count, more, query_string(filters), alert and count > 0))
    team = default_team(user)
    if team is not None:
        filters = QueueFilters(team=team, unassigned=True)
        count, more = queue_count(user, filters, at=at, cap=HOME_CAP)
        tiles.append(
            WorkTile(
                "unassigned",
                _("Unassigned in %(team)s") % {"team": team},
                count,
                more,
                query_string(filters),
            )
        )
    ids = list(ticket_queue(user, mine, at=at).values_list("id", flat=True)[:HOME_ROWS])
    by_id = {t.pk: t for t in Ticket.objects.filter(pk__in=ids).select_related("solution")}
    return {"tiles": tiles, "tickets": [by_id[pk] for pk in ids if pk in by_id]}


def my_requests(user: User) -> list[Ticket]:
    """The person's own open requests, newest first (the requester index)."""
    return list(
        selectors.tickets_visible_to(user)
        .filter(requester=user, **OPEN)
        .order_by("-created_at", "-id")[:HOME_ROWS]
    )


def tickets_on_my_solutions(user: User) -> list[Ticket]:
    """Open tickets on solutions the person makes or co-owns (not their own requests)."""
    owned = SolutionOwner.objects.filter(user=user).values("solution_id")
    solutions = Solution.objects.filter(Q(maker=user) | Q(pk__in=owned), is_deleted=False).values(
        "id"
    )
    return list(
        selectors.tickets_visible_to(user)
        .filter(solution_id__in=solutions, **OPEN)
        .exclude(requester=user)
        .select_related("solution")
        .order_by("-created_at", "-id")[:HOME_ROWS]
    )
