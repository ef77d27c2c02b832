"""The three decisions, with reasons (issue 13, item 3): formalise team support per
business unit, staff the dedicated platform team, relieve overloaded makers.

Reads only. Who reads (`can_read_decisions`): admins and the platform team everything,
managers their business units (`coe.scope_of`: their own and their direct reports'),
nobody else. Ticket workload comes from the daily facts (`SolutionDailyFact` per solution,
`DailyFact` per business unit × tier × level); the ticket table is never read.

Every threshold and assumption is a query parameter with its default in `Assumptions`
(the one place they are named) and its bounds and label in `PARAMETERS`; there is no
settings model: the page shows them in a form and the address keeps them.

Maker burden, measured: the facts count each person's replies and notes per solution and
day (`PersonDailyFact`, the event's actor, never the requester). On a solution supported
informally (self or team support) the people answering are its maker (self support) or its
maker and active co-owners (team support); each is charged their own touches on it, turned
into hours with `minutes_per_touch`. Fallback: a solution with touches in the period but
no per-person rows (facts kept before the per-person count existed and not rebuilt since)
has its touches spread evenly over its answerers, and the page says which solutions were
estimated that way."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import AccountKind, SupportType
from tierdesk.accounts.models import BusinessUnit
from tierdesk.common import clock
from tierdesk.governance.choices import GraduationStatus
from tierdesk.governance.models import GraduationRequest
from tierdesk.insights import coe, facts
from tierdesk.insights.kept import kept
from tierdesk.insights.models import DailyFact, PersonDailyFact, SolutionDailyFact
from tierdesk.inventory.choices import SolutionEventType, SupportModel, Tier
from tierdesk.inventory.models import Solution, SolutionEvent, SolutionOwner

READERS = coe.READERS
"""Admins and the platform team (everything), managers (their business units)."""

SUPPORTED_TIERS = (Tier.IMPORTANT.value, Tier.CRITICAL.value)
INFORMAL = (SupportModel.SELF.value, SupportModel.TEAM.value, "")
"""Support models where the maker (and co-owners) answer: self, team-assisted, not set."""
QUARTER_DAYS = 365.25 / 4
IN_FLIGHT = (GraduationStatus.IN_PROGRESS, GraduationStatus.SUBMITTED, GraduationStatus.APPROVED)
MAX_PICKED = 200


def can_read_decisions(user: Any) -> bool:
    """Admins, the platform team and managers (managers see their business units)."""
    return coe.can_read_coe_views(user)


# --- the thresholds and assumptions: one named place ---------------------------------


@dataclass(frozen=True)
class Assumptions:
    """Every threshold and assumption of the three decisions, with its default."""

    days: int = 90
    """The period read, in days up to today."""
    minutes_per_touch: int = 15
    """Working minutes one reply or note on a ticket takes."""
    # (a) formalise team support, per business unit
    solutions_now: int = 5
    """Informally supported important/critical solutions at which to formalise now …"""
    tickets_now: int = 30
    """… when they also receive this many tickets per 30 days."""
    solutions_watch: int = 2
    tickets_watch: int = 10
    # (c) maker burden
    maker_hours_week: float = 6.0
    """Hours a week answering tickets at which a maker's building is crowded out."""
    # (b) staffing the dedicated platform team
    hours_per_fte: int = 1600
    """Working hours of one full-time person per year."""
    effort_percent: int = 10
    """The share of the time a ticket spends at the platform level that is hands-on work."""
    growth: float | None = None
    """Critical solutions added per quarter; None: the last four quarters' trend."""
    what_if_count: int = 0
    """What-if: this many more solutions graduate to critical (at the average load)."""
    graduate: tuple[int, ...] = field(default_factory=tuple)
    """What-if: these solutions graduate to critical (at their own load)."""


@dataclass(frozen=True)
class Param:
    name: str
    label: Any
    low: float
    high: float
    integer: bool = True
    section: str = "common"
    unit: Any = ""


