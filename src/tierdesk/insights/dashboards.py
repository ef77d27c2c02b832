"""The dashboards' reads (issue 13, item 2): volume and backlog, SLA attainment, escalation,
bounce-backs and time at each level per business unit and per solution, redirect and
bypass rates, top solutions by support load, governance state.

Only the daily fact tables are read, through the role-scoped selectors of
`insights.facts` (`daily_facts_for`, `sla_facts_for`, `solution_facts_for`), each
section one grouped query in SQL; governance state counts solutions, open findings and
graduations in flight with one grouped query each. Who reads what:

- admins and the platform team: every number;
- managers: their business units' (`facts.manager_business_units`);
- makers: their own and co-owned solutions' numbers (`SolutionDailyFact`) only: volume
  per solution, top solutions and the governance state of their solutions;
- everyone else: nothing (the pages answer 403).

A bad parameter raises `coe.BadParameter` naming it (400 on the page and the API)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import get_language, gettext

from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.models import BusinessUnit, SupportTeam
from tierdesk.common import clock
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import Role
from tierdesk.desk.choices import Topic
from tierdesk.governance.choices import FindingStatus, GraduationStatus, Severity
from tierdesk.governance.models import Finding, GraduationRequest
from tierdesk.insights import facts
from tierdesk.insights.coe import BadParameter, parse_choice, parse_int
from tierdesk.insights.kept import kept
from tierdesk.insights.models import DailyFact, SolutionDailyFact
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution
from tierdesk.sla.models import SlaPolicy

READERS: frozenset[Role] = frozenset(facts.WIDE | {Role.MANAGER, Role.MAKER})
"""Who opens the dashboards (what each sees: the module's docstring)."""

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
"""The longest range one request reads."""
WEEKLY_FROM_DAYS = 120
"""A range longer than this is shown per week unless `by=day` is asked for."""
TOP_SOLUTIONS = 20
TIER_NONE = "none"
"""The tier filter's value for tickets and solutions without a tier."""
IN_FLIGHT = (GraduationStatus.IN_PROGRESS, GraduationStatus.SUBMITTED, GraduationStatus.APPROVED)
LEVELS = [str(v) for v in SupportType.values]


# --- who reads ------------------------------------------------------------------------


def can_read_dashboard(user: Any) -> bool:
    return facts.can_read_facts(user)


def reader_kind(user: Any) -> str:
    """ "wide" (every number), "manager" (their business units), "maker" (their
    solutions) or "" (nothing)."""
    if not can_read_dashboard(user):
        return ""
    roles = roles_of(user)
    if roles & facts.WIDE:
        return "wide"
    if Role.MANAGER in roles:
        return "manager"
    return "maker"


def _scope_key(user: Any) -> str:
    kind = reader_kind(user)
    if kind == "manager":
        return "bu-" + "-".join(map(str, facts.manager_business_units(user)))
    if kind == "maker":
        return f"maker-{user.pk}"
    return kind or "none"


def _cached(section: str, user: Any, q: Query, compute: Any) -> Any:
    """A section's figures, kept until the facts move (or `kept.CACHE_SECONDS` pass): a
    year of per-solution facts takes a few hundred milliseconds to add up on SQLite."""
    parts = [_scope_key(user), get_language() or "",
             *(f"{k}={v}" for k, v in sorted(q.params().items()))]  # fmt: skip
    return kept("dashboard-" + section, parts, compute, inventory=False)


def _own_solution_ids(user: Any) -> QuerySet[Any]:
    """A maker's solutions: made or co-owned (`facts.own_solution_ids`, a union)."""
    return facts.own_solution_ids(user)


def business_units_for(user: Any) -> QuerySet[BusinessUnit]:
    """The business units the filter may name."""
    kind = reader_kind(user)
    if kind == "maker":
        ids = Solution.objects.filter(pk__in=_own_solution_ids(user)).values("business_unit_id")
        return BusinessUnit.objects.filter(pk__in=ids).order_by("name", "id")
    return facts.business_units_for(user).order_by("name", "id")


# --- the query ------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    start: dt.date
    end: dt.date
    by: str = "day"  # "day" or "week"
    business_unit: int | None = None
    tier: str = ""  # a Tier value, TIER_NONE or "" (any)
    level: str = ""
    topic: str = ""
    team: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self, **changes: Any) -> dict[str, str]:
        """The address's parameters (empty ones left out)."""
        values: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "by": self.by,
            "business_unit": self.business_unit or "",
            "tier": self.tier,
            "level": self.level,
            "topic": self.topic,
            "team": self.team or "",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name) from None


