"""The CoE admin views' rules and reads (issue 13, item 5): makers, connectors,
environment usage, the organisation-wide usage trend, unused and orphaned solutions.

Who reads (`can_read_coe_views`): admins and the platform team everything; managers the
solutions of their business units only (`manager_business_unit_ids`: their own business
unit and their direct reports', as on the dashboards); nobody else. Every figure is aggregated
in SQL over the reader's solutions (`coe_solutions`), so a manager of one business unit
never sees another's numbers; a drill-down to something outside the scope answers 404.

Definitions, shared with governance (`governance.scan`):
- a maker has *departed* when their account is not active or an import marked one of
  their solutions orphaned (the CoE kit's "maker is orphaned" flag);
- a solution is *orphaned* when its maker departed (or is unknown) and no active person
  co-owns it;
- a solution is *unused* after N days when its last use is older than N days, or when
  it was never used, was created before that and usage is measured for it (a source
  that reports no sessions or runs says nothing about use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils import timezone

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import BusinessUnit, User
from tierdesk.common import clock
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import PLATFORM_STAFF, Role
from tierdesk.inventory.choices import SolutionKind, Tier
from tierdesk.inventory.models import Connector, Solution, SolutionOwner

READERS: frozenset[Role] = PLATFORM_STAFF | {Role.MANAGER}
"""Who opens the CoE views: admins and the platform team (everything), managers (their
business units)."""

UNUSED_DAYS_DEFAULT = 90
UNUSED_DAYS_MAX = 3650
TREND_WEEKS = 52
EXPORT_LIMIT = 10_000
"""The most rows one export holds (narrow the filter for more)."""


# --- who reads --------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_read_coe_views(user: Any) -> bool:
    """Admins, the platform team and managers (managers see their business units)."""
    return _signed_in(user) and bool(roles_of(user) & READERS)


def sees_whole_organisation(user: Any) -> bool:
    """Admins and the platform team read every business unit's numbers."""
    return _signed_in(user) and bool(roles_of(user) & PLATFORM_STAFF)


def manager_business_unit_ids(user: User) -> list[int]:
    """A manager's business units: their own and their direct reports' — the same units
    as the dashboards' (`insights.facts.manager_business_units`)."""
    from tierdesk.insights.facts import manager_business_units

    return manager_business_units(user)


@dataclass(frozen=True)
class Scope:
    """What a reader may count: everything (`unit_ids` None) or these business units."""

    unit_ids: tuple[int, ...] | None

    @property
    def key(self) -> str:
        return "all" if self.unit_ids is None else "bu-" + "-".join(map(str, self.unit_ids))


def scope_of(user: Any) -> Scope:
    """The reader's scope; PermissionDenied-worthy readers never get here (the views
    check `can_read_coe_views` first) but get an empty scope to be safe."""
    if sees_whole_organisation(user):
        return Scope(None)
    if can_read_coe_views(user):
        return Scope(tuple(manager_business_unit_ids(user)))
    return Scope(())


def business_units_for(scope: Scope) -> QuerySet[BusinessUnit]:
    """The business units a filter may name."""
    if scope.unit_ids is None:
        return BusinessUnit.objects.order_by("name", "id")
    return BusinessUnit.objects.filter(id__in=scope.unit_ids).order_by("name", "id")


def coe_solutions(scope: Scope) -> QuerySet[Solution]:
    """The live solutions the scope counts."""
    qs = Solution.objects.filter(is_deleted=False)
    if scope.unit_ids is not None:
        qs = qs.filter(business_unit_id__in=list(scope.unit_ids))
    return qs


# --- shared shapes ----------------------------------------------------------------


class BadParameter(ValueError):
    """A query parameter the views answer with 400 and this message."""


def parse_int(value: str | None, *, name: str, default: int | None, low: int, high: int) -> Any:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadParameter(name) from None
    if not low <= number <= high:
        raise BadParameter(name)
    return number


def parse_choice(value: str | None, *, name: str, choices: Iterable[str]) -> str:
    if value is None or value == "":
        return ""
    if value not in set(choices):
        raise BadParameter(name)
    return value


def parse_bool(value: str | None, *, name: str) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() in {"true", "1", "yes"}:
        return True
    if value.lower() in {"false", "0", "no"}:
        return False
    raise BadParameter(name)


