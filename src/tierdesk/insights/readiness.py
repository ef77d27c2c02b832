"""Help-desk readiness by topic (issue 13, item 4): how much of each topic the help desk
resolves itself, how much it escalates past itself, how long tickets stay with it, how
often its resolutions are reopened and how well the knowledge base covers the
escalations → a readiness level per topic and the gaps to train.

Reads only. The numbers come from the daily facts (`insights.facts`), never from the
ticket table:

- *resolved at the help desk*: `resolved` on fact rows at the help-desk level;
- *escalated past it*: `escalations` on fact rows at the help-desk level (the keeper
  counts an escalation under the level the ticket left);
- *reopen rate*: `reopened` ÷ `resolved` at the help-desk level (a ticket reopens at the
  level that resolved it);
- *hours at the help desk*: `level_minutes` at the help-desk level ÷ the tickets it
  handled (resolved + escalated); *hours to resolve*: `level_minutes` at every level ÷
  every resolution of the topic;
- *solved by an article*: the facts' deflections.

Knowledge coverage is read from the knowledge base as `knowledge.proposals.coverage`
does: published articles per topic (originals, not translations), and among the
escalations past the help desk resolved in the period, those with and without a
published article linked, with the newest uncovered ones as examples, and the open
article proposals.

Who reads (`can_read_readiness`): admins and the platform team everything; managers their
business units (the facts' selectors scope them; coverage counts only the tickets of
their units' solutions, or of their units' requesters when there is no solution);
help-desk leads their own team's facts (the team dimension of the facts) — the
knowledge base is shared, so their coverage counts every escalation they may see. Others
are refused (403).

Every threshold is a query parameter with its default in `Thresholds` (the one place they
are named) and its bounds and label in `PARAMETERS`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.db.models import BigIntegerField, Count, F, Func, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import MembershipRole, SupportType, TeamKind
from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
from tierdesk.common import clock
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import PLATFORM_STAFF, Role
from tierdesk.desk import selectors as desk_selectors
from tierdesk.desk.choices import TicketStatus, Topic
from tierdesk.desk.models import Ticket
from tierdesk.insights import coe, facts
from tierdesk.insights.models import DailyFact
from tierdesk.inventory.models import Solution
from tierdesk.knowledge.choices import ArticleStatus, ProposalStatus
from tierdesk.knowledge.models import Article, ArticleProposal
from tierdesk.knowledge.proposals import escalated_q

READERS: frozenset[Role] = PLATFORM_STAFF | {Role.MANAGER, Role.HELP_DESK_AGENT}
"""Who may open the page at all (help-desk agents only when they lead a help-desk team)."""

DESK = SupportType.HELP_DESK.value
EXAMPLES = 5
"""Uncovered escalations shown per topic."""

READY, IMPROVE, TRAINING, TOO_FEW = "ready", "improve", "training", "too_few"
LEVELS: dict[str, Any] = {
    READY: _("Ready"),
    IMPROVE: _("Needs improvement"),
    TRAINING: _("Needs training"),
    TOO_FEW: _("Too few tickets"),
}


# --- who reads ----------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def led_help_desk_teams(user: Any) -> list[int]:
    """The help-desk teams the user leads (the team's lead, or a member with the lead role)."""
    if getattr(user, "pk", None) is None:
        return []
    return sorted(
        set(
            SupportTeam.objects.filter(kind=TeamKind.HELP_DESK)
            .filter(
                Q(lead_id=user.pk)
                | Q(memberships__user_id=user.pk, memberships__role=MembershipRole.LEAD)
            )
            .values_list("pk", flat=True)
        )
    )


def can_read_readiness(user: Any) -> bool:
    """Admins, the platform team, managers (their business units) and the leads of a
    help-desk team (their team)."""
    if not _signed_in(user):
        return False
    roles = roles_of(user)
    if roles & (PLATFORM_STAFF | {Role.MANAGER}):
        return True
    return Role.HELP_DESK_AGENT in roles and bool(led_help_desk_teams(user))


@dataclass(frozen=True)
class Scope:
    """What a reader counts: business units (None: all) and help-desk teams (None: all)."""

    unit_ids: tuple[int, ...] | None
    team_ids: tuple[int, ...] | None

    @property
    def limited(self) -> bool:
        return self.unit_ids is not None or self.team_ids is not None


def scope_of(user: Any) -> Scope:
    roles = roles_of(user) if _signed_in(user) else frozenset()
    if roles & PLATFORM_STAFF:
        return Scope(None, None)
    if Role.MANAGER in roles:
        return Scope(tuple(facts.manager_business_units(user)), None)
    if Role.HELP_DESK_AGENT in roles:
        return Scope(None, tuple(led_help_desk_teams(user)))
    return Scope((), ())


def business_units_for(scope: Scope) -> QuerySet[BusinessUnit]:
    if scope.unit_ids is None:
        return BusinessUnit.objects.order_by("name", "id")
    return BusinessUnit.objects.filter(id__in=scope.unit_ids).order_by("name", "id")


def teams_for(scope: Scope) -> QuerySet[SupportTeam]:
    """The help-desk teams a filter may name."""
    teams = SupportTeam.objects.filter(kind=TeamKind.HELP_DESK)
    if scope.team_ids is not None:
        teams = teams.filter(id__in=scope.team_ids)
    return teams.order_by("name", "id")


# --- the thresholds: one named place ---------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Every threshold of the readiness levels, with its default."""

    days: int = 90
    """The period read, in days up to today."""
    min_tickets: int = 5
    """Fewer tickets handled at the help desk (resolved + escalated): too few to judge."""
    ready_share: int = 70
    """Percent resolved at the help desk at or above which a topic may be ready …"""
    training_share: int = 40
    """… and below which the help desk needs training on it."""
    max_reopen: int = 10
    """Most percent of the desk's resolutions reopened for a ready topic."""
    max_desk_hours: float = 24.0
    """Most average hours a ticket stays at the help desk for a ready topic."""
    min_coverage: int = 50
    """Least percent of the escalations with a published article for a ready topic."""
    min_articles: int = 1
    """Least published articles on the topic for a ready topic."""


@dataclass(frozen=True)
class Param:
    name: str
    label: Any
    low: float
    high: float
    integer: bool = True
    unit: Any = ""


PARAMETERS: tuple[Param, ...] = (
    Param("days", _("Period read"), 7, 730, unit=_("days")),
    Param("min_tickets", _("Fewest tickets to judge a topic"), 1, 1_000_000),
    Param("ready_share", _("Resolved at the help desk to be ready"), 0, 100, unit="%"),
    Param("training_share", _("Resolved at the help desk below which to train"), 0, 100, unit="%"),
    Param("max_reopen", _("Most reopened to be ready"), 0, 100, unit="%"),
    Param(
        "max_desk_hours",
        _("Most hours at the help desk to be ready"),
        0.1,
        10_000,
        integer=False,
        unit=_("hours"),
    ),
    Param("min_coverage", _("Escalations with an article to be ready"), 0, 100, unit="%"),
    Param("min_articles", _("Published articles to be ready"), 0, 10_000),
)
PARAMETER_NAMES = frozenset(p.name for p in PARAMETERS)


def parse_thresholds(params: Mapping[str, Any]) -> Thresholds:
    """The thresholds from the query (defaults for what is missing or empty); a bad value
    raises `coe.BadParameter` with the parameter's name."""
    values: dict[str, Any] = {}
    for p in PARAMETERS:
        raw = params.get(p.name)
        if raw is None or str(raw).strip() == "":
            continue
        text = str(raw).strip()
        try:
            number: float = int(text) if p.integer else float(text)
        except ValueError:
            raise coe.BadParameter(p.name) from None
        if number != number or not p.low <= number <= p.high:  # NaN or out of bounds
            raise coe.BadParameter(p.name)
        values[p.name] = number
    t = replace(Thresholds(), **values)
    if t.training_share > t.ready_share:
        raise coe.BadParameter("training_share")
    return t


def thresholds_query(t: Thresholds) -> dict[str, Any]:
    """The thresholds that differ from the defaults, as query parameters."""
    default = Thresholds()
    return {
        f.name: getattr(t, f.name)
        for f in fields(Thresholds)
        if getattr(t, f.name) != getattr(default, f.name)
    }


@dataclass(frozen=True)
class Filters:
    business_unit: int | None = None
    team: int | None = None


def parse_filters(scope: Scope, params: Mapping[str, Any]) -> Filters:
    """The business unit and help-desk team named in the query, each within the scope."""
    unit = coe.parse_int(
        params.get("business_unit"), name="business_unit", default=None, low=1, high=2**62
    )
    if unit is not None and not business_units_for(scope).filter(pk=unit).exists():
        raise coe.BadParameter("business_unit")
    team = coe.parse_int(params.get("team"), name="team", default=None, low=1, high=2**62)
    if team is not None and not teams_for(scope).filter(pk=team).exists():
        raise coe.BadParameter("team")
    return Filters(unit, team)


def window(t: Thresholds, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    end = today or clock.today()
    return end - dt.timedelta(days=t.days - 1), end


# --- the readiness of each topic ---------------------------------------------------------


@dataclass
class Example:
    id: int
    number: str
    subject: str
    resolved_at: dt.datetime | None


@dataclass
class TopicReadiness:
    topic: str
    label: str
    desk_resolved: int = 0
    escalated: int = 0
    reopened: int = 0
    desk_minutes: int = 0
    resolved_all: int = 0
    minutes_all: int = 0
    deflections: int = 0
    articles: int = 0
    escalations_resolved: int = 0
    """Escalations past the help desk resolved in the period (the knowledge base's count)."""
    covered: int = 0
    open_proposals: int = 0
    examples: list[Example] = field(default_factory=list)
    level: str = TOO_FEW
    reasons: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.desk_resolved + self.escalated

    @property
    def desk_share(self) -> float | None:
        """Percent of the tickets the help desk handled that it resolved itself."""
        return round(100 * self.desk_resolved / self.handled, 1) if self.handled else None

    @property
    def escalated_share(self) -> float | None:
        return round(100 * self.escalated / self.handled, 1) if self.handled else None

    @property
    def reopen_rate(self) -> float | None:
        if not self.desk_resolved:
            return None
        return round(100 * self.reopened / self.desk_resolved, 1)

    @property
    def desk_hours(self) -> float | None:
        """Average hours a ticket stayed at the help desk."""
        return round(self.desk_minutes / self.handled / 60, 1) if self.handled else None

    @property
    def hours_to_resolve(self) -> float | None:
        """Average hours open, at every level, per resolution of the topic."""
        return round(self.minutes_all / self.resolved_all / 60, 1) if self.resolved_all else None

    @property
    def uncovered(self) -> int:
        return self.escalations_resolved - self.covered

    @property
    def coverage(self) -> float | None:
        """Percent of the escalations resolved in the period with a published article."""
        if not self.escalations_resolved:
            return None
        return round(100 * self.covered / self.escalations_resolved, 1)

    @property
    def articles_to_write(self) -> int:
        """Uncovered escalations no open proposal answers yet (at least none)."""
        return max(self.uncovered - self.open_proposals, 0)

    @property
    def level_label(self) -> str:
        return str(LEVELS[self.level])

    @property
    def is_gap(self) -> bool:
        return self.level in (TRAINING, IMPROVE)


def _topic_label(topic: str) -> str:
    return str(Topic(topic).label) if topic in Topic.values else gettext("Not set")


COUNTERS = ("resolved", "reopened", "escalations", "level_minutes", "deflections")


def _fact_rows(user: Any, scope: Scope, start: dt.date, end: dt.date, f: Filters) -> list[Any]:
    """Counters per topic × level of the period the user may read."""
    if scope.team_ids is not None:
        # a help-desk lead: the facts' selectors know no leads; their team's rows only
        team_ids = [f.team] if f.team is not None else list(scope.team_ids)
        qs = DailyFact.objects.filter(day__gte=start, day__lte=end, team_id__in=team_ids)
        if f.business_unit is not None:
            qs = qs.filter(business_unit_id=f.business_unit)
        rows = (
            qs.order_by()
            .values("topic", "level")
            .annotate(**{n: Sum(n) for n in COUNTERS})
            .order_by("topic", "level")
        )
        return [{k: (v or 0) if k in COUNTERS else v for k, v in r.items()} for r in rows]
    return facts.totals(
        user,
        start,
        end,
        group_by=["topic", "level"],
        counters=COUNTERS,
        business_unit=f.business_unit,
        team=f.team,
    )


class _NoIndex(Func):
    """`+column`: the same value, through which the planner does not look rows up by an
    index on the column (SQLite's documented way to steer it; PostgreSQL plans it alike)."""

    template = "+%(expressions)s"
    output_field = BigIntegerField()


def _scoped_tickets(
    user: Any, scope: Scope, f: Filters, *, joined: bool = False
) -> QuerySet[Ticket]:
    """The tickets whose escalations the reader's coverage counts (see the docstring).

    A manager's units, for counting: the ticket's solution (or, with none, its requester)
    in the units' solutions (people) — two subqueries read once, tested on each escalation
    the covering index finds. Joined instead, PostgreSQL hashes every solution to test the
    OR (90 ms against 38 at 100,000 solutions) and SQLite looks up each escalation's
    solution and person (150 ms against 63); and without `+`, SQLite drives the count from
    the units' solutions' tickets (340 ms). `joined`: through the joins, for reading the
    few newest rows, where walking the date index and testing each row wins."""
    tickets = desk_selectors.tickets_visible_to(user)
    units: list[int] | None = None
    if f.business_unit is not None:
        units = [f.business_unit]
    elif scope.unit_ids is not None:
        units = list(scope.unit_ids)
    if units is not None:
        if joined:
            return tickets.filter(
                Q(solution__business_unit_id__in=units)
                | Q(solution__isnull=True, requester__business_unit_id__in=units)
            )
        unit_solutions = Solution.objects.filter(business_unit_id__in=units).values("pk")
        unit_people = User.objects.filter(business_unit_id__in=units).values("pk")
        tickets = tickets.alias(
            scoped_solution=_NoIndex(F("solution_id")),
            scoped_requester=_NoIndex(F("requester_id")),
        ).filter(
            Q(scoped_solution__in=unit_solutions)
            | Q(solution__isnull=True, scoped_requester__in=unit_people)
        )
    return tickets


def _coverage(
    user: Any, scope: Scope, start: dt.date, end: dt.date, f: Filters
) -> dict[str, dict[str, Any]]:
    """Per topic: escalations past the help desk resolved in the period, with a published
    article linked, the newest without, and the open proposals."""
    zone = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    # The few tickets linked to a published article, as a subquery: counting "covered"
    # from them beats a test per escalation (tens of thousands a quarter).
    linked = Article.tickets.through.objects.filter(article__status=ArticleStatus.PUBLISHED).values(
        "ticket_id"
    )
    escalations = (
        _scoped_tickets(user, scope, f)
        .filter(escalated_q())
        .filter(
            status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED],
            is_open__in=[False],
            resolved_at__gte=since,
            resolved_at__lt=until,
        )
        .order_by()
    )
    found: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"total": 0, "covered": 0, "examples": [], "proposals": 0}
    )
    for row in escalations.values("topic").annotate(n=Count("id")):
        found[row["topic"]]["total"] = row["n"]
    for row in escalations.filter(pk__in=linked).values("topic").annotate(n=Count("id")):
        found[row["topic"]]["covered"] = row["n"]
    newest = (
        _scoped_tickets(user, scope, f, joined=True)
        .filter(escalated_q())
        .filter(
            status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED],
            is_open__in=[False],
            resolved_at__gte=since,
            resolved_at__lt=until,
        )
        .order_by()
    )
    for topic, entry in found.items():
        if entry["total"] > entry["covered"]:
            entry["examples"] = [
                Example(t.pk, t.number or "", t.subject, t.resolved_at)
                for t in newest.filter(topic=topic)
                .exclude(pk__in=linked)
                .order_by("-resolved_at", "-id")
                .only("id", "number", "subject", "resolved_at")[:EXAMPLES]
            ]
    proposals = ArticleProposal.objects.filter(
        status=ProposalStatus.OPEN, ticket__in=_scoped_tickets(user, scope, f).values("pk")
    )
    for waiting in proposals.order_by().values("topic").annotate(n=Count("id")):
        found[waiting["topic"]]["proposals"] = waiting["n"]
    return found