PARAMETERS: tuple[Param, ...] = (
    Param("days", _("Period read"), 7, 730, unit=_("days")),
    Param("minutes_per_touch", _("Minutes per reply or note"), 1, 480, unit=_("minutes")),
    Param("solutions_now", _("Solutions to formalise now"), 1, 100_000, section="formalise"),
    Param(
        "tickets_now",
        _("Tickets to formalise now"),
        0,
        10_000_000,
        section="formalise",
        unit=_("per 30 days"),
    ),
    Param("solutions_watch", _("Solutions to watch"), 1, 100_000, section="formalise"),
    Param(
        "tickets_watch",
        _("Tickets to watch"),
        0,
        10_000_000,
        section="formalise",
        unit=_("per 30 days"),
    ),
    Param(
        "maker_hours_week",
        _("A maker's hours answering that crowd out building"),
        0.5,
        80,
        integer=False,
        section="makers",
        unit=_("hours a week"),
    ),
    Param(
        "hours_per_fte",
        _("Working hours of one full-time person"),
        100,
        4000,
        section="staffing",
        unit=_("hours a year"),
    ),
    Param(
        "effort_percent",
        _("Hands-on share of the time at the platform level"),
        1,
        100,
        section="staffing",
        unit="%",
    ),
    Param(
        "growth",
        _("Critical solutions added per quarter"),
        -100_000,
        100_000,
        integer=False,
        section="staffing",
        unit=_("empty: the trend"),
    ),
    Param(
        "what_if_count",
        _("What if this many more solutions graduate to critical"),
        0,
        100_000,
        section="staffing",
    ),
)
PARAMETER_NAMES = frozenset(p.name for p in PARAMETERS) | {"graduate"}


def parse_assumptions(scope: coe.Scope, params: Mapping[str, Any]) -> Assumptions:
    """The assumptions from the query (defaults for what is missing or empty); a bad
    value raises `coe.BadParameter` with the parameter's name."""
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
    picked = _picked(params)
    if picked:
        allowed = set(coe.coe_solutions(scope).filter(pk__in=picked).values_list("pk", flat=True))
        if set(picked) - allowed:
            raise coe.BadParameter("graduate")
        values["graduate"] = tuple(sorted(set(picked)))
    return replace(Assumptions(), **values)


def _picked(params: Mapping[str, Any]) -> list[int]:
    getlist = getattr(params, "getlist", None)
    raw: Iterable[Any] = getlist("graduate") if getlist else [params.get("graduate") or ""]
    found: list[int] = []
    for item in raw:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or len(part) > 18:
                raise coe.BadParameter("graduate")
            found.append(int(part))
    if len(found) > MAX_PICKED:
        raise coe.BadParameter("graduate")
    return found


def assumptions_query(a: Assumptions) -> dict[str, Any]:
    """The assumptions that differ from the defaults, as query parameters."""
    default = Assumptions()
    out: dict[str, Any] = {}
    for f in fields(Assumptions):
        value = getattr(a, f.name)
        if value != getattr(default, f.name):
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def _window(a: Assumptions, today: dt.date | None) -> tuple[dt.date, dt.date]:
    end = today or clock.today()
    return end - dt.timedelta(days=a.days - 1), end


# --- what the solutions cost, from the facts ----------------------------------------


def _informal(scope: coe.Scope) -> QuerySet[Solution]:
    """Live solutions at important or critical tier still supported informally."""
    return coe.coe_solutions(scope).filter(tier__in=SUPPORTED_TIERS, support_model__in=INFORMAL)


def _solution_load(
    solutions: QuerySet[Solution], start: dt.date, end: dt.date
) -> dict[int, dict[str, int]]:
    """Tickets opened and agent touches per solution in the period (the facts: whole
    months from the monthly rollup, the edge days from the daily rows)."""
    found = facts.solution_sums(
        Q(solution__in=solutions.values("pk")), start, end, ("opened", "agent_touches")
    )
    return {pk: {"opened": r["opened"], "touches": r["agent_touches"]} for pk, r in found.items()}


def _person_touches(
    solutions: QuerySet[Solution], start: dt.date, end: dt.date
) -> dict[int, dict[int, int]]:
    """Replies and notes per solution and person in the period (the per-person facts)."""
    rows = (
        PersonDailyFact.objects.filter(
            solution__in=solutions.values("pk"), day__gte=start, day__lte=end
        )
        .order_by()
        .values("solution_id", "person_id")
        .annotate(n=Sum("touches"))
    )
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for r in rows:
        out[r["solution_id"]][r["person_id"]] = r["n"] or 0
    return out


