"""From calendar rows to the calendar service's specs, and the policy a ticket gets."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch

from tierdesk.sla.businesstime import CalendarSpec, parse_minute
from tierdesk.sla.choices import AgreementKind
from tierdesk.sla.models import (
    BusinessCalendar,
    CalendarClosure,
    SlaPolicy,
    SlaSettings,
    SlaTarget,
)


def calendar_spec(calendar: BusinessCalendar) -> CalendarSpec:
    """The immutable spec of a calendar row (its closures included)."""
    if calendar.always_open:
        return CalendarSpec.around_the_clock()
    weekly_raw: list[Any] = list(calendar.weekly_hours or [])
    weekly_raw += [[] for _ in range(7 - len(weekly_raw))]
    weekly = tuple(
        tuple(sorted((parse_minute(a), parse_minute(b)) for a, b in day)) for day in weekly_raw[:7]
    )
    closures = tuple((c.starts_on, c.ends_on) for c in calendar.closures.all())
    return CalendarSpec(
        time_zone=calendar.time_zone,
        weekly=weekly,
        country=calendar.country.upper(),
        subdivision=calendar.subdivision,
        closures=closures,
    )


def calendar_snapshot(calendar: BusinessCalendar) -> dict[str, Any]:
    return {
        "id": calendar.pk,
        "code": calendar.code,
        "name": calendar.name,
        "version": calendar.version,
        "spec": calendar_spec(calendar).to_json(),
    }


def active_policies() -> list[SlaPolicy]:
    """Every active policy with its targets and their calendars (four queries)."""
    targets = SlaTarget.objects.select_related("calendar").prefetch_related(
        Prefetch("calendar__closures", queryset=CalendarClosure.objects.order_by("starts_on"))
    )
    return list(
        SlaPolicy.objects.filter(is_active=True).prefetch_related(
            Prefetch("targets", queryset=targets)
        )
    )


@dataclass(frozen=True)
class Facts:
    """What the SLA engine knows of a ticket, handed over by the desk (`desk.sla_facts`):
    what picks a policy — its solution's tier, its priority, request type and support
    level — and what moves its clocks: its status (paused while it is one of the
    settings' `pause_statuses`), whether it is open, when it was opened and resolved,
    and its solution (whose supporting team is paged on a timed escalation). The engine
    reads no field of the desk's ticket itself."""

    tier: str
    priority: str
    request_type_id: int | None
    level: str
    status: str = ""
    is_open: bool = True
    opened_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    solution_id: int | None = None


def policy_match(policies: list[SlaPolicy], *, kind: str, facts: Facts) -> SlaPolicy | None:
    """The most specific matching policy of a kind: request type, then tier, then
    priority count; `position` breaks ties (Jira's ordered goals, Zammad's fallback)."""
    best: tuple[tuple[int, int, int, int], SlaPolicy] | None = None
    for policy in policies:
        if policy.kind != kind:
            continue
        if policy.tier and policy.tier != facts.tier:
            continue
        if policy.priority and policy.priority != facts.priority:
            continue
        if policy.request_type_id and policy.request_type_id != facts.request_type_id:
            continue
        if kind != AgreementKind.SLA and policy.level != facts.level:
            continue
        score = (
            -int(policy.request_type_id is not None),
            -int(bool(policy.tier)),
            -int(bool(policy.priority)),
            policy.position,
        )
        if best is None or score < best[0]:
            best = (score, policy)
    return best[1] if best else None


# --- the configuration, cached per process ----------------------------------------------

CONFIG_KEY = "sla:config-token"
_memo: dict[str, Any] = {}
_memo_lock = threading.Lock()


def config() -> tuple[list[SlaPolicy], SlaSettings]:
    """Active policies (with targets and calendars) and the settings row, read once per
    process and again only after any of them changed (a token in the shared cache that
    every save replaces), so filing a ticket costs no policy queries."""
    token = cache.get(CONFIG_KEY)
    if token is None:
        cache.add(CONFIG_KEY, uuid.uuid4().hex, None)
        token = cache.get(CONFIG_KEY)
    with _memo_lock:
        if token is not None and _memo.get("token") == token:
            return _memo["policies"], _memo["settings"]
    loaded = (active_policies(), SlaSettings.load())
    with _memo_lock:
        _memo.update(token=token, policies=loaded[0], settings=loaded[1])
    return loaded


def config_changed(**_kwargs: Any) -> None:
    """Connected to saves and deletes of calendars, closures, policies, targets, settings."""
    cache.set(CONFIG_KEY, uuid.uuid4().hex, None)
    with _memo_lock:
        _memo.clear()
