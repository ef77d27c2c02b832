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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Lower
from django.http import Http404
from django.utils import timezone

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import BusinessUnit, User
from tierdesk.common import clock
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import PLATFORM_STAFF, Role
from tierdesk.inventory.choices import APP_KINDS, FLOW_KINDS, SolutionKind, Tier
from tierdesk.inventory.models import Connector, Solution, SolutionOwner, UsageFact

READERS: frozenset[Role] = PLATFORM_STAFF | {Role.MANAGER}
"""Who opens the CoE views: admins and the platform team (everything), managers (their
business units)."""

UNUSED_DAYS_DEFAULT = 90
UNUSED_DAYS_MAX = 3650
TREND_WEEKS = 52
EXPORT_LIMIT = 10_000
"""The most rows one export holds (narrow the filter for more)."""
TREND_CACHE_SECONDS = 3600


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


class PageFirst:
    """Rows a paginator pages without grouping everything: `keys` gives every row's key
    in order (cheap: a sorted id list), `fill` the full rows of one page's keys only.
    Django's `Paginator` (and DRF's) need nothing more than `count()` and slicing."""

    def __init__(
        self,
        keys: Callable[[], Sequence[Any]],
        fill: Callable[[list[Any]], dict[Any, Any]],
    ) -> None:
        self._keys = keys
        self._fill = fill
        self._sorted: Sequence[Any] | None = None

    def count(self) -> int:
        return len(self._ordered())

    def __len__(self) -> int:
        return self.count()

    def _ordered(self) -> Sequence[Any]:
        if self._sorted is None:
            self._sorted = self._keys()
        return self._sorted

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice):  # pragma: no cover - the paginators slice
            raise TypeError("PageFirst only slices")
        ids = list(self._ordered()[index])
        rows: dict[Any, Any] = {}
        for start in range(0, len(ids), 500):
            rows.update(self._fill(ids[start : start + 500]))
        return [rows[pk] for pk in ids if pk in rows]

    def __iter__(self) -> Any:
        return iter(self[: self.count()])


def _maker_solutions(scope: Scope, query: MakerQuery) -> QuerySet[Solution]:
    """The solutions counted for the makers (the name search filters the makers)."""
    qs = coe_solutions(scope).exclude(maker_id=None)
    if query.business_unit is not None:
        qs = qs.filter(business_unit_id=query.business_unit)
    return qs


def _maker_rows(qs: QuerySet[Solution]) -> QuerySet[Any]:
    return (
        qs.order_by()
        .values("maker_id")
        .annotate(
            display_name=F("maker__display_name"),
            username=F("maker__username"),
            is_active=F("maker__is_active"),
            solutions=Count("id"),
            apps=Count("id", filter=Q(kind__in=APP_KINDS)),
            flows=Count("id", filter=Q(kind__in=FLOW_KINDS)),
            chatbots=Count("id", filter=Q(kind=SolutionKind.CHATBOT)),
            critical=Count("id", filter=Q(tier=Tier.CRITICAL)),
            important=Count("id", filter=Q(tier=Tier.IMPORTANT)),
            productivity=Count("id", filter=Q(tier=Tier.PRODUCTIVITY)),
            untiered=Count("id", filter=Q(tier="")),
            environments=Count("environment_id", distinct=True),
            orphaned_flags=Count("id", filter=Q(is_orphaned=True)),
            last_modified=Max("platform_modified_at"),
            last_used=Max("last_used_at"),
        )
        .annotate(
            name_key=Lower(Coalesce("maker__display_name", Value(""))),
            last_activity=Greatest(
                Coalesce("last_modified", "last_used"), Coalesce("last_used", "last_modified")
            ),
            departed=ExpressionWrapper(
                Q(maker__is_active=False) | Q(orphaned_flags__gt=0), output_field=BooleanField()
            ),
        )
    )