@dataclass
class SolutionLoad:
    id: int
    name: str
    tier: str
    support_model: str
    business_unit_id: int | None
    maker_id: int | None
    opened: int
    touches: int
    hours: float
    """Estimated hours answering its tickets in the period (touches × minutes)."""
    answerers: list[int]
    """Who answers: the maker (self support), the maker and active co-owners (team)."""
    person_touches: dict[int, int] = field(default_factory=dict)
    """Replies and notes by each person on it in the period."""
    estimated: bool = False
    """True when touches exist but no per-person count: spread evenly (the fallback)."""
    graduation: str = ""
    """The status of a graduation in flight, if any."""
    suggestion: str = ""

    @property
    def suggestion_text(self) -> str:
        """The suggestion in the reader's language (translated when shown: a whole
        organisation's list translates a few dozen, not every solution's)."""
        return str(SUGGESTIONS[self.suggestion]) if self.suggestion else ""


def _loads(scope: coe.Scope, a: Assumptions, today: dt.date | None) -> list[SolutionLoad]:
    """Every informally supported important or critical solution of the scope with its
    load in the period; kept until the facts or the inventory move (`insights.kept`)."""
    start, end = _window(a, today)
    return kept(
        "decision-loads",
        [scope.key, start, end, a.minutes_per_touch],
        lambda: _loads_now(scope, a, start, end),
    )


def _loads_now(
    scope: coe.Scope, a: Assumptions, start: dt.date, end: dt.date
) -> list[SolutionLoad]:
    solutions = _informal(scope)
    load = _solution_load(solutions, start, end)
    by_person = _person_touches(solutions, start, end)
    rows = list(
        solutions.values(
            "pk", "name", "tier", "support_model", "business_unit_id", "maker_id",
            "maker__is_active", "maker__kind",
        ).order_by("name", "pk")
    )  # fmt: skip
    co_owners: dict[int, list[int]] = defaultdict(list)
    for solution_id, user_id in SolutionOwner.objects.filter(
        solution__in=solutions.values("pk"), user__is_active=True, user__kind=AccountKind.PERSON
    ).values_list("solution_id", "user_id"):
        co_owners[solution_id].append(user_id)
    in_flight = dict(
        GraduationRequest.objects.filter(
            solution__in=solutions.values("pk"), status__in=IN_FLIGHT
        ).values_list("solution_id", "status")
    )
    found = []
    for r in rows:
        counts = load.get(r["pk"], {"opened": 0, "touches": 0})
        answerers: list[int] = []
        if r["maker_id"] is not None and r["maker__is_active"]:
            answerers.append(r["maker_id"])
        if r["support_model"] == SupportModel.TEAM:
            answerers += [u for u in co_owners.get(r["pk"], []) if u not in answerers]
        item = SolutionLoad(
            id=r["pk"],
            name=r["name"],
            tier=r["tier"],
            support_model=r["support_model"],
            business_unit_id=r["business_unit_id"],
            maker_id=r["maker_id"],
            opened=counts["opened"],
            touches=counts["touches"],
            hours=counts["touches"] * a.minutes_per_touch / 60,
            answerers=answerers,
            person_touches=by_person.get(r["pk"], {}),
            estimated=bool(counts["touches"]) and r["pk"] not in by_person,
            graduation=str(in_flight.get(r["pk"], "")),
        )
        item.suggestion = _suggest(item, has_co_owner=bool(co_owners[r["pk"]]))
        found.append(item)
    return found


SUGGESTIONS = {
    "finish_graduation": _("Finish the graduation in flight"),
    "graduate": _("Graduate it to formal support by a supporting team"),
    "add_co_owner": _("Add a co-owner to share the answering"),
    "supporting_team": _("Graduate it to a supporting team"),
}


def _suggest(item: SolutionLoad, *, has_co_owner: bool) -> str:
    """The first rule that fits: a graduation in flight is finished; a critical solution
    graduates to formal support; an important one without a co-owner gets one; otherwise
    a supporting team takes it over."""
    if item.graduation:
        code = "finish_graduation"
    elif item.tier == Tier.CRITICAL:
        code = "graduate"
    elif not has_co_owner:
        code = "add_co_owner"
    else:
        code = "supporting_team"
    return code