def parse_sort(value: str | None, *, allowed: dict[str, Any], default: str) -> str:
    """`name` or `-name` among `allowed`'s keys."""
    value = value or default
    if value.lstrip("-") not in allowed:
        raise BadParameter("sort")
    return value


def order_for(sort: str, allowed: dict[str, Any], tie: Iterable[str]) -> list[Any]:
    """ORDER BY expressions for `sort` with nulls last either way, then the tie-breaks."""
    key = sort.lstrip("-")
    expression = allowed[key]
    if isinstance(expression, str):
        expression = F(expression)
    ordered = (
        expression.desc(nulls_last=True)
        if sort.startswith("-")
        else expression.asc(nulls_last=True)
    )
    return [ordered, *tie]


def _unit(scope: Scope, value: str | None) -> int | None:
    unit = parse_int(value, name="business_unit", default=None, low=1, high=2**62)
    if unit is not None and not business_units_for(scope).filter(pk=unit).exists():
        raise BadParameter("business_unit")
    return unit  # type: ignore[no-any-return]


# --- makers -------------------------------------------------------------------------

MAKER_SORTS: dict[str, Any] = {
    "name": "name_key",
    "solutions": "solutions",
    "critical": "critical",
    "environments": "environments",
    "last_activity": "last_activity",
}


@dataclass(frozen=True)
class MakerQuery:
    q: str = ""
    business_unit: int | None = None
    departed: bool | None = None
    critical: bool | None = None
    sort: str = "name"


def maker_query(scope: Scope, params: Any) -> MakerQuery:
    return MakerQuery(
        q=" ".join(str(params.get("q", "")).split())[:100],
        business_unit=_unit(scope, params.get("business_unit")),
        departed=parse_bool(params.get("departed"), name="departed"),
        critical=parse_bool(params.get("critical"), name="critical"),
        sort=parse_sort(params.get("sort"), allowed=MAKER_SORTS, default="name"),
    )


def _units(scope: Scope, business_unit: int | None) -> list[int]:
    """The rollups' units a read sums: the one filtered on, the whole organisation, or
    the manager's units."""
    from tierdesk.insights.models import WHOLE_ORGANISATION

    if business_unit is not None:
        if scope.unit_ids is not None and business_unit not in scope.unit_ids:
            return []  # (the filters refuse such a unit first)
        return [business_unit]
    if scope.unit_ids is None:
        return [WHOLE_ORGANISATION]
    return list(scope.unit_ids)


def as_of(scope: Scope | None = None) -> dt.datetime | None:
    """When the rollups the views read were computed (computing them if never)."""
    from tierdesk.insights.coe_rollups import rollups_state

    return rollups_state().refreshed_at  # type: ignore[no-any-return]


def _distinct_count(column: str, by: str, units: list[int]) -> Subquery:
    """How many distinct `column` values the maker-environment pairs of `units` hold for
    the outer row's `by` (a maker's environments, an environment's makers)."""
    from tierdesk.insights.models import CoeMakerEnvironment

    pairs = (
        CoeMakerEnvironment.objects.filter(unit__in=units, **{by: OuterRef(by)})
        .order_by()
        .values(by)
        .annotate(n=Count(column, distinct=True))
        .values("n")
    )
    return Subquery(pairs, output_field=IntegerField())


_MAKER_FIGURES = ("solutions", "apps", "flows", "chatbots", "critical", "important",
                  "productivity", "untiered")  # fmt: skip
MAKER_KEYS = ("maker_id", "display_name", "username", "is_active", *_MAKER_FIGURES,
              "environments", "orphaned_flags", "last_modified", "last_used", "name_key",
              "last_activity", "departed")  # fmt: skip
"""The keys of a makers row."""


def _column(figure: str) -> str:
    from tierdesk.insights.coe_rollups import ROLLUP_NAMES

    return ROLLUP_NAMES[figure]


