"""The CoE admin views' rollups (issue 13, item 5): tables the insights app keeps, the way
the CoE Starter Kit keeps its own, so that the makers, connectors, environments and usage
trend views list, sort and count without grouping 100,000 solutions or 3,000,000 usage
facts on every request. Their data is "as of" the last refresh, which the pages show.

What is kept (`insights.models`), per business unit and for the whole organisation
(`unit` 0, which also counts the solutions without a business unit):
- `CoeMakerRollup`: per maker — live solutions by kind and tier, environments, solutions
  an import flagged orphaned, last modification, last use, last activity, departed;
- `CoeConnectorRollup`: per connector — the live solutions using it (by kind);
- `CoeEnvironmentRollup`: per environment — live solutions by kind, makers, and the last
  30 days' users and sessions or runs (counted for the refresh's day);
- `CoeUsageDay`: per day of the last 52 weeks — users, sessions and flow runs;
- `CoeMakerEnvironment`: which maker has solutions in which environment of which unit,
  for the two distinct counts (a maker's environments, an environment's makers) when a
  manager's several business units are read together.
A solution counts in its own business unit's rows, so the per-unit rows sum exactly over
any set of units; the two distinct counts come from `CoeMakerEnvironment` instead.

When they are recomputed (`coe_rollups_refresh`, one transaction, every table at once):
(a) by the frequent sweep when the inventory's fingerprint changed (at most every
TIERDESK_COE_ROLLUPS_MIN_SECONDS), (b) daily by the `insights-coe-rollups` job, (c) by
`tierdesk coe-rollups --refresh`, and (d) on the first read when never computed."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Count, Max, Q, Sum

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.inventory.choices import APP_KINDS, FLOW_KINDS, SolutionKind, Tier
from tierdesk.inventory.models import Solution, SolutionConnector, UsageFact

log = logging.getLogger(__name__)
ROLLUPS_JOB = "insights-coe-rollups"
TREND_WEEKS = 52
BATCH = 2_000
MIN_SWEEP_SECONDS_DEFAULT = 300

ALWAYS_REFRESH_ON_READ = False
"""Tests only (their data changes between two requests): recompute before every read."""


def _state_model() -> Any:
    from tierdesk.insights.models import CoeRollupState

    return CoeRollupState


# --- the fingerprint --------------------------------------------------------------------


def inventory_fingerprint() -> str:
    """What the rollups are computed from, cheaply: counts and highest ids and times of
    the solutions, the active people (a maker leaving), the connector uses and the usage
    facts. Changes that none of these see (a usage fact re-imported in place) wait for
    the daily refresh. Co-owners do not count in the rollups (the orphaned view reads
    them live), so they are not in it."""
    solutions = Solution.objects.aggregate(n=Count("id"), top=Max("id"), changed=Max("updated_at"))
    people = User.objects.aggregate(n=Count("id", filter=Q(is_active=True)), top=Max("id"))
    uses = SolutionConnector.objects.aggregate(n=Count("id"), top=Max("id"))
    newest_fact = UsageFact.objects.order_by("-id").values_list("id", flat=True).first()
    changed = solutions["changed"]
    parts = [
        solutions["n"],
        solutions["top"],
        changed.isoformat() if changed else "",
        people["n"],
        people["top"],
        uses["n"],
        uses["top"],
        newest_fact,
    ]
    return "/".join("" if part is None else str(part) for part in parts)


# --- the refresh ------------------------------------------------------------------------


@dataclass
class RefreshReport:
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 3), "rows": dict(self.rows)}


def _units(business_unit: int | None) -> tuple[int, ...]:
    from tierdesk.insights.models import WHOLE_ORGANISATION

    return (WHOLE_ORGANISATION,) if business_unit is None else (WHOLE_ORGANISATION, business_unit)


_COUNTS = ("solutions", "apps", "flows", "chatbots")
_TIERS = ("critical", "important", "productivity", "untiered")
ROLLUP_NAMES = {name: f"{name.rstrip('s')}_count" for name in (*_COUNTS, *_TIERS)}
"""A figure's column in the rollups (`solutions` → `solution_count`)."""