# --- (c) maker burden -----------------------------------------------------------------


@dataclass
class MakerBurden:
    user_id: int
    name: str
    username: str
    hours_week: float
    touches: int
    opened: int
    solutions: list[SolutionLoad]
    flagged: bool
    reasons: list[str]


def _people(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    from tierdesk.accounts.models import User

    return {
        pk: (display or username, username)
        for pk, display, username in User.objects.filter(pk__in=set(ids)).values_list(
            "pk", "display_name", "username"
        )
    }


def _burdens(
    loads: list[SolutionLoad], a: Assumptions
) -> dict[int, tuple[float, float, int, list[SolutionLoad]]]:
    """Per person: (hours in the period, touches shared, tickets shared, solutions)."""
    per: dict[int, list[Any]] = defaultdict(lambda: [0.0, 0.0, 0.0, []])
    for item in loads:
        if not item.answerers:
            continue
        share = 1 / len(item.answerers)
        for user_id in item.answerers:
            # their own replies and notes; spread evenly only without a per-person count
            touches = (
                item.touches * share if item.estimated else item.person_touches.get(user_id, 0)
            )
            row = per[user_id]
            row[0] += touches * a.minutes_per_touch / 60
            row[1] += touches
            row[2] += item.opened * share
            row[3].append(item)
    return {k: (v[0], v[1], round(v[2]), v[3]) for k, v in per.items()}


def maker_burden(
    scope: coe.Scope, a: Assumptions, *, today: dt.date | None = None, flagged_only: bool = False
) -> list[MakerBurden]:
    """Makers and co-owners answering tickets of informally supported important or
    critical solutions, the busiest first; `flagged` when their estimated hours a week
    reach `maker_hours_week`."""
    loads = _loads(scope, a, today)
    return _maker_rows(loads, a, flagged_only=flagged_only)


def _maker_rows(
    loads: list[SolutionLoad],
    a: Assumptions,
    *,
    flagged_only: bool = False,
    names: dict[int, tuple[str, str]] | None = None,
) -> list[MakerBurden]:
    weeks = a.days / 7
    burdens = _burdens(loads, a)
    if names is None:
        names = _people(burdens)
    rows = []
    for user_id, (hours, touches, opened, solutions) in burdens.items():
        per_week = hours / weeks
        if per_week <= 0:
            continue
        flagged = per_week >= a.maker_hours_week
        if flagged_only and not flagged:
            continue
        solutions = sorted(solutions, key=lambda s: (-s.hours, s.name))
        critical = sum(1 for s in solutions if s.tier == Tier.CRITICAL)
        reasons = [
            gettext(
                "About %(hours)s hours a week answering %(touches)s replies and notes "
                "(%(minutes)s minutes each) on %(tickets)s tickets in %(days)s days; "
                "the limit is %(limit)s hours a week."
            )
            % {
                "hours": _num(per_week),
                "touches": _num(touches),
                "minutes": a.minutes_per_touch,
                "tickets": opened,
                "days": a.days,
                "limit": _num(a.maker_hours_week),
            },
            ngettext(
                "%(count)s informally supported solution at important or critical tier "
                "(%(critical)s critical).",
                "%(count)s informally supported solutions at important or critical tier "
                "(%(critical)s critical).",
                len(solutions),
            )
            % {"count": len(solutions), "critical": critical},
        ]
        name, username = names.get(user_id, ("", ""))
        rows.append(
            MakerBurden(
                user_id=user_id,
                name=name,
                username=username,
                hours_week=round(per_week, 1),
                touches=round(touches),
                opened=opened,
                solutions=solutions,
                flagged=flagged,
                reasons=reasons,
            )
        )
    rows.sort(key=lambda r: (-r.hours_week, r.username))
    return rows


def _num(value: float) -> str:
    from django.utils.formats import number_format

    if float(value).is_integer():
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)


# --- (a) formalise team support ---------------------------------------------------------

NOW, WATCH, NOT_NEEDED = "now", "watch", "not_needed"
VERDICTS = {
    NOW: _("Formalise now"),
    WATCH: _("Watch"),
    NOT_NEEDED: _("Not needed"),
}