def makers(scope: Scope, query: MakerQuery) -> QuerySet[Any]:
    """One row (a dict, `MAKER_KEYS`) per maker of the scope's live solutions: solutions
    by kind and tier, environments, last activity (the latest modification or use of
    their solutions), departed — read from the rollups (`insights.coe_rollups`): one row
    per maker for the whole organisation or one business unit, summed over a manager's
    several units."""
    from tierdesk.insights.models import CoeMakerRollup

    as_of(scope)
    units = _units(scope, query.business_unit)
    rows = CoeMakerRollup.objects.filter(unit__in=units)
    if query.q:
        rows = rows.filter(
            Q(maker__display_name__icontains=query.q)
            | Q(maker__username__icontains=query.q)
            | Q(maker__email__icontains=query.q)
        )
    names = {
        "display_name": F("maker__display_name"),
        "username": F("maker__username"),
        "name_key": Lower(Coalesce("maker__display_name", Value(""))),
    }
    found: QuerySet[Any]
    if len(units) <= 1:
        found = rows.annotate(
            **{figure: F(_column(figure)) for figure in _MAKER_FIGURES},
            environments=F("environment_count"),
            orphaned_flags=F("orphaned_count"),
            last_modified=F("modified_max"),
            last_used=F("used_max"),
            last_activity=F("activity_max"),
            departed=F("is_departed"),
            is_active=F("maker_active"),
            **names,
        )
    else:
        found = (
            rows.order_by()
            .values("maker_id", "maker_active")
            .annotate(
                **{figure: Sum(_column(figure)) for figure in _MAKER_FIGURES},
                orphaned_flags=Sum("orphaned_count"),
                environments=_distinct_count("environment_id", "maker_id", units),
                last_modified=Max("modified_max"),
                last_used=Max("used_max"),
                last_activity=Max("activity_max"),
                is_active=F("maker_active"),
                **names,
            )
            .annotate(
                departed=ExpressionWrapper(
                    Q(maker_active=False) | Q(orphaned_flags__gt=0), output_field=BooleanField()
                )
            )
        )
    if query.departed is not None:
        found = found.filter(departed=query.departed)
    if query.critical is True:
        found = found.filter(Q(critical__gt=0))
    elif query.critical is False:
        found = found.filter(Q(critical=0))
    order = order_for(query.sort, MAKER_SORTS, ("username", "maker_id"))
    ordered: QuerySet[Any] = found.order_by(*order).values(*MAKER_KEYS)
    return ordered


# --- connectors ---------------------------------------------------------------------

CONNECTOR_SORTS: dict[str, Any] = {"name": Lower("name"), "solutions": "used_by", "tier": "tier"}


@dataclass(frozen=True)
class ConnectorQuery:
    q: str = ""
    tier: str = ""
    business_unit: int | None = None
    sort: str = "-solutions"


def connector_query(scope: Scope, params: Any) -> ConnectorQuery:
    from tierdesk.inventory.choices import ConnectorTier

    return ConnectorQuery(
        q=" ".join(str(params.get("q", "")).split())[:100],
        tier=parse_choice(params.get("tier"), name="tier", choices=ConnectorTier.values),
        business_unit=_unit(scope, params.get("business_unit")),
        sort=parse_sort(params.get("sort"), allowed=CONNECTOR_SORTS, default="-solutions"),
    )


def connectors(scope: Scope, query: ConnectorQuery) -> list[Connector]:
    """Every connector with its class and how many of the scope's live solutions use
    it (apps, flows, chatbots), summed from the rollups; for a manager only the connectors
    their units' solutions use (as `connector_get` opens only those: one their solutions
    do not use answers as a missing one). A few dozen rows: read once, so that a
    paginator's count does not read them a second time."""
    from tierdesk.insights.models import CoeConnectorRollup

    as_of(scope)
    qs = Connector.objects.all()
    if query.tier:
        qs = qs.filter(tier=query.tier)
    if query.q:
        qs = qs.filter(Q(name__icontains=query.q) | Q(platform_id__icontains=query.q))
    rollups = (
        CoeConnectorRollup.objects.filter(
            connector=OuterRef("pk"), unit__in=_units(scope, query.business_unit)
        )
        .order_by()
        .values("connector")
    )

    def summed(column: str) -> Coalesce:
        total = rollups.annotate(v=Sum(column)).values("v")
        return Coalesce(Subquery(total, output_field=IntegerField()), 0)

    qs = qs.annotate(
        used_by=summed("solution_count"),
        apps=summed("app_count"),
        flows=summed("flow_count"),
        chatbots=summed("chatbot_count"),
    )
    if scope.unit_ids is not None:
        qs = qs.filter(used_by__gt=0)
    return list(qs.order_by(*order_for(query.sort, CONNECTOR_SORTS, ("name", "id"))))