def _maker_keys(scope: Scope, query: MakerQuery) -> QuerySet[User]:
    """The makers of the scope's solutions (searched by name), as users: one probe of a
    maker's solutions each instead of grouping every solution."""
    mine = _maker_solutions(scope, query).filter(maker_id=OuterRef("pk"))
    users = User.objects.filter(Exists(mine))
    if query.q:
        needle = query.q
        users = users.filter(
            Q(display_name__icontains=needle)
            | Q(username__icontains=needle)
            | Q(email__icontains=needle)
        )
    return users.order_by()


def _maker_flags(solutions: QuerySet[Solution], query: MakerQuery) -> set[int] | None:
    """The makers the departed and critical filters keep (None: no such filter), from
    one pass that groups two small figures per maker."""
    if query.departed is None and query.critical is None:
        return None
    kept: set[int] = set()
    grouped = (
        solutions.order_by()
        .values("maker_id")
        .annotate(
            critical=Count("id", filter=Q(tier=Tier.CRITICAL)),
            orphaned=Count("id", filter=Q(is_orphaned=True)),
            active=Max("maker__is_active"),
        )
        .values_list("maker_id", "critical", "orphaned", "active")
    )
    for pk, critical, orphaned, active in grouped:
        departed = not active or orphaned > 0
        if query.departed is not None and departed != query.departed:
            continue
        if query.critical is not None and (critical > 0) != query.critical:
            continue
        kept.add(pk)
    return kept


_MAKER_SORT_AGGREGATES: dict[str, Any] = {
    "solutions": Count("id"),
    "critical": Count("id", filter=Q(tier=Tier.CRITICAL)),
    "environments": Count("environment_id", distinct=True),
}


def makers(scope: Scope, query: MakerQuery) -> PageFirst:
    """One row (a dict) per maker of the scope's live solutions: solutions by kind and
    tier, environments, last activity (the latest modification or use of their
    solutions), departed.

    Page first: the makers are found and sorted without grouping every solution (by
    name: the users themselves; by a count: that one figure per maker), and the full
    figures are grouped for one page's makers only."""
    solutions = _maker_solutions(scope, query)
    keys = _maker_keys(scope, query)
    key = query.sort.lstrip("-")
    descending = query.sort.startswith("-")

    def ordered() -> Sequence[int]:
        kept = _maker_flags(solutions, query)
        if key == "name":
            name = Lower(Coalesce("display_name", Value("")))
            first = name.desc(nulls_last=True) if descending else name.asc(nulls_last=True)
            ids = list(keys.order_by(first, "username", "id").values_list("id", flat=True))
            return ids if kept is None else [pk for pk in ids if pk in kept]
        ids = list(keys.order_by("username", "id").values_list("id", flat=True))
        if kept is not None:
            ids = [pk for pk in ids if pk in kept]
        grouped = solutions.order_by().values("maker_id")
        if key == "last_activity":
            values: dict[int, Any] = {}
            for pk, modified, used in grouped.annotate(
                m=Max("platform_modified_at"), u=Max("last_used_at")
            ).values_list("maker_id", "m", "u"):
                known = [v for v in (modified, used) if v is not None]
                values[pk] = max(known) if known else None
        else:
            values = dict(
                grouped.annotate(v=_MAKER_SORT_AGGREGATES[key]).values_list("maker_id", "v")
            )
        present = [pk for pk in ids if values.get(pk) is not None]
        absent = [pk for pk in ids if values.get(pk) is None]
        present.sort(key=lambda pk: values[pk], reverse=descending)  # stable: ties by name
        return present + absent

    def fill(ids: list[int]) -> dict[int, Any]:
        rows = _maker_rows(solutions.filter(maker_id__in=ids))
        return {row["maker_id"]: row for row in rows}

    return PageFirst(ordered, fill)


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


def _uses_filter(scope: Scope, business_unit: int | None) -> Q:
    condition = Q(uses__solution__is_deleted=False)
    if scope.unit_ids is not None:
        condition &= Q(uses__solution__business_unit_id__in=list(scope.unit_ids))
    if business_unit is not None:
        condition &= Q(uses__solution__business_unit_id=business_unit)
    return condition