@dataclass
class UnitDecision:
    business_unit_id: int
    business_unit: str
    verdict: str
    verdict_label: str
    solutions: int
    critical: int
    tickets: int
    tickets_30d: float
    touches: int
    maker_hours_week: float
    """The busiest answerer's estimated hours a week on the unit's solutions."""
    overloaded_makers: int
    reasons: list[str]


def formalise(
    scope: coe.Scope,
    a: Assumptions,
    *,
    today: dt.date | None = None,
    business_unit: int | None = None,
) -> list[UnitDecision]:
    """One decision per business unit of the scope: "formalise now" when it has at least
    `solutions_now` informally supported important/critical solutions receiving at least
    `tickets_now` tickets per 30 days, or an overloaded maker and at least
    `solutions_watch` such solutions; "watch" when it reaches `solutions_watch` solutions
    or `tickets_watch` tickets or has an overloaded maker; otherwise "not needed"."""
    loads = _loads(scope, a, today)
    per_unit: dict[int, list[SolutionLoad]] = defaultdict(list)
    for item in loads:
        if item.business_unit_id is not None:
            per_unit[item.business_unit_id].append(item)
    found = coe.business_units_for(scope)
    if business_unit is not None:
        found = found.filter(pk=business_unit)
    units = list(found)
    wanted = {unit.pk for unit in units}
    names = _people(u for item in loads if item.business_unit_id in wanted for u in item.answerers)
    result = []
    for unit in units:
        result.append(_unit_decision(unit, per_unit.get(unit.pk, []), a, names))
    order = {NOW: 0, WATCH: 1, NOT_NEEDED: 2}
    result.sort(key=lambda d: (order[d.verdict], -d.tickets_30d, d.business_unit))
    return result


def _unit_decision(
    unit: BusinessUnit,
    items: list[SolutionLoad],
    a: Assumptions,
    names: dict[int, tuple[str, str]],
) -> UnitDecision:
    count = len(items)
    critical = sum(1 for s in items if s.tier == Tier.CRITICAL)
    tickets = sum(s.opened for s in items)
    touches = sum(s.touches for s in items)
    per_30 = tickets * 30 / a.days
    makers = _maker_rows(items, a, names=names)
    busiest = max((m.hours_week for m in makers), default=0.0)
    overloaded = sum(1 for m in makers if m.flagged)
    many = count >= a.solutions_now
    busy = per_30 >= a.tickets_now
    if (many and busy) or (overloaded and count >= a.solutions_watch):
        verdict = NOW
    elif count >= a.solutions_watch or per_30 >= a.tickets_watch or overloaded:
        verdict = WATCH
    else:
        verdict = NOT_NEEDED
    reasons = [
        ngettext(
            "%(count)s solution at important or critical tier (%(critical)s critical) is "
            "still on self or team support; formalise at %(now)s, watch from %(watch)s.",
            "%(count)s solutions at important or critical tier (%(critical)s critical) are "
            "still on self or team support; formalise at %(now)s, watch from %(watch)s.",
            count,
        )
        % {
            "count": count,
            "critical": critical,
            "now": a.solutions_now,
            "watch": a.solutions_watch,
        },
        gettext(
            "They received %(tickets)s tickets in %(days)s days (%(per30)s per 30 days); "
            "formalise at %(now)s, watch from %(watch)s per 30 days."
        )
        % {
            "tickets": tickets,
            "days": a.days,
            "per30": _num(per_30),
            "now": a.tickets_now,
            "watch": a.tickets_watch,
        },
    ]
    if makers:
        reasons.append(
            ngettext(
                "The busiest maker answers about %(hours)s hours a week; %(overloaded)s "
                "maker is at or above %(limit)s hours a week.",
                "The busiest maker answers about %(hours)s hours a week; %(overloaded)s "
                "makers are at or above %(limit)s hours a week.",
                overloaded,
            )
            % {
                "hours": _num(busiest),
                "overloaded": overloaded,
                "limit": _num(a.maker_hours_week),
            }
        )
    return UnitDecision(
        business_unit_id=unit.pk,
        business_unit=unit.name,
        verdict=verdict,
        verdict_label=str(VERDICTS[verdict]),
        solutions=count,
        critical=critical,
        tickets=tickets,
        tickets_30d=round(per_30, 1),
        touches=touches,
        maker_hours_week=round(busiest, 1),
        overloaded_makers=overloaded,
        reasons=reasons,
    )