def connector_get(scope: Scope, pk: int) -> Connector:
    """A connector by id, or 404; managers open only those their solutions use."""
    connector = Connector.objects.filter(pk=pk).first()
    if connector is None:
        raise Http404("No such connector.")
    if scope.unit_ids is not None and not connector_solutions(scope, connector).exists():
        raise Http404("No such connector.")
    return connector


def connector_solutions(scope: Scope, connector: Connector) -> QuerySet[Solution]:
    return (
        coe_solutions(scope)
        .filter(connector_uses__connector=connector)
        .select_related("environment", "maker", "business_unit")
        .order_by("name", "id")
    )


# --- environments -------------------------------------------------------------------

ENVIRONMENT_SORTS: dict[str, Any] = {
    "name": "name_key",
    "solutions": "solutions",
    "makers": "makers",
    "users": "users_30d",
    "activity": "activity_30d",
}


@dataclass(frozen=True)
class EnvironmentQuery:
    q: str = ""
    type: str = ""
    business_unit: int | None = None
    sort: str = "-solutions"


def environment_query(scope: Scope, params: Any) -> EnvironmentQuery:
    from tierdesk.inventory.choices import EnvironmentType

    return EnvironmentQuery(
        q=" ".join(str(params.get("q", "")).split())[:100],
        type=parse_choice(params.get("type"), name="type", choices=EnvironmentType.values),
        business_unit=_unit(scope, params.get("business_unit")),
        sort=parse_sort(params.get("sort"), allowed=ENVIRONMENT_SORTS, default="-solutions"),
    )


def environments(scope: Scope, query: EnvironmentQuery) -> list[dict[str, Any]]:
    """One row (a dict) per environment holding the scope's live solutions: solutions by
    kind, makers, and the last 30 days' use — the most users in a day and the sessions
    and runs, summed over its solutions from their latest usage (copied from the usage
    facts by the imports) when that was no older than 30 days on the rollups' day."""
    from tierdesk.insights.models import CoeEnvironmentRollup

    as_of(scope)
    units = _units(scope, query.business_unit)
    qs = CoeEnvironmentRollup.objects.filter(unit__in=units)
    if query.type:
        qs = qs.filter(environment__type=query.type)
    if query.q:
        qs = qs.filter(environment__name__icontains=query.q)
    names = {
        "name": F("environment__name"),
        "type": F("environment__type"),
        "name_key": Lower("environment__name"),
    }
    figures = ("solutions", "apps", "flows", "chatbots")
    if len(units) <= 1:
        rows: QuerySet[Any] = qs.annotate(
            **{figure: F(_column(figure)) for figure in figures},
            makers=F("maker_count"),
            users_30d=F("users_30d_sum"),
            activity_30d=F("activity_30d_sum"),
            **names,
        )
    else:
        rows = (
            qs.order_by()
            .values("environment_id")
            .annotate(
                **{figure: Sum(_column(figure)) for figure in figures},
                makers=Coalesce(_distinct_count("maker_id", "environment_id", units), 0),
                users_30d=Sum("users_30d_sum"),
                activity_30d=Sum("activity_30d_sum"),
                **names,
            )
        )
    # One row per environment (tens): read once, not counted again for a paginator.
    ordered = rows.order_by(*order_for(query.sort, ENVIRONMENT_SORTS, ("name", "environment_id")))
    keys = ("environment_id", "name", "type", *figures, "makers", "users_30d", "activity_30d",
            "name_key")  # fmt: skip
    return [dict(row) for row in ordered.values(*keys)]


# --- the usage trend ----------------------------------------------------------------