def parse_query(user: Any, params: Mapping[str, Any], *, today: dt.date | None = None) -> Query:
    """The dashboard's query from the address; default: the last 90 days up to today."""
    today = today or clock.today()
    end = _date(params.get("end"), "end") or today
    start = _date(params.get("start"), "start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise BadParameter("start")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadParameter("end")
    by = parse_choice(params.get("by"), name="by", choices=("day", "week"))
    if not by:
        by = "week" if (end - start).days + 1 > WEEKLY_FROM_DAYS else "day"
    unit = parse_int(params.get("business_unit"), name="business_unit", default=None,
                     low=1, high=2**62)  # fmt: skip
    if unit is not None and not business_units_for(user).filter(pk=unit).exists():
        raise BadParameter("business_unit")
    team = parse_int(params.get("team"), name="team", default=None, low=1, high=2**62)
    if team is not None and not SupportTeam.objects.filter(pk=team).exists():
        raise BadParameter("team")
    return Query(
        start=start,
        end=end,
        by=by,
        business_unit=unit,
        tier=parse_choice(params.get("tier"), name="tier", choices=[*Tier.values, TIER_NONE]),
        level=parse_choice(params.get("level"), name="level", choices=LEVELS),
        topic=parse_choice(params.get("topic"), name="topic", choices=Topic.values),
        team=team,
    )


def teams() -> QuerySet[SupportTeam]:
    return SupportTeam.objects.order_by("kind", "name")


# --- filters on each fact table ----------------------------------------------------------


def _narrow(qs: QuerySet[Any], q: Query, *, topic: bool = True) -> QuerySet[Any]:
    """The query's filters on a daily table or its monthly rollup (same columns)."""
    if q.business_unit is not None:
        qs = qs.filter(business_unit_id=q.business_unit)
    if q.tier:
        qs = qs.filter(tier="" if q.tier == TIER_NONE else q.tier)
    if q.level:
        qs = qs.filter(level=q.level)
    if topic and q.topic:
        qs = qs.filter(topic=q.topic)
    if q.team is not None:
        qs = qs.filter(team_id=q.team)
    return qs


def _daily(user: Any, q: Query) -> QuerySet[DailyFact]:
    """The daily facts of the query's range and filters."""
    return _narrow(facts.daily_facts_for(user).filter(day__gte=q.start, day__lte=q.end), q)


def _daily_parts(user: Any, q: Query) -> list[QuerySet[Any]]:
    """The query's range and filters as rows to sum: whole months from the monthly
    rollup, the edge days from the daily facts."""
    return facts.month_parts(
        _narrow(facts.daily_facts_for(user), q),
        _narrow(facts.monthly_facts_for(user), q),
        q.start,
        q.end,
    )


def _sla_parts(user: Any, q: Query) -> list[QuerySet[Any]]:
    """SLA facts carry no topic: the topic filter does not narrow them (the page says so)."""
    return facts.month_parts(
        _narrow(facts.sla_facts_for(user), q, topic=False),
        _narrow(facts.sla_monthly_facts_for(user), q, topic=False),
        q.start,
        q.end,
    )


def _solution_scope(user: Any, q: Query) -> Q:
    """Which solutions' facts count, narrowed by business unit and tier (the solution's
    present ones); level, topic and team are not kept per solution."""
    if reader_kind(user) == "maker":
        # a subquery, no join through the co-owners (it would repeat a row per co-owner)
        scope = Q(solution_id__in=_own_solution_ids(user))
    else:
        scope = facts.solution_scope(user)
    if q.business_unit is not None:
        scope &= Q(solution__business_unit_id=q.business_unit)
    if q.tier:
        scope &= Q(solution__tier="" if q.tier == TIER_NONE else q.tier)
    return scope


def _solution_facts(user: Any, q: Query) -> QuerySet[SolutionDailyFact]:
    return SolutionDailyFact.objects.filter(
        _solution_scope(user, q), day__gte=q.start, day__lte=q.end
    )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- volume and backlog -----------------------------------------------------------------


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def volume(user: Any, q: Query) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _cached("volume", user, q, lambda: _volume(user, q))
    return result


def _volume(user: Any, q: Query) -> list[dict[str, Any]]:
    """Opened, resolved and reopened per day or week (weeks start on Monday), every
    period of the range, the backlog's change since the range began (opened + reopened −
    resolved, summed) and the true backlog: the tickets open at the end of each period
    (the sum of the facts' `open_change` up to it, so tickets closed without being
    resolved and moves between filters count). Makers: their solutions' opened and
    resolved (no backlog)."""
    opens: dict[dt.date, int] = {}
    open_before = 0
    if reader_kind(user) == "maker":
        found = (
            _solution_facts(user, q)
            .values("day")
            .annotate(o=Sum("opened"), r=Sum("resolved"))
            .order_by("day")
        )
        by_day = {row["day"]: (row["o"] or 0, row["r"] or 0, 0) for row in found}
    else:
        rows = (
            _daily(user, q)
            .values("day")
            .annotate(o=Sum("opened"), r=Sum("resolved"), ro=Sum("reopened"),
                      n=Sum("open_change"))
            .order_by("day")
        )  # fmt: skip
        by_day, opens = {}, {}
        for row in rows:
            by_day[row["day"]] = (row["o"] or 0, row["r"] or 0, row["ro"] or 0)
            opens[row["day"]] = row["n"] or 0
        open_before = facts.open_before(
            _narrow(facts.daily_facts_for(user), q),
            _narrow(facts.monthly_facts_for(user), q),
            q.start,
        )
    periods: dict[dt.date, list[int]] = {}
    open_at_end: dict[dt.date, int] = {}
    day, open_now = q.start, open_before
    while day <= q.end:
        key = _week(day) if q.by == "week" else day
        bucket = periods.setdefault(key, [0, 0, 0])
        for i, n in enumerate(by_day.get(day, (0, 0, 0))):
            bucket[i] += n
        open_now += opens.get(day) or 0
        open_at_end[key] = open_now
        day += dt.timedelta(days=1)
    out, backlog = [], 0
    for key, (opened, resolved, reopened) in periods.items():
        backlog += opened + reopened - resolved
        out.append(
            {
                "date": key,
                "opened": opened,
                "resolved": resolved,
                "reopened": reopened,
                "backlog_change": backlog,
                "backlog": open_at_end[key],
            }
        )
    return out


# --- SLA attainment -------------------------------------------------------------------


@dataclass
class Attainment:
    met: int = 0
    breached: int = 0

    @property
    def share(self) -> float | None:
        return _rate(self.met, self.met + self.breached)


@dataclass
class SlaTables:
    by_policy: list[dict[str, Any]] = field(default_factory=list)
    by_tier: list[dict[str, Any]] = field(default_factory=list)
    by_level: list[dict[str, Any]] = field(default_factory=list)


def _sla_rows(groups: dict[Any, dict[str, Attainment]], labels: dict[Any, str]) -> list[Any]:
    out = []
    for key, metrics in groups.items():
        first = metrics.get("first_response", Attainment())
        resolution = metrics.get("resolution", Attainment())
        both = Attainment(first.met + resolution.met, first.breached + resolution.breached)
        out.append(
            {
                "key": key,
                "label": labels.get(key, str(key)),
                "first_response_met": first.met,
                "first_response_breached": first.breached,
                "first_response_share": first.share,
                "resolution_met": resolution.met,
                "resolution_breached": resolution.breached,
                "resolution_share": resolution.share,
                "met": both.met,
                "breached": both.breached,
                "share": both.share,
            }
        )
    return out


def sla(user: Any, q: Query) -> SlaTables:
    result: SlaTables = _cached("sla", user, q, lambda: _sla(user, q))
    return result


def _sla(user: Any, q: Query) -> SlaTables:
    """Met and missed clocks per policy, tier and level (first response, resolution and
    both), from one grouped query."""
    if reader_kind(user) == "maker":
        return SlaTables()
    found = facts.grouped_sums(
        _sla_parts(user, q), ["policy_id", "tier", "level", "metric"], ("met", "breached")
    )
    rows = [
        {"policy_id": p, "tier": t, "level": lv, "metric": m, "m": c["met"], "b": c["breached"]}
        for (p, t, lv, m), c in found.items()
    ]
    per: dict[str, dict[Any, dict[str, Attainment]]] = {
        "policy": defaultdict(lambda: defaultdict(Attainment)),
        "tier": defaultdict(lambda: defaultdict(Attainment)),
        "level": defaultdict(lambda: defaultdict(Attainment)),
    }
    for row in rows:
        for name, key in (("policy", row["policy_id"]), ("tier", row["tier"]),
                          ("level", row["level"])):  # fmt: skip
            cell = per[name][key][row["metric"]]
            cell.met += row["m"] or 0
            cell.breached += row["b"] or 0
    policies = dict(
        SlaPolicy.objects.filter(pk__in=[k for k in per["policy"] if k]).values_list("id", "name")
    )
    policy_labels: dict[Any, str] = {**policies, None: gettext("No policy")}
    tier_labels = {**{v: str(label) for v, label in Tier.choices}, "": gettext("No tier")}
    level_labels = {**{v: str(label) for v, label in SupportType.choices}, "": gettext("None")}
    tables = SlaTables(
        by_policy=_sla_rows(per["policy"], policy_labels),
        by_tier=_sla_rows(per["tier"], tier_labels),
        by_level=_sla_rows(per["level"], level_labels),
    )
    tables.by_policy.sort(key=lambda r: r["label"])
    tier_order = {v: i for i, v in enumerate([*reversed(Tier.values), ""])}
    tables.by_tier.sort(key=lambda r: tier_order.get(r["key"], 99))
    level_order = {v: i for i, v in enumerate(LEVELS)}
    tables.by_level.sort(key=lambda r: level_order.get(r["key"], 99))
    return tables


# --- business units: escalation, bounce-backs, time at each level, redirects, bypass -----

UNIT_COUNTERS = (
    "opened",
    "resolved",
    "escalations",
    "bounce_backs",
    "redirects",
    "bypass_logs",
    "deflections",
    "level_minutes",
)


def units(user: Any, q: Query) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _cached("units", user, q, lambda: _units(user, q))
    return result


def _units(user: Any, q: Query) -> list[dict[str, Any]]:
    """Per business unit: opened, resolved, escalations and their rate (per ticket
    opened), bounce-backs, redirects and bypass logs with their rates, deflections, and
    hours at each level; one grouped query (business unit × level). Rows without a
    business unit (only the platform team and admins read them) come last."""
    if reader_kind(user) == "maker":
        return []
    rows = [
        {"business_unit_id": unit, "level": level, **{f"{c}_": n for c, n in sums.items()}}
        for (unit, level), sums in facts.grouped_sums(
            _daily_parts(user, q), ["business_unit_id", "level"], UNIT_COUNTERS
        ).items()
    ]
    found: dict[int | None, dict[str, Any]] = {}
    for raw in rows:
        row: dict[str, Any] = dict(raw)
        unit = found.setdefault(
            row["business_unit_id"],
            {"business_unit_id": row["business_unit_id"], **dict.fromkeys(UNIT_COUNTERS, 0),
             "minutes": dict.fromkeys(LEVELS, 0)},
        )  # fmt: skip
        for c in UNIT_COUNTERS:
            unit[c] += row[f"{c}_"] or 0
        if row["level"] in unit["minutes"]:
            unit["minutes"][row["level"]] += row["level_minutes_"] or 0
    names = dict(
        BusinessUnit.objects.filter(pk__in=[k for k in found if k]).values_list("id", "name")
    )
    out = []
    for key, unit in found.items():
        opened = unit["opened"]
        unit.update(
            name=names.get(key, "") if key else gettext("No business unit"),
            escalation_rate=_rate(unit["escalations"], opened),
            bounce_rate=_rate(unit["bounce_backs"], unit["escalations"]),
            redirect_rate=_rate(unit["redirects"], opened),
            bypass_rate=_rate(unit["bypass_logs"], opened),
            hours={lv: round(m / 60, 1) for lv, m in unit["minutes"].items()},
        )
        out.append(unit)
    out.sort(key=lambda u: (u["business_unit_id"] is None, -u["opened"], u["name"]))
    return out


def levels(user: Any, q: Query) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _cached("levels", user, q, lambda: _levels(user, q))
    return result


def _levels(user: Any, q: Query) -> list[dict[str, Any]]:
    """Time at each level over the reader's units: hours, escalations out of it and
    tickets opened at it (from the same facts as `units`, one grouped query)."""
    if reader_kind(user) == "maker":
        return []
    rows: dict[str, dict[str, Any]] = {
        key[0]: {"o": r["opened"], "e": r["escalations"], "b": r["bounce_backs"],
                 "m": r["level_minutes"]}
        for key, r in facts.grouped_sums(
            _daily_parts(user, q), ["level"],
            ("opened", "escalations", "bounce_backs", "level_minutes"),
        ).items()
    }  # fmt: skip
    out = []
    for value, label in SupportType.choices:
        row = rows.get(value) or {}
        out.append(
            {
                "level": value,
                "label": str(label),
                "opened": row.get("o") or 0,
                "escalations": row.get("e") or 0,
                "bounce_backs": row.get("b") or 0,
                "hours": round((row.get("m") or 0) / 60, 1),
            }
        )
    return out


# --- solutions --------------------------------------------------------------------------


def top_solutions(user: Any, q: Query, *, limit: int = TOP_SOLUTIONS) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _cached(
        f"solutions-{limit}", user, q, lambda: _top_solutions(user, q, limit=limit)
    )
    return result


def _top_solutions(user: Any, q: Query, *, limit: int) -> list[dict[str, Any]]:
    """The solutions with the most handling time in the range, with tickets opened and
    resolved, escalations and their rate, agent touches."""
    found = [
        {f"{k}_" if k != "solution_id" else k: v for k, v in r.items()}
        for r in facts.top_solution_sums(
            _solution_scope(user, q),
            q.start,
            q.end,
            order=("handling_minutes", "opened"),
            limit=limit,
        )
    ]
    solutions: dict[int, dict[str, Any]] = {
        s["id"]: dict(s)
        for s in Solution.objects.filter(pk__in=[r["solution_id"] for r in found]).values(
            "id", "name", "tier", "business_unit__name"
        )
    }
    out = []
    for r in found:
        s = solutions.get(r["solution_id"], {})
        opened = r["opened_"] or 0
        out.append(
            {
                "solution_id": r["solution_id"],
                "name": s.get("name", ""),
                "tier": s.get("tier") or "",
                "business_unit": s.get("business_unit__name") or "",
                "opened": opened,
                "resolved": r["resolved_"] or 0,
                "escalations": r["escalations_"] or 0,
                "escalation_rate": _rate(r["escalations_"] or 0, opened),
                "agent_touches": r["agent_touches_"] or 0,
                "handling_hours": round((r["handling_minutes_"] or 0) / 60, 1),
            }
        )
    return out


# --- governance -----------------------------------------------------------------------


def governed_solutions(user: Any, q: Query) -> QuerySet[Solution]:
    """The live solutions the reader counts, narrowed by business unit and tier."""
    kind = reader_kind(user)
    qs = Solution.objects.filter(is_deleted=False)
    if kind == "manager":
        qs = qs.filter(business_unit_id__in=facts.manager_business_units(user))
    elif kind == "maker":
        qs = qs.filter(pk__in=_own_solution_ids(user))
    elif kind != "wide":
        return Solution.objects.none()
    if q.business_unit is not None:
        qs = qs.filter(business_unit_id=q.business_unit)
    if q.tier:
        qs = qs.filter(tier="" if q.tier == TIER_NONE else q.tier)
    return qs


def governance(user: Any, q: Query) -> dict[str, list[dict[str, Any]]]:
    """Live solutions per tier, open findings per severity and graduations in flight per
    status — now, not over the date range (three grouped counts)."""
    solutions = governed_solutions(user, q)
    tiers = dict(solutions.order_by().values_list("tier").annotate(n=Count("id")))
    ids = solutions.values("pk")
    findings = dict(
        Finding.objects.filter(status=FindingStatus.OPEN, solution_id__in=ids)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("id"))
    )
    graduations = dict(
        GraduationRequest.objects.filter(status__in=IN_FLIGHT, solution_id__in=ids)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    untiered = sum(n for t, n in tiers.items() if not t)
    return {
        "tiers": [
            *({"key": v, "label": str(label), "count": tiers.get(v, 0)}
              for v, label in reversed(Tier.choices)),
            {"key": TIER_NONE, "label": gettext("Not set"), "count": untiered},
        ],
        "findings": [
            {"key": v, "label": str(label), "count": findings.get(v, 0)}
            for v, label in reversed(Severity.choices)
        ],
        "graduations": [
            {"key": str(v), "label": str(v.label), "count": graduations.get(v, 0)}
            for v in IN_FLIGHT
        ],
    }  # fmt: skip