# --- (b) staffing the dedicated platform team -------------------------------------------


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_quarters(day: dt.date, n: int) -> dt.date:
    months = day.year * 12 + day.month - 1 + 3 * n
    return dt.date(months // 12, months % 12 + 1, 1)


def quarter_label(day: dt.date) -> str:
    """ "2027 Q1" in English, "2027년 1분기" in Korean (through the catalog)."""
    return pgettext("quarter of a year", "%(year)s Q%(quarter)s") % {
        "year": day.year,
        "quarter": (day.month - 1) // 3 + 1,
    }


def critical_trend(scope: coe.Scope, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Live solutions at critical tier at the start of each of the last four quarters and
    today: today's count walked back through the tier changes recorded on the solutions'
    timelines (`tier_changed` events); a solution recorded after a date did not count
    then. Kept until the facts or the inventory move (`insights.kept`)."""
    day = today or clock.today()
    return kept("decision-trend", [scope.key, day], lambda: _critical_trend_now(scope, day))


def _critical_trend_now(scope: coe.Scope, today: dt.date) -> list[dict[str, Any]]:
    this_quarter = _quarter_start(today)
    points = [_add_quarters(this_quarter, -n) for n in (4, 3, 2, 1, 0)]
    solutions = coe.coe_solutions(scope)
    first = timezone.make_aware(dt.datetime.combine(points[0], dt.time.min))
    changed = SolutionEvent.objects.filter(
        type=SolutionEventType.TIER_CHANGED, created_at__gte=first
    ).values("solution_id")
    tier_now = dict(
        solutions.filter(Q(tier=Tier.CRITICAL) | Q(pk__in=changed)).values_list("pk", "tier")
    )
    created = dict(
        Solution.objects.filter(pk__in=list(tier_now)).values_list("pk", "platform_created_at")
    )
    recorded = dict(Solution.objects.filter(pk__in=list(tier_now)).values_list("pk", "created_at"))
    changes: dict[int, list[tuple[dt.datetime, str, str]]] = defaultdict(list)
    for solution_id, at, params in SolutionEvent.objects.filter(
        solution_id__in=list(tier_now), type=SolutionEventType.TIER_CHANGED
    ).values_list("solution_id", "created_at", "parameters"):
        pair = ((params or {}).get("changes") or {}).get("tier")
        if isinstance(pair, list | tuple) and len(pair) == 2:
            changes[solution_id].append((at, str(pair[0] or ""), str(pair[1] or "")))
    result = []
    for n, point in enumerate(points):
        moment = (
            timezone.make_aware(dt.datetime.combine(point, dt.time.min))
            if n < len(points) - 1
            else clock.now()
        )
        count = 0
        for pk, tier in tier_now.items():
            born = created.get(pk) or recorded.get(pk)
            if born is not None and born > moment:
                continue
            tier_then = tier
            for at, old, _new in sorted(changes.get(pk, []), reverse=True):
                if at > moment:
                    tier_then = old
            if tier_then == Tier.CRITICAL:
                count += 1
        result.append({"date": point, "label": quarter_label(point), "critical": count})
    result[-1]["date"] = today
    result[-1]["label"] = gettext("Today")
    return result


@dataclass
class Staffing:
    critical_now: int
    trend: list[dict[str, Any]]
    trend_growth: float
    growth: float
    tickets: int
    tickets_per_solution_quarter: float
    platform_minutes: int
    platform_minutes_per_ticket: float
    other_platform_minutes: int
    hours_per_fte_quarter: float
    picked: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    quarters: list[dict[str, Any]]
    reasons: list[str]


def staffing(scope: coe.Scope, a: Assumptions, *, today: dt.date | None = None) -> Staffing:
    """The platform team's load and FTE for the next four quarters.

    Per quarter: critical solutions (today's + growth × quarters + the what-if) × tickets
    per critical solution per quarter × minutes a critical ticket spends at the platform
    level × the hands-on share, plus the platform level's other work (other tiers) at its
    current rate; FTE = hours ÷ (hours per FTE ÷ 4). Picked solutions add their own
    ticket rate instead of the average."""
    start, end = _window(a, today)
    today = end
    scale = QUARTER_DAYS / a.days
    facts = DailyFact.objects.filter(day__gte=start, day__lte=end)
    if scope.unit_ids is not None:
        facts = facts.filter(business_unit_id__in=list(scope.unit_ids))
    sums = facts.aggregate(
        critical_opened=Sum("opened", filter=Q(tier=Tier.CRITICAL)),
        critical_platform=Sum(
            "level_minutes", filter=Q(tier=Tier.CRITICAL, level=SupportType.PLATFORM)
        ),
        other_platform=Sum(
            "level_minutes", filter=~Q(tier=Tier.CRITICAL) & Q(level=SupportType.PLATFORM)
        ),
    )
    tickets = int(sums["critical_opened"] or 0)
    platform_minutes = int(sums["critical_platform"] or 0)
    other_minutes = int(sums["other_platform"] or 0)
    trend = critical_trend(scope, today=today)
    critical_now = int(trend[-1]["critical"])
    trend_growth = round((critical_now - int(trend[0]["critical"])) / 4, 2)
    growth = trend_growth if a.growth is None else a.growth
    per_solution = (tickets / critical_now * scale) if critical_now else 0.0
    per_ticket = (platform_minutes / tickets) if tickets else 0.0
    effort = a.effort_percent / 100
    fte_hours = a.hours_per_fte / 4
    other_hours = other_minutes * scale * effort / 60
    picked_load = _solution_load(coe.coe_solutions(scope).filter(pk__in=a.graduate), start, end)
    picked: list[dict[str, Any]] = [
        {
            "id": s.pk,
            "name": s.name,
            "tier": s.tier,
            "tickets_quarter": round(picked_load.get(s.pk, {}).get("opened", 0) * scale, 1),
        }
        for s in coe.coe_solutions(scope).filter(pk__in=a.graduate).order_by("name", "pk")
    ]
    picked_tickets = sum(p["tickets_quarter"] for p in picked)
    quarters = []
    next_quarter = _add_quarters(_quarter_start(today), 1)
    for n in range(1, 5):
        solutions = max(critical_now + growth * n, 0.0)
        base_tickets = solutions * per_solution
        what_if_tickets = a.what_if_count * per_solution + picked_tickets
        critical_hours = (base_tickets + what_if_tickets) * per_ticket * effort / 60
        hours = critical_hours + other_hours
        start_q = _add_quarters(next_quarter, n - 1)
        quarters.append(
            {
                "date": start_q,
                "label": quarter_label(start_q),
                "critical": round(solutions + a.what_if_count + len(picked), 1),
                "tickets": round(base_tickets + what_if_tickets, 1),
                "hours": round(hours, 1),
                "fte": round(hours / fte_hours, 2) if fte_hours else 0.0,
                "fte_without_what_if": round(
                    (base_tickets * per_ticket * effort / 60 + other_hours) / fte_hours, 2
                ),
            }
        )
    reasons = [
        ngettext(
            "%(count)s solution is at critical tier today; %(then)s were a year ago, so "
            "the trend adds %(trend)s a quarter (used: %(growth)s).",
            "%(count)s solutions are at critical tier today; %(then)s were a year ago, so "
            "the trend adds %(trend)s a quarter (used: %(growth)s).",
            critical_now,
        )
        % {
            "count": critical_now,
            "then": trend[0]["critical"],
            "trend": _num(trend_growth),
            "growth": _num(growth),
        },
        gettext(
            "Critical solutions received %(tickets)s tickets in %(days)s days: %(per)s per "
            "solution a quarter."
        )
        % {"tickets": tickets, "days": a.days, "per": _num(round(per_solution, 1))},
        gettext(
            "A critical ticket spent %(minutes)s minutes at the platform level on average; "
            "%(effort)s%% of that is counted as hands-on work."
        )
        % {"minutes": _num(round(per_ticket, 1)), "effort": a.effort_percent},
        gettext(
            "Other platform work (other tiers) adds %(hours)s hours a quarter; one full-time "
            "person gives %(fte)s hours a quarter."
        )
        % {"hours": _num(round(other_hours, 1)), "fte": _num(fte_hours)},
    ]
    if a.what_if_count or picked:
        reasons.append(
            gettext(
                "What-if: %(count)s more solutions graduate to critical (%(picked)s picked "
                "with %(tickets)s tickets a quarter of their own)."
            )
            % {
                "count": a.what_if_count + len(picked),
                "picked": len(picked),
                "tickets": _num(round(picked_tickets, 1)),
            }
        )
    return Staffing(
        critical_now=critical_now,
        trend=trend,
        trend_growth=trend_growth,
        growth=growth,
        tickets=tickets,
        tickets_per_solution_quarter=round(per_solution, 2),
        platform_minutes=platform_minutes,
        platform_minutes_per_ticket=round(per_ticket, 1),
        other_platform_minutes=other_minutes,
        hours_per_fte_quarter=fte_hours,
        picked=picked,
        candidates=graduation_candidates(scope, a, today=today),
        quarters=quarters,
        reasons=reasons,
    )


def graduation_candidates(
    scope: coe.Scope, a: Assumptions, *, today: dt.date | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Solutions a what-if may pick: graduations to critical in flight first, then the
    important solutions with the most tickets in the period."""
    start, end = _window(a, today)
    flight, ids, names = kept(
        "decision-candidates",
        [scope.key, start, end, limit],
        lambda: _candidates_now(scope, start, end, limit),
    )
    return [
        {"id": pk, "name": names.get(pk, ""), "in_flight": pk in flight, "picked": pk in a.graduate}
        for pk in ids
    ]


def _candidates_now(
    scope: coe.Scope, start: dt.date, end: dt.date, limit: int
) -> tuple[list[int], list[int], dict[int, str]]:
    flight = list(
        GraduationRequest.objects.filter(
            solution__in=coe.coe_solutions(scope).values("pk"),
            status__in=IN_FLIGHT,
            target_tier=Tier.CRITICAL,
        ).values_list("solution_id", flat=True)
    )
    busiest = list(
        SolutionDailyFact.objects.filter(
            solution__in=coe.coe_solutions(scope).filter(tier=Tier.IMPORTANT).values("pk"),
            day__gte=start,
            day__lte=end,
        )
        .order_by()
        .values("solution_id")
        .annotate(opened_=Sum("opened"))
        .order_by("-opened_", "solution_id")
        .values_list("solution_id", flat=True)[:limit]
    )
    ids = list(dict.fromkeys([*flight, *busiest]))[:limit]
    names = dict(Solution.objects.filter(pk__in=ids).values_list("pk", "name"))
    return flight, ids, names


# --- the page -----------------------------------------------------------------------------


@dataclass
class Overview:
    """What the decisions page shows."""

    units: list[UnitDecision]
    staffing: Staffing
    flagged: list[MakerBurden]
    """Makers at or above `maker_hours_week`, the busiest first."""
    estimated: list[SolutionLoad]
    """Solutions whose burden was spread evenly (no per-person count), by name."""


def overview(
    scope: coe.Scope,
    a: Assumptions,
    *,
    business_unit: int | None = None,
    today: dt.date | None = None,
) -> Overview:
    """The page's three decisions, kept as one small object per scope, assumptions,
    business unit, language and day (`insights.kept`): a warm page reads that instead of
    every informal solution's load (12,000 objects for an organisation of 100,000)."""
    day = today or clock.today()
    return kept(
        "decision-overview",
        [scope.key, repr(a), business_unit, get_language(), day],
        lambda: _overview_now(scope, a, business_unit, day),
    )


def _overview_now(
    scope: coe.Scope, a: Assumptions, business_unit: int | None, day: dt.date
) -> Overview:
    makers = maker_burden(scope, a, today=day)
    estimated = {s.id: s for m in makers for s in m.solutions if s.estimated}
    return Overview(
        units=formalise(scope, a, today=day, business_unit=business_unit),
        staffing=staffing(scope, a, today=day),
        flagged=[m for m in makers if m.flagged],
        estimated=sorted(estimated.values(), key=lambda s: s.name),
    )