def usage_trend(scope: Scope, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Usage per week (weeks start on Monday) over the last 52 weeks: sessions, flow
    runs, and the most users any one day of the week had across the scope's solutions.

    Read from the rollups' days (at most 364 rows per business unit), summed into weeks
    here; the days after the rollups' day are not counted yet."""
    from tierdesk.insights.coe_rollups import trend_start
    from tierdesk.insights.models import CoeUsageDay

    as_of(scope)
    today = today or clock.today()
    start = trend_start(today)
    days = (
        CoeUsageDay.objects.filter(unit__in=_units(scope, None), date__gte=start, date__lte=today)
        .order_by()
        .values("date")
        .annotate(users=Sum("users_sum"), sessions=Sum("sessions_sum"), runs=Sum("runs_sum"))
        .values_list("date", "users", "sessions", "runs")
    )
    weeks: list[dict[str, Any]] = [
        {"date": start + dt.timedelta(weeks=n), "users": 0, "sessions": 0, "runs": 0}
        for n in range(TREND_WEEKS)
    ]
    for date, users, sessions, runs in days:
        if isinstance(date, dt.datetime):  # pragma: no cover - backends give dates
            date = date.date()
        week = weeks[(date - start).days // 7]
        week["users"] = max(int(week["users"]), int(users))
        week["sessions"] += int(sessions)
        week["runs"] += int(runs)
    return weeks


# --- unused and orphaned solutions --------------------------------------------------

SOLUTION_SORTS: dict[str, Any] = {
    "name": Lower("name"),
    "last_used": "last_used_at",
    "modified": "platform_modified_at",
    "created": "platform_created_at",
    "tier": "tier",
}


@dataclass(frozen=True)
class SolutionQuery:
    kind: str = ""
    tier: str = ""
    business_unit: int | None = None
    days: int = UNUSED_DAYS_DEFAULT
    sort: str = "last_used"


def solution_query(scope: Scope, params: Any, *, default_sort: str) -> SolutionQuery:
    return SolutionQuery(
        kind=parse_choice(params.get("kind"), name="kind", choices=SolutionKind.values),
        tier=parse_choice(params.get("tier"), name="tier", choices=[*Tier.values, "none"]),
        business_unit=_unit(scope, params.get("business_unit")),
        days=parse_int(
            params.get("days"),
            name="days",
            default=UNUSED_DAYS_DEFAULT,
            low=1,
            high=UNUSED_DAYS_MAX,
        ),
        sort=parse_sort(params.get("sort"), allowed=SOLUTION_SORTS, default=default_sort),
    )


def _filtered(scope: Scope, query: SolutionQuery) -> QuerySet[Solution]:
    qs = coe_solutions(scope)
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.tier:
        qs = qs.filter(tier="" if query.tier == "none" else query.tier)
    if query.business_unit is not None:
        qs = qs.filter(business_unit_id=query.business_unit)
    return qs.select_related("environment", "maker", "business_unit")


def unused_condition(days: int, *, today: dt.date) -> Q:
    """Not used for `days` days (governance's rule for inactive solutions)."""
    # The local midnight starting the cutoff day, compared with the stored times as they
    # are (a __date lookup would run a function on every row).
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
    used_long_ago = Q(last_used_at__isnull=False, last_used_at__lt=cutoff)
    never_used = (
        Q(last_used_at__isnull=True)
        & ~Q(usage_as_of__isnull=False, launches_30d__isnull=True)
        & Q(platform_created_at__lt=cutoff)
    )
    return used_long_ago | never_used


def unused_solutions(
    scope: Scope, query: SolutionQuery, *, today: dt.date | None = None
) -> QuerySet[Solution]:
    today = today or clock.today()
    qs = _filtered(scope, query).filter(unused_condition(query.days, today=today))
    return qs.order_by(*order_for(query.sort, SOLUTION_SORTS, ("name", "id")))


def orphaned_condition() -> Q:
    """The maker departed (or is unknown) and no active person co-owns the solution."""
    active_co_owner = SolutionOwner.objects.filter(
        solution=OuterRef("pk"), user__is_active=True, user__kind=AccountKind.PERSON
    )
    maker_gone = Q(is_orphaned=True) | Q(maker__isnull=True) | Q(maker__is_active=False)
    return maker_gone & ~Q(Exists(active_co_owner))


def orphaned_solutions(scope: Scope, query: SolutionQuery) -> QuerySet[Solution]:
    qs = _filtered(scope, query).filter(orphaned_condition())
    return qs.order_by(*order_for(query.sort, SOLUTION_SORTS, ("name", "id")))


# --- the landing page ---------------------------------------------------------------


def can_read_automation(user: Any) -> bool:
    from tierdesk.insights.selectors import can_read_candidates

    return can_read_candidates(user)


def can_read_any_insight(user: Any) -> bool:
    """Who may read the CoE views or the automation candidates (the landing page and the
    navigation also show to readers of the dashboard and readiness:
    `hub_views.can_open_insights`)."""
    return can_read_coe_views(user) or can_read_automation(user)