def connectors(scope: Scope, query: ConnectorQuery) -> list[Connector]:
    """Every connector with its class and how many of the scope's live solutions use
    it (apps, flows, chatbots). A few dozen rows: read once, so that a paginator's count
    does not group the uses a second time."""
    qs = Connector.objects.all()
    if query.tier:
        qs = qs.filter(tier=query.tier)
    if query.q:
        qs = qs.filter(Q(name__icontains=query.q) | Q(platform_id__icontains=query.q))
    uses = _uses_filter(scope, query.business_unit)
    kind = "uses__solution__kind"
    qs = qs.annotate(
        used_by=Count("uses", filter=uses),
        apps=Count("uses", filter=uses & Q(**{f"{kind}__in": APP_KINDS})),
        flows=Count("uses", filter=uses & Q(**{f"{kind}__in": FLOW_KINDS})),
        chatbots=Count("uses", filter=uses & Q(**{kind: SolutionKind.CHATBOT})),
    )
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


def environments(
    scope: Scope, query: EnvironmentQuery, *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """One row (a dict) per environment holding the scope's live solutions: solutions by
    kind, makers, and the last 30 days' use — the most users in a day and the sessions
    and runs, summed over its solutions from their latest usage (copied from the usage
    facts by the imports) when that is no older than 30 days."""
    today = today or clock.today()
    recent = Q(usage_as_of__gt=today - dt.timedelta(days=30))
    qs = coe_solutions(scope)
    if query.type:
        qs = qs.filter(environment__type=query.type)
    if query.business_unit is not None:
        qs = qs.filter(business_unit_id=query.business_unit)
    if query.q:
        qs = qs.filter(environment__name__icontains=query.q)
    rows = (
        qs.order_by()
        .values("environment_id")
        .annotate(
            name=F("environment__name"),
            type=F("environment__type"),
            solutions=Count("id"),
            apps=Count("id", filter=Q(kind__in=APP_KINDS)),
            flows=Count("id", filter=Q(kind__in=FLOW_KINDS)),
            chatbots=Count("id", filter=Q(kind=SolutionKind.CHATBOT)),
            makers=Count("maker_id", distinct=True),
            users_30d=Coalesce(Sum("peak_daily_users_30d", filter=recent), 0),
            activity_30d=Coalesce(Sum("launches_30d", filter=recent), 0),
        )
        .annotate(name_key=Lower("environment__name"))
    )
    # One row per environment (tens): read once, not grouped again for a paginator's count.
    ordered = rows.order_by(*order_for(query.sort, ENVIRONMENT_SORTS, ("name", "environment_id")))
    return [dict(row) for row in ordered]


# --- the usage trend ----------------------------------------------------------------


def usage_trend(scope: Scope, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Usage per week (weeks start on Monday) over the last 52 weeks: sessions, flow
    runs, and the most users any one day of the week had across the scope's solutions.

    Read from the daily usage facts, grouped by day in SQL (at most 364 rows), summed
    into weeks here; cached until a new fact arrives or an hour passes."""
    today = today or clock.today()
    monday = today - dt.timedelta(days=today.weekday())
    start = monday - dt.timedelta(weeks=TREND_WEEKS - 1)
    newest = UsageFact.objects.order_by("-id").values_list("id", flat=True).first() or 0
    key = f"insights:coe:trend:{scope.key}:{today.isoformat()}:{newest}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    facts = UsageFact.objects.filter(date__gte=start, date__lte=today, solution__is_deleted=False)
    if scope.unit_ids is not None:
        facts = facts.filter(solution__business_unit_id__in=list(scope.unit_ids))
    days = (
        facts.order_by()
        .values("date")
        .annotate(
            users=Coalesce(Sum("unique_users"), 0),
            sessions=Coalesce(Sum("sessions"), 0),
            runs=Coalesce(Sum("flow_runs"), 0),
        )
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
    cache.set(key, weeks, TREND_CACHE_SECONDS)
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