def _solution_groups(today: dt.date) -> Any:
    """The live solutions grouped by business unit, maker and environment: every figure
    of the makers and environments rollups sums or maximises over these groups."""
    recent = Q(usage_as_of__gt=today - dt.timedelta(days=30))
    return (
        Solution.objects.filter(is_deleted=False)
        .order_by()
        .values("business_unit_id", "maker_id", "environment_id", "maker__is_active")
        .annotate(
            solutions=Count("id"),
            apps=Count("id", filter=Q(kind__in=APP_KINDS)),
            flows=Count("id", filter=Q(kind__in=FLOW_KINDS)),
            chatbots=Count("id", filter=Q(kind=SolutionKind.CHATBOT)),
            critical=Count("id", filter=Q(tier=Tier.CRITICAL)),
            important=Count("id", filter=Q(tier=Tier.IMPORTANT)),
            productivity=Count("id", filter=Q(tier=Tier.PRODUCTIVITY)),
            untiered=Count("id", filter=Q(tier="")),
            orphaned=Count("id", filter=Q(is_orphaned=True)),
            last_modified=Max("platform_modified_at"),
            last_used=Max("last_used_at"),
            users=Sum("peak_daily_users_30d", filter=recent),
            activity=Sum("launches_30d", filter=recent),
        )
        .values_list(
            "business_unit_id",
            "maker_id",
            "environment_id",
            "maker__is_active",
            *_COUNTS,
            *_TIERS,
            "orphaned",
            "last_modified",
            "last_used",
            "users",
            "activity",
        )
    )