def published_articles() -> dict[str, int]:
    """Published articles per topic (originals; a translation is not another article)."""
    rows = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, translation_of__isnull=True)
        .order_by()
        .values("topic")
        .annotate(n=Count("id"))
    )
    return {r["topic"]: r["n"] for r in rows}


def _judge(r: TopicReadiness, t: Thresholds) -> None:
    """The readiness level and its reasons, by the named thresholds."""
    reasons: list[str] = []
    if r.handled < t.min_tickets:
        r.level = TOO_FEW
        r.reasons = [
            gettext(
                "The help desk handled %(n)s tickets on this topic, fewer than the %(min)s "
                "needed to judge."
            )
            % {"n": r.handled, "min": t.min_tickets}
        ]
        return
    share = r.desk_share or 0.0
    share_text = gettext(
        "The help desk resolved %(share)s%% itself and escalated %(escalated)s%% past itself."
    ) % {"share": _n(share), "escalated": _n(r.escalated_share or 0.0)}
    if share < t.training_share:
        r.level = TRAINING
        reasons.append(
            share_text
            + " "
            + gettext("Below %(limit)s%%: train the help desk on this topic.")
            % {"limit": t.training_share}
        )
    else:
        failing: list[str] = []
        if share < t.ready_share:
            failing.append(
                share_text + " " + gettext("Ready takes %(limit)s%%.") % {"limit": t.ready_share}
            )
        if r.reopen_rate is not None and r.reopen_rate > t.max_reopen:
            failing.append(
                gettext("%(rate)s%% of its resolutions were reopened (at most %(limit)s%%).")
                % {"rate": _n(r.reopen_rate), "limit": t.max_reopen}
            )
        if r.desk_hours is not None and r.desk_hours > t.max_desk_hours:
            failing.append(
                gettext(
                    "A ticket stays %(hours)s hours at the help desk on average "
                    "(at most %(limit)s)."
                )
                % {"hours": _n(r.desk_hours), "limit": _n(t.max_desk_hours)}
            )
        r.level = IMPROVE if failing else READY
        reasons += failing or [share_text]
    if r.articles < t.min_articles:
        reasons.append(
            gettext("%(n)s published articles on the topic (at least %(min)s wanted).")
            % {"n": r.articles, "min": t.min_articles}
        )
        if r.level == READY:
            r.level = IMPROVE
    if r.coverage is not None and r.coverage < t.min_coverage:
        reasons.append(
            gettext(
                "%(uncovered)s of %(total)s escalations resolved in the period have no "
                "published article (coverage %(coverage)s%%, at least %(min)s%% wanted)."
            )
            % {
                "uncovered": r.uncovered,
                "total": r.escalations_resolved,
                "coverage": _n(r.coverage),
                "min": t.min_coverage,
            }
        )
        if r.level == READY:
            r.level = IMPROVE
    r.reasons = reasons