def _later(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _makers_and_environments(today: dt.date) -> tuple[list[Any], list[Any], list[Any]]:
    from tierdesk.insights.models import (
        CoeEnvironmentRollup,
        CoeMakerEnvironment,
        CoeMakerRollup,
    )

    makers: dict[tuple[int, int], dict[str, Any]] = {}
    maker_envs: dict[tuple[int, int], set[int]] = defaultdict(set)
    envs: dict[tuple[int, int], dict[str, Any]] = {}
    env_makers: dict[tuple[int, int], set[int]] = defaultdict(set)
    triples: set[tuple[int, int, int]] = set()
    for row in _solution_groups(today).iterator(chunk_size=5000):
        bu, maker, env, active = row[0], row[1], row[2], row[3]
        counts = row[4:8]
        tiers = row[8:12]
        orphaned, modified, used, users, activity = row[12:17]
        if bu is not None and maker is not None:
            triples.add((bu, maker, env))
        for unit in _units(bu):
            e = envs.setdefault(
                (unit, env), dict.fromkeys((*_COUNTS, "users_30d", "activity_30d"), 0)
            )
            for name, value in zip(_COUNTS, counts, strict=True):
                e[name] += value
            e["users_30d"] += users or 0
            e["activity_30d"] += activity or 0
            if maker is None:
                continue
            env_makers[(unit, env)].add(maker)
            maker_envs[(unit, maker)].add(env)
            m = makers.get((unit, maker))
            if m is None:
                m = makers[(unit, maker)] = {
                    **dict.fromkeys((*_COUNTS, *_TIERS, "orphaned_flags"), 0),
                    "maker_active": bool(active),
                    "last_modified": None,
                    "last_used": None,
                }
            for name, value in zip((*_COUNTS, *_TIERS), (*counts, *tiers), strict=True):
                m[name] += value
            m["orphaned_flags"] += orphaned
            m["last_modified"] = _later(m["last_modified"], modified)
            m["last_used"] = _later(m["last_used"], used)
    maker_rows = [
        CoeMakerRollup(
            unit=unit,
            maker_id=maker,
            maker_active=m["maker_active"],
            **{f"{ROLLUP_NAMES[name]}": m[name] for name in (*_COUNTS, *_TIERS)},
            orphaned_count=m["orphaned_flags"],
            environment_count=len(maker_envs[(unit, maker)]),
            modified_max=m["last_modified"],
            used_max=m["last_used"],
            activity_max=_later(m["last_modified"], m["last_used"]),
            is_departed=not m["maker_active"] or m["orphaned_flags"] > 0,
        )
        for (unit, maker), m in makers.items()
    ]
    env_rows = [
        CoeEnvironmentRollup(
            unit=unit,
            environment_id=env,
            **{f"{ROLLUP_NAMES[name]}": e[name] for name in _COUNTS},
            maker_count=len(env_makers[(unit, env)]),
            users_30d_sum=e["users_30d"],
            activity_30d_sum=e["activity_30d"],
        )
        for (unit, env), e in envs.items()
    ]
    triple_rows = [
        CoeMakerEnvironment(unit=bu, maker_id=maker, environment_id=env)
        for bu, maker, env in sorted(triples)
    ]
    return maker_rows, env_rows, triple_rows


def _connectors() -> list[Any]:
    from tierdesk.insights.models import CoeConnectorRollup

    kind = "solution__kind"
    grouped = (
        SolutionConnector.objects.filter(solution__is_deleted=False)
        .order_by()
        .values("solution__business_unit_id", "connector_id")
        .annotate(
            used_by=Count("id"),
            apps=Count("id", filter=Q(**{f"{kind}__in": APP_KINDS})),
            flows=Count("id", filter=Q(**{f"{kind}__in": FLOW_KINDS})),
            chatbots=Count("id", filter=Q(**{kind: SolutionKind.CHATBOT})),
        )
        .values_list("solution__business_unit_id", "connector_id", "used_by", "apps", "flows",
                     "chatbots")
    )  # fmt: skip
    rows: dict[tuple[int, int], list[int]] = {}
    for bu, connector, *figures in grouped:
        for unit in _units(bu):
            found = rows.setdefault((unit, connector), [0, 0, 0, 0])
            for i, value in enumerate(figures):
                found[i] += value
    return [
        CoeConnectorRollup(
            unit=unit,
            connector_id=connector,
            solution_count=f[0],
            app_count=f[1],
            flow_count=f[2],
            chatbot_count=f[3],
        )
        for (unit, connector), f in rows.items()
    ]


def trend_start(today: dt.date) -> dt.date:
    """The Monday that starts the 52 weeks ending with `today`'s week."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(weeks=TREND_WEEKS - 1)


def _usage_days(today: dt.date) -> list[Any]:
    from tierdesk.insights.models import CoeUsageDay

    grouped = (
        UsageFact.objects.filter(
            date__gte=trend_start(today), date__lte=today, solution__is_deleted=False
        )
        .order_by()
        .values("solution__business_unit_id", "date")
        .annotate(users=Sum("unique_users"), sessions=Sum("sessions"), runs=Sum("flow_runs"))
        .values_list("solution__business_unit_id", "date", "users", "sessions", "runs")
    )
    days: dict[tuple[int, dt.date], list[int]] = {}
    for bu, date, users, sessions, runs in grouped:
        if isinstance(date, dt.datetime):  # pragma: no cover - backends give dates
            date = date.date()
        for unit in _units(bu):
            found = days.setdefault((unit, date), [0, 0, 0])
            found[0] += users or 0
            found[1] += sessions or 0
            found[2] += runs or 0
    return [
        CoeUsageDay(unit=unit, date=date, users_sum=f[0], sessions_sum=f[1], runs_sum=f[2])
        for (unit, date), f in days.items()
    ]


def coe_rollups_refresh(*, today: dt.date | None = None) -> RefreshReport:
    """Recompute every rollup from the inventory in one transaction (readers see the old
    rows until it commits)."""
    from tierdesk.insights.models import (
        CoeConnectorRollup,
        CoeEnvironmentRollup,
        CoeMakerEnvironment,
        CoeMakerRollup,
        CoeUsageDay,
    )

    started = time.perf_counter()
    today = today or clock.today()
    state_model = _state_model()
    state_model.objects.get_or_create(pk=1)
    report = RefreshReport()
    with transaction.atomic():
        state = state_model.objects.select_for_update().get(pk=1)
        fingerprint = inventory_fingerprint()
        makers, environments, triples = _makers_and_environments(today)
        tables: list[tuple[Any, list[Any]]] = [
            (CoeMakerRollup, makers),
            (CoeMakerEnvironment, triples),
            (CoeEnvironmentRollup, environments),
            (CoeConnectorRollup, _connectors()),
            (CoeUsageDay, _usage_days(today)),
        ]
        for model, rows in tables:
            model.objects.all().delete()
            model.objects.bulk_create(rows, batch_size=BATCH)
            report.rows[model._meta.model_name] = len(rows)
        report.seconds = time.perf_counter() - started
        state.refreshed_at = clock.now()
        state.as_of_date = today
        state.fingerprint = fingerprint
        state.seconds = report.seconds
        state.rows = sum(report.rows.values())
        state.save()
    return report


# --- when ---------------------------------------------------------------------------------


def rollups_state() -> Any:
    """The rollups' state for a read: computed now when never computed (d)."""
    state = _state_model().objects.filter(pk=1, refreshed_at__isnull=False).first()
    if state is None or ALWAYS_REFRESH_ON_READ:
        coe_rollups_refresh()
        state = _state_model().objects.get(pk=1)
    return state


def min_sweep_seconds() -> int:
    return int(getattr(settings, "TIERDESK_COE_ROLLUPS_MIN_SECONDS", MIN_SWEEP_SECONDS_DEFAULT))


def _due() -> tuple[bool, str]:
    """Whether the sweep should recompute: computed before, not within
    TIERDESK_COE_ROLLUPS_MIN_SECONDS, and the inventory's fingerprint changed since."""
    state = _state_model().objects.filter(pk=1, refreshed_at__isnull=False).first()
    if state is None:
        return False, "never computed"
    if (clock.now() - state.refreshed_at).total_seconds() < min_sweep_seconds():
        return False, "refreshed recently"
    if inventory_fingerprint() == state.fingerprint:
        return False, "unchanged"
    return True, "changed"


def coe_rollups_sweep() -> dict[str, Any]:
    """For the frequent sweep (a): recompute when the inventory's fingerprint changed
    since the last refresh, at most every TIERDESK_COE_ROLLUPS_MIN_SECONDS; never
    computed ones wait for their first read (d) or the daily job (b)."""
    due, reason = _due()
    if not due:
        return {"refreshed": False, "reason": reason}
    return {"refreshed": True, **coe_rollups_refresh().as_dict()}


_sweeping = threading.Lock()


def coe_rollups_sweep_in_background() -> str:
    """What the sweep calls every round: the check here (a read of the state row; the
    fingerprint's few aggregates once the minimum interval has passed), the recompute
    (seconds at 100,000 solutions) in a thread of its own so it never delays the next
    sweep. Returns why it did or did not start one."""
    due, reason = _due()
    if not due:
        return reason
    if not _sweeping.acquire(blocking=False):
        return "already refreshing"

    def run() -> None:
        close_old_connections()
        try:
            coe_rollups_refresh()
        except Exception:  # the next round tries again
            log.exception("CoE rollups refresh failed")
        finally:
            close_old_connections()
            _sweeping.release()

    threading.Thread(target=run, name="tierdesk-coe-rollups", daemon=True).start()
    return "refreshing"


def coe_rollups_job() -> str:
    """The daily job (b): recompute whatever changed (also the 30-day window and the
    trend's weeks, which move with the day). Never computed ones wait for their first
    read (d): nobody has opened the views yet."""
    if not _state_model().objects.filter(pk=1, refreshed_at__isnull=False).exists():
        return "never computed (the first read computes them)"
    report = coe_rollups_refresh()
    return f"{sum(report.rows.values())} rows in {report.seconds:.1f} s"