def _n(value: float) -> str:
    """A number as people write it: no trailing ".0"."""
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def readiness(
    user: Any,
    scope: Scope,
    t: Thresholds,
    filters: Filters | None = None,
    *,
    today: dt.date | None = None,
) -> list[TopicReadiness]:
    """Every topic (and the "not set" topic when it has numbers) with its numbers, its
    readiness level and the reasons; training first, then needing improvement."""
    f = filters or Filters()
    start, end = window(t, today)
    rows: dict[str, TopicReadiness] = {
        topic: TopicReadiness(topic, str(label)) for topic, label in Topic.choices
    }
    for row in _fact_rows(user, scope, start, end, f):
        topic = row["topic"] or ""
        r = rows.get(topic)
        if r is None:
            r = rows[topic] = TopicReadiness(topic, _topic_label(topic))
        r.resolved_all += row["resolved"]
        r.minutes_all += row["level_minutes"]
        r.deflections += row["deflections"]
        if row["level"] == DESK:
            r.desk_resolved += row["resolved"]
            r.escalated += row["escalations"]
            r.reopened += row["reopened"]
            r.desk_minutes += row["level_minutes"]
    articles = published_articles()
    for topic, entry in _coverage(user, scope, start, end, f).items():
        r = rows.get(topic)
        if r is None:
            r = rows[topic] = TopicReadiness(topic, _topic_label(topic))
        r.escalations_resolved = entry["total"]
        r.covered = entry["covered"]
        r.examples = entry["examples"]
        r.open_proposals = entry["proposals"]
    order = {TRAINING: 0, IMPROVE: 1, READY: 2, TOO_FEW: 3}
    result = []
    for r in rows.values():
        if r.topic not in Topic.values and not (r.handled or r.resolved_all or r.uncovered):
            continue
        r.articles = articles.get(r.topic, 0)
        _judge(r, t)
        result.append(r)
    result.sort(key=lambda r: (order[r.level], -r.handled, r.label))
    return result


def gaps(rows: list[TopicReadiness]) -> list[TopicReadiness]:
    """The topics to train or improve, as the training plan lists them."""
    return [r for r in rows if r.is_gap]
